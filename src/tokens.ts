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
  IEngineStatus,
  IFrame,
  IJobSummary,
  IModelDescription,
  IModelRequest,
  IProbeResult,
  IRunOptions,
  JobEvent,
  JobRequest
} from './engine/runtime/protocol';

export type { IRunOptions };
import type { FeatureVizSpec } from './spec/types.generated';

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
}

export const IFeatureVizEngine = new Token<IFeatureVizEngine>(
  'jupyterlab-featureviz:IFeatureVizEngine',
  'The page-wide Feature Viz engine: it runs visualizations on one TensorFlow.js backend, one job at a time.'
);

/** The values of the user's Feature Viz settings (schema/settings.json). */
export interface ISettingValues {
  readonly backend: BackendChoice;
  readonly allowedOrigins: readonly string[];
  readonly maxWeightsMB: number;
  /** Refuse jobs estimated to need more memory than this. */
  readonly maxJobMemoryMB: number;
  /** Refuse jobs estimated to run longer than this. */
  readonly maxJobMinutes: number;
  readonly keepFrames: boolean;
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
  export type EngineStatus = IEngineStatus;
  export type Probe = IProbeResult;
  export type Backend = BackendName;
  export type Model = IModelRequest;
  export type ModelDescription = IModelDescription;
  export type Dataset = IDatasetRequest;
  export type DatasetDescription = IDatasetDescription;
}
