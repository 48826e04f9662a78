/**
 * Loading a model (docs/architecture.md, "Trust and safety"): model.json and
 * its weight shards fetched through the host's fetch, the model URL and every
 * weight URL held to the page's allowed places before any request, the
 * weight size checked from the manifest before any download, and every
 * failure a typed error naming the URL.
 */
import * as tf from '@tensorflow/tfjs';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';
import {
  FeatureVizError,
  MalformedModelError,
  ModelLoadError,
  ModelTooLargeError
} from '../errors';
import {
  type IImageArray,
  type IModelJson,
  detectFormat,
  readMetadata
} from './model-json';
import { checkFiniteWeights } from './finite-weights';
import { checkManifest } from './manifest';
import { checkUrl } from './url-policy';

/** The part of `Response` the loader uses, so tests can serve files. */
export interface IResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal }
) => Promise<IResponseLike>;

export type ModelFormat = 'layers' | 'graph';

export interface ILoadOptions {
  /** The format, when known; otherwise read from model.json. */
  readonly format?: ModelFormat;
  /** `fetch` by default; the host passes one that resolves server paths. */
  readonly fetch?: FetchLike;
  /** Refuse models with more weight bytes than this (checked before download). */
  readonly maxWeightBytes?: number;
  /**
   * URL prefixes the model and its weights must lie under (url-policy.ts);
   * every URL is checked before any request. No check when omitted (Node
   * tests and benchmarks read the checkout's files).
   */
  readonly allowedPrefixes?: readonly string[];
  readonly signal?: AbortSignal;
}

/** What a model's model.json says about itself. */
export interface IModelMetadata {
  /** The pixel range the model expects; [0, 1] unless model.json says otherwise. */
  readonly inputRange: readonly [number, number];
  readonly generatedBy: string | undefined;
  /** The mean image of the training data, when model.json gives one. */
  readonly datasetMean: IImageArray | null;
}

interface IModelBase {
  readonly url: string;
  readonly weightBytes: number;
  readonly metadata: IModelMetadata;
}

export interface ILoadedLayersModel extends IModelBase {
  readonly format: 'layers';
  readonly model: LayersModel;
}

export interface ILoadedGraphModel extends IModelBase {
  readonly format: 'graph';
  readonly model: GraphModel;
  /** The graph's nodes as model.json lists them (for inspection). */
  readonly nodes: readonly IGraphNodeJson[];
}

export type LoadedModel = ILoadedLayersModel | ILoadedGraphModel;

export interface IGraphNodeJson {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
}

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DOMException('The load was cancelled.', 'AbortError');
  }
}

async function fetchOk(
  fetchFn: FetchLike,
  url: string,
  signal: AbortSignal | undefined
): Promise<IResponseLike> {
  let response: IResponseLike;
  try {
    response = await fetchFn(url, { signal });
  } catch (reason) {
    if ((reason as { name?: string }).name === 'AbortError') {
      throw reason;
    }
    throw new ModelLoadError(
      url,
      null,
      `the request failed (${String(reason)})`
    );
  }
  if (!response.ok) {
    throw new ModelLoadError(
      url,
      response.status,
      `the server answered ${response.status}${
        response.statusText ? ` ${response.statusText}` : ''
      }`
    );
  }
  return response;
}

/**
 * Loads a TensorFlow.js Layers or Graph model. The weight size is checked
 * from the manifest before any weights are downloaded; shards are checked
 * against the manifest; every failure is a typed error naming the URL.
 */
export async function loadModel(
  url: string,
  options: ILoadOptions = {}
): Promise<LoadedModel> {
  const fetchFn: FetchLike =
    options.fetch ?? ((u, init) => fetch(u, init) as Promise<IResponseLike>);
  const { signal, allowedPrefixes } = options;
  abortIfNeeded(signal);
  if (allowedPrefixes) {
    checkUrl(url, allowedPrefixes, 'the model');
  }

  const response = await fetchOk(fetchFn, url, signal);
  let json: IModelJson;
  try {
    json = (await response.json()) as IModelJson;
  } catch {
    throw new MalformedModelError(url, 'it is not valid JSON');
  }
  if (typeof json !== 'object' || json === null) {
    throw new MalformedModelError(url, 'it is not a JSON object');
  }
  const format = options.format ?? detectFormat(url, json);
  if (!json.modelTopology) {
    throw new MalformedModelError(url, 'it has no "modelTopology"');
  }
  // Shapes, dtypes and sizes, each named, before any weight is fetched.
  const { manifest, bytes: expectedBytes } = checkManifest(
    url,
    json.weightsManifest
  );
  const weightSpecs = manifest.flatMap(group => group.weights);
  if (
    options.maxWeightBytes !== undefined &&
    expectedBytes > options.maxWeightBytes
  ) {
    throw new ModelTooLargeError(url, expectedBytes, options.maxWeightBytes);
  }

  // Weights resolve against the model's URL: a manifest can name any path,
  // so each must pass the model's own rules before the first is fetched.
  const shards = manifest.flatMap(group =>
    group.paths.map(path => {
      const shardUrl = new URL(path, url).toString();
      if (allowedPrefixes) {
        checkUrl(shardUrl, allowedPrefixes, `the weights file "${path}"`);
      }
      return { path, url: shardUrl };
    })
  );
  const weightData = await fetchShards(
    fetchFn,
    url,
    shards,
    expectedBytes,
    signal
  );
  abortIfNeeded(signal);
  checkFiniteWeights(url, weightSpecs, weightData);

  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData,
    format: typeof json.format === 'string' ? json.format : undefined,
    generatedBy:
      typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
    convertedBy:
      typeof json.convertedBy === 'string' ? json.convertedBy : undefined,
    userDefinedMetadata:
      json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
    signature: json.signature as tf.io.ModelArtifacts['signature'],
    modelInitializer:
      json.modelInitializer as tf.io.ModelArtifacts['modelInitializer']
  };
  const metadata = readMetadata(json);
  try {
    if (format === 'layers') {
      const model = await loadLayersModel(tf.io.fromMemory(artifacts));
      return { format, url, model, weightBytes: expectedBytes, metadata };
    }
    const model = await loadGraphModel(tf.io.fromMemory(artifacts));
    const topology = json.modelTopology as { node?: IGraphNodeJson[] };
    return {
      format,
      url,
      model,
      weightBytes: expectedBytes,
      metadata,
      nodes: topology.node ?? []
    };
  } catch (reason) {
    if (reason instanceof FeatureVizError) {
      throw reason;
    }
    throw new MalformedModelError(
      url,
      `TensorFlow.js could not build it: ${(reason as Error).message}`
    );
  }
}

async function fetchShards(
  fetchFn: FetchLike,
  modelUrl: string,
  shards: readonly { readonly path: string; readonly url: string }[],
  expectedBytes: number,
  signal: AbortSignal | undefined
): Promise<ArrayBuffer> {
  const buffers: ArrayBuffer[] = [];
  const names: string[] = [];
  for (const shard of shards) {
    abortIfNeeded(signal);
    const response = await fetchOk(fetchFn, shard.url, signal);
    buffers.push(await response.arrayBuffer());
    names.push(shard.path);
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  if (total < expectedBytes) {
    throw new MalformedModelError(
      modelUrl,
      `its weights files (${names.join(', ')}) hold ${total} bytes but the manifest describes ${expectedBytes}; a file is truncated`
    );
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    joined.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return joined.buffer;
}

/** Frees a loaded model's weights. */
export function disposeModel(loaded: LoadedModel): void {
  loaded.model.dispose();
}
