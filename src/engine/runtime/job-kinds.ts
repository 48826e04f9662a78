/**
 * The job contract: every kind of job is one entry of IJobKinds
 * (docs/architecture.md, "Jobs") with its request, the kind-specific part of
 * its summary, and its result. The runner of each kind is in jobs.ts.
 */
import type { Objective, Reduce } from '../../spec/types.generated';
import type {
  IFiltersRequest,
  IFiltersResult,
  IFiltersSummary,
  IOcclusionRequest,
  IOcclusionResult,
  IOcclusionSummary,
  ISaliencyRequest,
  ISaliencyResult,
  ISaliencySummary
} from '../attribution/types';
import type { ModelFormat } from '../model/load';
import type { IOptimizationConfig } from '../optvis/ascent';
import type {
  ITopExamplesRequest,
  ITopExamplesResult,
  ITopExamplesSummary
} from '../dataset/top-examples';
import type { IAscentSummary } from '../optvis/jobs';
import type { IPcaRequest, IPcaResult, IPcaSummary } from '../projection/job';
import type { BackendName } from './capabilities';

/** A model to load: an absolute URL the host resolved. */
export interface IModelRequest {
  readonly url: string;
  readonly format?: ModelFormat;
  /** Refuse more weight bytes than this (from the manifest, before download). */
  readonly maxWeightBytes?: number;
  /**
   * URL prefixes the model and each of its weight files must lie under,
   * checked before any request (src/engine/model/url-policy.ts).
   */
  readonly allowedPrefixes?: readonly string[];
}

/** Caps a job is held to before it starts (from the settings). */
export interface IJobLimits {
  /** Refuse a job whose estimated peak tensor memory is over this. */
  readonly maxBytes?: number;
  /** Refuse a job whose estimated running time is over this. */
  readonly maxMs?: number;
}

/**
 * The kinds of job, each with its request (without `kind` and `model`, which
 * every request has), the kind-specific part of its summary (plain JSON: it
 * is written into the notebook) and its result (structured-cloneable, typed
 * arrays owning their buffers; null for a job whose frames are its result).
 * Add a kind here and its runner to JOBS in jobs.ts.
 */
export interface IJobKinds {
  'gradient-ascent': {
    readonly request: {
      readonly objective: Objective;
      readonly optimization?: IOptimizationConfig;
    };
    readonly summary: IAscentSummary;
    readonly result: null;
  };
  'layer-atlas': {
    readonly request: {
      readonly layer: string;
      readonly channels?: readonly number[];
      /** Each channel's mean or centre neuron; 'auto': the recipe decides. */
      readonly reduce?: Reduce;
      readonly optimization?: IOptimizationConfig;
    };
    readonly summary: IAscentSummary;
    readonly result: null;
  };
  'top-examples': {
    readonly request: ITopExamplesRequest;
    readonly summary: ITopExamplesSummary;
    readonly result: ITopExamplesResult;
  };
  occlusion: {
    readonly request: IOcclusionRequest;
    readonly summary: IOcclusionSummary;
    readonly result: IOcclusionResult;
  };
  saliency: {
    readonly request: ISaliencyRequest;
    readonly summary: ISaliencySummary;
    readonly result: ISaliencyResult;
  };
  filters: {
    readonly request: IFiltersRequest;
    readonly summary: IFiltersSummary;
    readonly result: IFiltersResult;
  };
  pca: {
    readonly request: IPcaRequest;
    readonly summary: IPcaSummary;
    readonly result: IPcaResult;
  };
}

export type JobKind = keyof IJobKinds;

/** The request of one kind of job. */
export type JobRequestOf<K extends JobKind> = {
  readonly kind: K;
  readonly model: IModelRequest;
  /** Caps checked before the job starts (kinds with an estimate). */
  readonly limits?: IJobLimits;
} & IJobKinds[K]['request'];

export type JobRequest = { [K in JobKind]: JobRequestOf<K> }[JobKind];

/** What every job's summary says, whatever its kind. */
export interface ISummaryBase {
  readonly backend: BackendName;
  readonly elapsedMs: number;
  /** Set when the job ran on another backend than the page's. */
  readonly fallback?: { readonly from: BackendName; readonly reason: string };
}

/** The summary of one kind of job: the common part and its own. */
export type JobSummaryOf<K extends JobKind> = ISummaryBase & {
  readonly kind: K;
} & IJobKinds[K]['summary'];

export type IJobSummary = { [K in JobKind]: JobSummaryOf<K> }[JobKind];

/** The result of one kind of job (null for a kind whose frames are its result). */
export type JobResultOf<K extends JobKind> = IJobKinds[K]['result'];

/** Any job's result. */
export type JobResult = Exclude<JobResultOf<JobKind>, null>;
