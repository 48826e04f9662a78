/**
 * Reading a model.json: its format and the metadata featureviz.convert writes
 * (its weights manifest is checked in manifest.ts).
 */
import { MalformedModelError } from '../errors';
import type { IModelMetadata, ModelFormat } from './load';

/** An image as plain values: height × width × channels, channels last. */
export interface IImageArray {
  readonly shape: readonly [number, number, number];
  readonly values: ArrayLike<number>;
}

export interface IModelJson {
  format?: unknown;
  generatedBy?: unknown;
  convertedBy?: unknown;
  modelTopology?: unknown;
  weightsManifest?: unknown;
  userDefinedMetadata?: unknown;
  signature?: unknown;
  modelInitializer?: unknown;
  trainingConfig?: unknown;
}

/** The largest mean image read from a model.json (1024 × 1024 × 3). */
const MAX_MEAN_VALUES = 1024 * 1024 * 3;

/**
 * userDefinedMetadata.featureviz.datasetMean: { shape: [h, w, c], values }
 * in [0, 1] (training/train_mnist_cnn.py writes it). Anything else is
 * ignored: the recipe then starts from a blob.
 */
function readDatasetMean(raw: unknown): IImageArray | null {
  const mean = raw as { shape?: unknown; values?: unknown } | undefined;
  const shape = mean?.shape;
  const values = mean?.values;
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every(d => Number.isInteger(d) && d > 0) ||
    !Array.isArray(values) ||
    values.length > MAX_MEAN_VALUES ||
    values.length !== shape[0] * shape[1] * shape[2] ||
    !values.every(v => typeof v === 'number' && v >= 0 && v <= 1)
  ) {
    return null;
  }
  return {
    shape: [shape[0], shape[1], shape[2]],
    values: Float32Array.from(values as number[])
  };
}

export function readMetadata(json: IModelJson): IModelMetadata {
  const meta = json.userDefinedMetadata as
    | { featureviz?: { inputRange?: unknown; datasetMean?: unknown } }
    | undefined;
  const range = meta?.featureviz?.inputRange;
  const inputRange: [number, number] =
    Array.isArray(range) &&
    range.length === 2 &&
    range.every(v => typeof v === 'number' && Number.isFinite(v)) &&
    range[0] < range[1]
      ? [range[0], range[1]]
      : [0, 1];
  return {
    inputRange,
    generatedBy:
      typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
    datasetMean: readDatasetMean(meta?.featureviz?.datasetMean)
  };
}

export function detectFormat(url: string, json: IModelJson): ModelFormat {
  if (json.format === 'layers-model') {
    return 'layers';
  }
  if (json.format === 'graph-model') {
    return 'graph';
  }
  const topology = json.modelTopology as
    | { class_name?: unknown; node?: unknown; model_config?: unknown }
    | undefined;
  if (topology && Array.isArray(topology.node)) {
    return 'graph';
  }
  if (topology && (topology.class_name || topology.model_config)) {
    return 'layers';
  }
  throw new MalformedModelError(
    url,
    'its "modelTopology" is missing or of an unknown kind'
  );
}
