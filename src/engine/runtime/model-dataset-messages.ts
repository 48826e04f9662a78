/**
 * The engine's answers about models and datasets (their descriptions), and
 * the requests for a dataset's examples that views show on demand.
 */
import type { DataRequest } from '../dataset/store';
import type { ILayerInfo } from '../model/inspect';
import type { ModelFormat } from '../model/load';

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
