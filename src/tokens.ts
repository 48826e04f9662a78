/**
 * The extension's public contract: the services its plugins provide, their
 * tokens, and the types that cross between the kernel, the page and the
 * engine (the `FeatureViz` namespace). Other extensions import these from
 * `jupyterlab-featureviz`; inside the extension every layer may read them.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { BackendChoice, BackendName } from './engine/runtime/capabilities';
import type {
  IDatasetDescription,
  IDatasetRequest,
  IExamplePixels,
  IExamplesRequest,
  IEngineStatus,
  IFrame,
  IJobSummary,
  IModelDescription,
  IModelRequest,
  IProbeResult,
  IRunOptions,
  JobEvent,
  JobKind,
  JobRequest,
  JobResult
} from './engine/runtime/protocol';

export type { IRunOptions };
import type { IKernelBridge } from './kernel/bridge';
import type { FeatureVizSpec } from './spec/types.generated';
import type { INamedArrayLike } from './engine/dataset/store';

/**
 * The page's one engine (docs/architecture.md, "One engine per page"): one
 * TensorFlow.js backend, one scheduler, one model cache, in a Web Worker when
 * the browser allows it.
 */
export interface IFeatureVizEngine {
  /** The engine's status; starts the engine (and its backend probe) if needed. */
  status(): Promise<IEngineStatus>;
  /** Emits when the backend changes. */
  readonly statusChanged: ISignal<IFeatureVizEngine, IEngineStatus>;
  /** Applies the user's backend setting. */
  setBackendChoice(choice: BackendChoice): void;
  /** Queues a job and resolves with its summary when it is done. */
  run(request: JobRequest, options?: IRunOptions): Promise<IJobSummary>;
  /** Loads a model (cached) and lists its layers. */
  describeModel(request: IModelRequest): Promise<IModelDescription>;
  /** Loads a dataset (cached) and summarizes it. */
  describeDataset(request: IDatasetRequest): Promise<IDatasetDescription>;
  /** Some examples of a job's dataset as bytes (thumbnails on demand). */
  examplePixels(request: IExamplesRequest): Promise<IExamplePixels>;
  /**
   * Keeps arrays a kernel sent under their content key, for jobs whose data
   * names it (docs/architecture.md, "The kernel bridge").
   */
  putArrays(key: string, arrays: readonly INamedArrayLike[]): Promise<void>;
  /** Whether the engine keeps arrays under `key`. */
  hasArrays(key: string): Promise<boolean>;
  /**
   * The engine's queued and running jobs, each cancellable (the sidebar's
   * engine panel); absent where the engine is not tracked.
   */
  readonly queue?: IEngineJobs;
}

/** One job of the page's engine, as the engine panel lists it. */
export interface IEngineJob {
  readonly id: number;
  readonly kind: JobKind;
  /** What it computes, for people: "layer-atlas of conv2d". */
  readonly label: string;
  /** 'cancelling' from Cancel until the engine lets go of it (within a second). */
  readonly state: 'queued' | 'running' | 'cancelling';
  /** Fraction done, 0 to 1; null until known. */
  readonly progress: number | null;
}

/** The engine's job list: queued and running jobs, with Cancel. */
export interface IEngineJobs {
  list(): readonly IEngineJob[];
  /** Emits the list when a job is added, changes or ends. */
  readonly changed: ISignal<IEngineJobs, readonly IEngineJob[]>;
  cancel(id: number): void;
  cancelAll(): void;
}

export const IFeatureVizEngine = new Token<IFeatureVizEngine>(
  'jupyterlab-featureviz:IFeatureVizEngine',
  'The page-wide Feature Viz engine: it runs visualizations on one TensorFlow.js backend, one job at a time.'
);

/**
 * The page's bridges to notebook kernels over the `featureviz` comm
 * (docs/architecture.md, "The kernel bridge"): arrays from the kernel, results
 * back to it.
 */
export interface IFeatureVizKernels {
  /**
   * The bridge to the kernel of the notebook that shows `node`; null outside
   * a notebook or while it has no kernel.
   */
  bridgeFor(node: HTMLElement): IKernelBridge | null;
  /**
   * Makes sure the engine holds the arrays the kernel of `node`'s notebook
   * keeps under `key`: fetched over the comm once per page, then kept.
   */
  ensureArrays(
    node: HTMLElement,
    key: string,
    signal?: AbortSignal
  ): Promise<void>;
}

export const IFeatureVizKernels = new Token<IFeatureVizKernels>(
  'jupyterlab-featureviz:IFeatureVizKernels',
  "The Feature Viz kernel bridges: a notebook kernel's arrays to the engine, and results back to the kernel."
);

/** The values of the user's Feature Viz settings (schema/settings.json). */
export interface ISettingValues {
  readonly backend: BackendChoice;
  readonly allowedOrigins: readonly string[];
  readonly maxWeightsMB: number;
  /** The largest dataset read from the server, in MB. */
  readonly maxDatasetMB: number;
  /** Refuse jobs estimated to need more memory than this. */
  readonly maxJobMemoryMB: number;
  /** Refuse jobs estimated to run longer than this. */
  readonly maxJobMinutes: number;
  readonly keepFrames: boolean;
  /**
   * The most engine workers batched work may use; 0 (or absent, in values
   * made before the setting existed): every core but one.
   */
  readonly maxWorkers?: number;
  /**
   * The explorer's dataset: "" for the bundled digits, else a server path
   * (an .npy/.npz file, or a folder ending in "/").
   */
  readonly explorerDataset?: string;
  /** The explorer's gradient-ascent steps; the recipe's when null. */
  readonly explorerSteps?: number | null;
  /** The explorer's image side in pixels; the model's input size when null. */
  readonly explorerImageSize?: number | null;
}

/** The settings service: the current values and a signal when they change. */
export interface IFeatureVizSettings {
  readonly current: ISettingValues;
  readonly changed: ISignal<IFeatureVizSettings, ISettingValues>;
}

export const IFeatureVizSettings = new Token<IFeatureVizSettings>(
  'jupyterlab-featureviz:IFeatureVizSettings',
  'The Feature Viz settings (backend, allowed model origins, size caps), read in one typed place.'
);

/** The types that cross between the kernel, the page and the engine. */
export namespace FeatureViz {
  /** An output's spec, as Python builds it and the schema defines it. */
  export type Spec = FeatureVizSpec;
  export type Job = JobRequest;
  export type Event = JobEvent;
  export type Frame = IFrame;
  export type JobSummary = IJobSummary;
  export type Kind = JobKind;
  export type Result = JobResult;
  export type EngineStatus = IEngineStatus;
  export type Probe = IProbeResult;
  export type Backend = BackendName;
  export type Model = IModelRequest;
  export type ModelDescription = IModelDescription;
  export type Dataset = IDatasetRequest;
  export type DatasetDescription = IDatasetDescription;
}
