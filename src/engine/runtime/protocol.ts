/**
 * What crosses between the page and the engine (in a Web Worker or not): job
 * requests, job events, status. Plain data only, so it survives structured
 * cloning; frames and results carry their arrays as typed arrays whose
 * buffers are transferred, not copied (transferables() lists them).
 *
 * Every kind of job is one entry of IJobKinds (docs/architecture.md, "Jobs"):
 * its request, the kind-specific part of its summary, and its result. The
 * runner of each kind is in jobs.ts.
 */
import type { Objective, Reduce } from '../../spec/types.generated';
import type {
  IFiltersRequest,
  IFiltersResult,
  IInputImage,
  IFiltersSummary,
  IOcclusionRequest,
  IOcclusionResult,
  IOcclusionSummary,
  ISaliencyRequest,
  ISaliencyResult,
  ISaliencySummary
} from '../attribution/types';
import type { ILayerInfo } from '../model/inspect';
import type { ModelFormat } from '../model/load';
import type { IOptimizationConfig } from '../optvis/ascent';
import type {
  ITopExamplesRequest,
  ITopExamplesResult,
  ITopExamplesSummary
} from '../dataset/top-examples';
import type { IAscentSummary } from '../optvis/jobs';
import type { DataRequest } from '../dataset/store';
import type { IPcaRequest, IPcaResult, IPcaSummary } from '../projection/job';
import type { IFrame } from '../optvis/render';
import type { BackendChoice, BackendName } from './capabilities';

export type {
  IFrame,
  IAscentSummary,
  ITopExamplesRequest,
  ITopExamplesResult,
  ITopExamplesSummary,
  IInputImage,
  IFiltersResult,
  IFiltersSummary,
  IOcclusionResult,
  IOcclusionSummary,
  ISaliencyResult,
  ISaliencySummary,
  IPcaRequest,
  IPcaResult,
  IPcaSummary
};

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

export type JobState = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';

/** How a job is run: cancellation and the events it emits. */
export interface IRunOptions {
  /** Cancels the job, queued or running; run() then rejects with CancelledError. */
  readonly signal?: AbortSignal;
  /** Every event of the job: queued, running, frames, fallback, the end. */
  readonly onEvent?: (event: JobEvent) => void;
}

export interface ISerializedError {
  readonly name: string;
  readonly message: string;
}

export type JobEvent =
  | { readonly type: 'queued'; readonly position: number }
  | {
      readonly type: 'running';
      readonly backend: BackendName;
      /** A layer atlas's channels, one per image, in order. */
      readonly channels?: readonly number[];
    }
  | {
      readonly type: 'fallback';
      readonly from: BackendName;
      readonly to: BackendName;
      readonly reason: string;
    }
  | {
      readonly type: 'frame';
      readonly frame: IFrame;
      /** Fraction of steps done, 0 to 1. */
      readonly progress: number;
      /** Estimated milliseconds to finish. */
      readonly etaMs: number | null;
    }
  | {
      /** Progress of a job that has no frames: items done of a total. */
      readonly type: 'progress';
      readonly done: number;
      readonly total: number;
      /** What is counted, plural ("images"). */
      readonly unit: string;
      /** Estimated milliseconds to finish; null until the pace is known. */
      readonly etaMs: number | null;
    }
  | {
      readonly type: 'done';
      readonly summary: IJobSummary;
      /** The job's result, for kinds that have one (its buffers transferred). */
      readonly result?: JobResult;
    }
  | {
      readonly type: 'cancelled';
      /** Why, when not by its own Cancel ("the kernel restarted"). */
      readonly reason?: string;
    }
  | { readonly type: 'failed'; readonly error: ISerializedError }
  | {
      /**
       * The backend failed under the job (a lost WebGL or WebGPU context):
       * its last good frame stays, and a re-run goes to the next backend
       * (docs/architecture.md, "One engine per page").
       */
      readonly type: 'interrupted';
      readonly backend: BackendName | null;
      readonly reason: string;
    };

/** A backend's measured speed (the ladder is ranked by these). */
export interface IProbeResult {
  readonly backend: BackendName;
  readonly ok: boolean;
  /** Median milliseconds of the probe's gradient step, after warm-up. */
  readonly msPerStep?: number;
  /** Milliseconds of the first step (shader compilation, WASM start). */
  readonly warmupMs?: number;
  /** WebGL through a software rasterizer (SwiftShader). */
  readonly software?: boolean;
  readonly error?: string;
}

export interface IEngineStatus {
  /** The backend jobs run on; null until the engine has started. */
  readonly backend: BackendName | null;
  /** The backends that can start here, fastest first once measured. */
  readonly available: readonly BackendName[];
  readonly choice: BackendChoice;
  /** Why this backend: pinned, measured fastest, or a fallback. */
  readonly reason: string;
  readonly probes: readonly IProbeResult[];
  /** Whether the engine runs in a Web Worker (the notebook never waits on it). */
  readonly worker: boolean;
  readonly queued: number;
  readonly running: boolean;
  /** The engine's tensor memory now (its leaks are visible from the page). */
  readonly memory?: IEngineMemory;
  /** Backends dropped after a fault (a lost context), with why. */
  readonly lost?: readonly {
    readonly backend: BackendName;
    readonly reason: string;
  }[];
  /** How many times the page replaced the engine's worker (hangs, faults). */
  readonly restarts?: number;
  /**
   * Engine workers batched jobs use, this one included (1: no pool; see
   * docs/architecture.md, "Memory and speed").
   */
  readonly workers?: number;
}

/** TensorFlow.js's memory figures, as the engine's status reports them. */
export interface IEngineMemory {
  readonly numTensors: number;
  readonly numBytes: number;
  /** WebGL texture bytes, where the backend reports them; else null. */
  readonly gpuBytes: number | null;
}

/**
 * A fault the engine noticed outside any one job's code path (a lost GPU
 * context): the page replaces the engine without that backend.
 */
export interface IEngineFault {
  readonly type: 'context-lost';
  readonly backend: BackendName;
  readonly reason: string;
}

/** Faults a test can inject, when the engine was started with test hooks. */
export type TestFault =
  | {
      readonly type: 'lose-context';
      /** Lose it as the running job's frame of this step is sent; now when omitted. */
      readonly atStep?: number;
    }
  | {
      /** A frame or progress event blocks the engine's thread this long. */
      readonly type: 'hang';
      readonly ms: number;
      /** At the frame of this step; at the next event when omitted. */
      readonly atStep?: number;
    };

export interface IModelDescription {
  readonly url: string;
  readonly format: ModelFormat;
  readonly weightBytes: number;
  readonly inputShape: readonly (number | null)[];
  readonly layers: readonly ILayerInfo[];
}

/** A dataset manifest to load (an absolute URL the host resolved). */
export interface IDatasetRequest {
  readonly url: string;
}

/**
 * Some examples of a job's dataset, for thumbnails shown on demand (the PCA
 * view's hover and selection grid) rather than carried for every point.
 */
export interface IExamplesRequest {
  /** The dataset as the job named it (resolved: the store has it loaded). */
  readonly data: DataRequest;
  /** [height, width, channels] the dataset was loaded at (a folder's size). */
  readonly shape: readonly [number, number, number];
  /** Dataset indices, at most MAX_EXAMPLES_PER_REQUEST. */
  readonly indices: readonly number[];
}

/** The most examples one request may ask for (a selection grid shows 64). */
export const MAX_EXAMPLES_PER_REQUEST = 256;

/** The requested examples' pixels as bytes, in order (indices × h × w × c). */
export interface IExamplePixels {
  readonly imageShape: readonly [number, number, number];
  readonly pixels: Uint8Array;
}

export interface IDatasetDescription {
  readonly url: string;
  readonly name: string;
  readonly count: number;
  readonly imageShape: readonly [number, number, number];
  readonly splits: Readonly<Record<string, readonly [number, number]>>;
  /** Examples per label, when the dataset has labels. */
  readonly labelCounts: readonly number[] | null;
}

/**
 * The buffers of an event's typed arrays (a frame's pixels, a result's
 * arrays), each once: what a worker transfers instead of copying. A typed
 * array sent this way must own its whole buffer (a view into a larger buffer
 * would take the rest with it).
 */
export function transferables(event: JobEvent): ArrayBuffer[] {
  if (event.type === 'frame') {
    return buffersIn(event.frame);
  } else if (event.type === 'done') {
    return buffersIn(event.result);
  }
  return [];
}

/** The buffers of every typed array in `value` (a frame, a result). */
export function buffersIn(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number): void => {
    if (ArrayBuffer.isView(value)) {
      // Not `instanceof`: a buffer from another realm (a test's VM) is one
      // too. A SharedArrayBuffer is shared, never transferred.
      if (
        Object.prototype.toString.call(value.buffer) === '[object ArrayBuffer]'
      ) {
        found.add(value.buffer as ArrayBuffer);
      }
    } else if (typeof value === 'object' && value !== null && depth < 8) {
      for (const item of Object.values(value)) {
        visit(item, depth + 1);
      }
    }
  };
  visit(value, 0);
  return [...found];
}

/**
 * An error as it crosses to the page and is shown there: its message with
 * the query strings, fragments and token-like parameters of any URL removed
 * (a server's download URL carries its `_xsrf` token), and never empty.
 */
export function serializeError(reason: unknown): ISerializedError {
  const name = reason instanceof Error && reason.name ? reason.name : 'Error';
  const raw =
    reason instanceof Error
      ? reason.message
      : typeof reason === 'string'
        ? reason
        : String((reason as { message?: unknown })?.message ?? reason);
  const message = scrubMessage(raw).trim();
  return {
    name,
    message:
      message || `${name}, without a message from the browser or TensorFlow.js.`
  };
}

// key=value pairs whose value is a secret, wherever they appear.
const SECRET_PARAM =
  /\b(_xsrf|xsrf|token|access_token|id_token|auth|authorization|password|passwd|api_key|apikey|key|sig|signature|session|sessionid)=[^\s&"'<>]+/gi;

/**
 * A URL or path (a word with a `/` in it) without its query and fragment;
 * punctuation that ends the sentence after it stays.
 */
function scrubWord(word: string): string {
  const at = word.search(/[?#]/);
  if (at < 0 || !word.slice(0, at).includes('/')) {
    return word;
  }
  const trailing = /[.,:;!)\]]*$/.exec(word.slice(at))?.[0] ?? '';
  return word.slice(0, at) + trailing;
}

/** `text` without query strings and fragments of URLs, or secret parameters. */
export function scrubMessage(text: string): string {
  return text
    .replace(/[^\s"'<>]+/g, scrubWord)
    .replace(SECRET_PARAM, '$1=(removed)');
}
