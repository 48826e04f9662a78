/**
 * The pool's contract (docs/architecture.md, "Memory and speed"): the kinds
 * of share a batched job splits into, what each asks and returns, and the
 * API a pool worker exposes. A share is a slice of one job (examples
 * [start, end) of a dataset pass); its result merges exactly with the other
 * shares' into the single-worker result.
 */
import type * as Comlink from 'comlink';
import type { Reduce, UnitTarget } from '../../../spec/types.generated';
import type { DataRequest, INamedArrayLike } from '../../dataset/store';
import type { IRanked } from '../../dataset/top-k';
import type { IOcclusionGrid } from '../../attribution/occlusion';
import type { SamplePath } from '../../attribution/samples';
import type { IBatchMoments } from '../../projection/passes';
import type { IMatrix } from '../../projection/linalg';
import type { IOptimizationConfig } from '../../optvis/recipe';
import type { IFrame } from '../../optvis/render';
import type { WasmPaths } from '../backends';
import type { BackendName } from '../capabilities';
import type { IModelRequest } from '../protocol';

/** A slice of a dataset's activation pass with its partial top (bottom) k. */
export interface IPassShare {
  readonly kind: 'activation-pass';
  readonly model: IModelRequest;
  readonly data: DataRequest;
  readonly target: UnitTarget;
  readonly k: number;
  readonly bottom: boolean;
  /** The examples of this share: [start, end) of the dataset. */
  readonly range: readonly [number, number];
  /** The single-worker batch size: shares cut the same batches. */
  readonly batchSize: number;
  /** Also return every example's value (a histogram's job asked for it). */
  readonly keepScores?: boolean;
}

export interface IPassShareResult {
  readonly top: IRanked;
  readonly bottom: IRanked | null;
  /** The share's values in order, when it was asked to keep them. */
  readonly scores?: Float32Array | null;
}

/**
 * One pass of PCA over a share's examples (projection/pca-shares.ts): a
 * Gram pass (its rows of Y = X·Z − 1cᵀ, its partial sum XᵀY and, with no
 * centre, its batches' moments), X·Z, or the partial sum of its batches'
 * centred scatter (d×d).
 */
export type PcaPass =
  | {
      readonly type: 'gram';
      readonly z: IMatrix;
      readonly centre: Float64Array | null;
    }
  | { readonly type: 'product'; readonly z: IMatrix }
  | { readonly type: 'covariance'; readonly width: number };

export interface IPcaShare {
  readonly kind: 'pca-pass';
  readonly model: IModelRequest;
  readonly data: DataRequest;
  readonly layer: string;
  /** The examples of this share: [start, end) of the dataset. */
  readonly range: readonly [number, number];
  /** The single-worker batch size: shares cut the same batches. */
  readonly batchSize: number;
  readonly pass: PcaPass;
}

export type IPcaShareResult =
  | {
      readonly type: 'gram';
      readonly rows: IMatrix;
      readonly gram: IMatrix;
      readonly batches: IBatchMoments[] | null;
    }
  | { readonly type: 'product'; readonly product: IMatrix }
  | {
      readonly type: 'covariance';
      /** Σ over the share's batches of their centred scatter, d×d. */
      readonly within: Float32Array;
      readonly batches: IBatchMoments[];
    };

/** Occlusion at some of a grid's positions (attribution/occlusion-shares.ts). */
export interface IOcclusionShare {
  readonly kind: 'occlusion';
  readonly model: IModelRequest;
  /** The unit, resolved (a job without a target explains its predicted class). */
  readonly target: UnitTarget;
  /** The input as the model takes it, [1, h, w, c] row-major. */
  readonly input: Float32Array;
  readonly shape: readonly [number, number, number, number];
  readonly grid: IOcclusionGrid;
  readonly fill: number;
  readonly predict: boolean;
  /** The positions of this share: [start, end) of the grid's, row by row. */
  readonly range: readonly [number, number];
}

export interface IOcclusionShareResult {
  readonly values: Float32Array;
  readonly predicted: Int32Array | null;
}

/** SmoothGrad's or Integrated Gradients' samples of one image (attribution/sample-shares.ts). */
export interface ISampleShare {
  readonly kind: 'gradient-samples';
  readonly model: IModelRequest;
  /** The unit, resolved (a job without a target explains its predicted class). */
  readonly target: UnitTarget;
  /** The image as the model takes it, [1, h, w, c] row-major. */
  readonly input: Float32Array;
  readonly shape: readonly [number, number, number, number];
  readonly path: SamplePath;
  /** The samples of this share: [start, end) of the path's. */
  readonly range: readonly [number, number];
}

export interface ISampleShareResult {
  /** The share's weighted gradient sum, [h, w, c] row-major. */
  readonly sum: Float32Array;
}

/**
 * Some channels of a layer atlas (optvis/atlas-shares.ts): images
 * [start, end) of the whole atlas's batched run, computed as that run
 * computes them (its random start drawn for the whole batch and sliced).
 * Its frames stream to the core as it goes, which merges each step.
 */
export interface IAtlasShare {
  readonly kind: 'layer-atlas';
  readonly model: IModelRequest;
  readonly layer: string;
  /** Every channel of the atlas, in order: image i maximizes channels[i]. */
  readonly channels: readonly number[];
  readonly reduce?: Reduce;
  readonly optimization: IOptimizationConfig;
  /** The images of this share: [start, end) of the atlas's. */
  readonly range: readonly [number, number];
}

export interface IAtlasShareResult {
  /** Frames the share streamed (its last one ends it). */
  readonly frames: number;
}

/**
 * One entry per kind of share: its request, its result, and what it
 * streams to the core while it runs (`partial`; kinds without one stream
 * nothing).
 */
export interface IShareKinds {
  'activation-pass': { request: IPassShare; result: IPassShareResult };
  'pca-pass': { request: IPcaShare; result: IPcaShareResult };
  occlusion: { request: IOcclusionShare; result: IOcclusionShareResult };
  'gradient-samples': { request: ISampleShare; result: ISampleShareResult };
  'layer-atlas': {
    request: IAtlasShare;
    result: IAtlasShareResult;
    /** The share's images at one step, its buffers transferred. */
    partial: IFrame;
  };
}

export type ShareKind = keyof IShareKinds;
export type ShareRequest = IShareKinds[ShareKind]['request'];
export type ShareRequestOf<K extends ShareKind> = IShareKinds[K]['request'];
export type ShareResultOf<K extends ShareKind> = IShareKinds[K]['result'];
export type SharePartialOf<K extends ShareKind> = IShareKinds[K] extends {
  partial: infer P;
}
  ? P
  : never;

/** Where a share's partial payloads go (the core merges them). */
export type PartialSink<K extends ShareKind> = (
  partial: SharePartialOf<K>
) => void | Promise<void>;

/** Runs shares of one job over the pool; what a job runner is given. */
export interface ISharePool {
  /** Workers the pool may use (this core counts as one). */
  readonly size: number;
  /**
   * Runs every share (one per worker) and returns their results in order.
   * `onProgress` gets the items done over all shares; `onPartial` what
   * share i streams as it runs (a share re-run after its worker died
   * streams again from its start). Cancel (the signal) stops every share
   * and resolves only once none runs any more.
   */
  run<K extends ShareKind>(
    shares: readonly ShareRequestOf<K>[],
    signal: AbortSignal,
    onProgress: (done: number) => void,
    onPartial?: (share: number, partial: SharePartialOf<K>) => void
  ): Promise<ShareResultOf<K>[]>;
}

/** A URL's bytes as the core fetched them, forwarded to a pool worker. */
export interface IForwardedResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly bytes: ArrayBuffer;
}

/** Serves a pool worker's requests from the core's fetches (no 2nd download). */
export type ForwardedFetch = (url: string) => Promise<IForwardedResponse>;

/** What a pool worker's engine is started with. */
export interface IShareWorkerInit {
  readonly backend: BackendName;
  readonly wasmPaths?: WasmPaths;
}

/** A pool worker's state, for tests and the benchmark. */
export interface IShareWorkerState {
  readonly running: number;
  readonly numTensors: number;
  readonly numBytes: number;
  /** The most bytes tfjs held at once since the worker started. */
  readonly peakBytes: number;
}

/** What a pool worker exposes (pool/share-worker-api.ts). */
export interface IShareWorkerApi {
  init(init: IShareWorkerInit, fetch: ForwardedFetch): Promise<void>;
  /**
   * Runs a share; each partial payload is sent through `onPartial` (its
   * buffers transferred) while the share goes on, a few at most in flight
   * (pool/partial-window.ts), and every one has reached the core before the
   * result does.
   */
  run<K extends ShareKind>(
    id: string,
    share: ShareRequestOf<K>,
    onProgress: (done: number) => void,
    onPartial?: (partial: SharePartialOf<K>) => void
  ): Promise<ShareResultOf<K>>;
  cancel(id: string): void;
  putArrays(key: string, arrays: readonly INamedArrayLike[]): void;
  state(): IShareWorkerState;
}

/** A started pool worker: its message port, how to end it, how it dies. */
export interface IShareEndpoint {
  readonly endpoint: Comlink.Endpoint;
  terminate(): void;
  /** Calls back once if the worker stops by itself (crash, out of memory). */
  onExit(listener: (message: string) => void): void;
}
