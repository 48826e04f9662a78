/**
 * The engine's one dataset interface (docs/architecture.md, "Datasets and
 * top examples"): images in memory, with labels and named splits, whatever
 * their source (the bundled digits, kernel arrays, .npy/.npz files, a folder
 * of images). Arrays are checked when a dataset is made, with messages that
 * name the problem; batches for a model are made on demand, scaled to its
 * input range and resized to its input size.
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';

/** uint8 pixels (0–255) or float32 values (given to the model as they are). */
export type PixelArray = Uint8Array | Float32Array;

export interface IDataset {
  readonly name: string;
  readonly count: number;
  /** [height, width, channels] of one image. */
  readonly imageShape: readonly [number, number, number];
  /** count × height × width × channels values. */
  readonly pixels: PixelArray;
  /** One label per image, or null. */
  readonly labels: Int32Array | null;
  /** What label i means (a folder's subfolder names); null for numbers. */
  readonly labelNames: readonly string[] | null;
  /** Half-open index ranges of the named splits; always has "all". */
  readonly splits: Readonly<Record<string, readonly [number, number]>>;
  /** Files that could not be read (a folder's corrupt images). */
  readonly skipped: number;
  /** The smallest and largest value (float datasets are shown in this range). */
  readonly range: readonly [number, number];
}

/** A dataset that cannot be used, and why. */
export class DatasetError extends FeatureVizError {}

/** An n-dimensional array as a source hands it over. */
export interface IArray<T> {
  readonly shape: readonly number[];
  readonly data: T;
}

/**
 * A dataset from arrays: images N×H×W (one channel) or N×H×W×C, uint8 or
 * float32, and labels of length N. Refuses an empty set, a wrong rank, labels
 * of the wrong length and non-finite values, naming `name`.
 */
export function arrayDataset(
  name: string,
  images: IArray<PixelArray>,
  labels: IArray<Int32Array> | null,
  extra: { labelNames?: readonly string[] | null; skipped?: number } = {}
): IDataset {
  const { shape, data } = images;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DatasetError(
      `${name}: images must be N×H×W or N×H×W×C (channels last), not of shape [${shape.join(', ')}].`
    );
  }
  const [count, height, width, channels = 1] = shape;
  if (count === 0) {
    throw new DatasetError(`${name} is empty: it holds no images.`);
  }
  if (height === 0 || width === 0 || channels === 0) {
    throw new DatasetError(
      `${name}: images of shape [${shape.join(', ')}] hold no pixels.`
    );
  }
  if (data.length !== count * height * width * channels) {
    throw new DatasetError(
      `${name}: ${data.length} values do not fill ${count} images of ${height}×${width}×${channels}.`
    );
  }
  if (labels) {
    if (labels.shape.length !== 1 || labels.data.length !== count) {
      throw new DatasetError(
        `${name}: labels must be one per image: ${count} images but labels of shape [${labels.shape.join(', ')}].`
      );
    }
  }
  return {
    name,
    count,
    imageShape: [height, width, channels],
    pixels: data,
    labels: labels?.data ?? null,
    labelNames: extra.labelNames ?? null,
    splits: { all: [0, count] },
    skipped: extra.skipped ?? 0,
    range: valueRange(name, data, height * width * channels)
  };
}

/** [min, max] of the values; throws at the first non-finite one. */
function valueRange(
  name: string,
  data: PixelArray,
  perImage: number
): [number, number] {
  if (data instanceof Uint8Array) {
    return [0, 255];
  }
  let [low, high] = [Infinity, -Infinity];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      throw new DatasetError(
        `${name} has ${Number.isNaN(v) ? 'NaN' : 'infinite'} values (the first in image ${Math.floor(i / perImage)}): clean or drop them first.`
      );
    }
    low = v < low ? v : low;
    high = v > high ? v : high;
  }
  return [low, high];
}

/** How a dataset's images are made into a model's input. */
export interface IInputFit {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The model's pixel range: uint8 pixels are scaled into it. */
  readonly inputRange: readonly [number, number];
}

/**
 * How `dataset` fits a model's input: its size (images are resized to it)
 * and channels (which must match).
 */
export function fitTo(
  dataset: IDataset,
  inputShape: IExecutor['inputShape'],
  inputRange: readonly [number, number]
): IInputFit {
  const [, h, w, c] = inputShape;
  const [dh, dw, dc] = dataset.imageShape;
  if (dc !== c) {
    throw new DatasetError(
      `The model takes images with ${c} channel${c === 1 ? '' : 's'}; ${dataset.name} has ${dc} (images of ${dh}×${dw}×${dc}).`
    );
  }
  return { height: h ?? dh, width: w ?? dw, channels: c, inputRange };
}

/**
 * Images `indices` (or the range [start, end)) as the model's input: float32
 * [n, height, width, channels], uint8 pixels scaled to the model's range,
 * resized bilinearly when the sizes differ. Call inside tf.tidy.
 */
export function inputBatch(
  dataset: IDataset,
  which: readonly number[] | readonly [start: number, end: number],
  fit: IInputFit,
  isRange = false
): tf.Tensor4D {
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  let values: PixelArray;
  let n: number;
  if (isRange) {
    const [start, end] = which as readonly [number, number];
    values = dataset.pixels.subarray(start * size, end * size);
    n = end - start;
  } else {
    const indices = which as readonly number[];
    n = indices.length;
    values =
      dataset.pixels instanceof Uint8Array
        ? new Uint8Array(n * size)
        : new Float32Array(n * size);
    indices.forEach((index, i) =>
      values.set(
        dataset.pixels.subarray(index * size, (index + 1) * size),
        i * size
      )
    );
  }
  let batch: tf.Tensor4D;
  if (values instanceof Uint8Array) {
    const [low, high] = fit.inputRange;
    batch = tf.add(
      tf.mul(tf.tensor4d(values, [n, h, w, c], 'int32'), (high - low) / 255),
      low
    ) as tf.Tensor4D;
  } else {
    batch = tf.tensor4d(values, [n, h, w, c]);
  }
  return h === fit.height && w === fit.width
    ? batch
    : tf.image.resizeBilinear(batch, [fit.height, fit.width]);
}

/**
 * The displayed values' range of a model input made by inputBatch: the
 * model's range for pixels, the dataset's own range for float values.
 */
export function displayRange(
  dataset: IDataset,
  fit: IInputFit
): readonly [number, number] {
  return dataset.pixels instanceof Uint8Array ? fit.inputRange : dataset.range;
}

/**
 * Examples' pixels as bytes, in the order given (thumbnails): bytes as they
 * are, float values scaled from the dataset's range to 0–255.
 */
export function exampleBytes(
  dataset: IDataset,
  indices: ArrayLike<number>
): Uint8Array {
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  const out = new Uint8Array(indices.length * size);
  const [low, high] = dataset.range;
  const scale = 255 / Math.max(high - low, 1e-12);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new DatasetError(
        `Example ${i} is not in ${dataset.name}, which has examples 0 to ${dataset.count - 1}.`
      );
    }
    const values = dataset.pixels.subarray(i * size, (i + 1) * size);
    if (values instanceof Uint8Array) {
      out.set(values, k * size);
    } else {
      for (let j = 0; j < size; j++) {
        out[k * size + j] = Math.round((values[j] - low) * scale);
      }
    }
  }
  return out;
}
