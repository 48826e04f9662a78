/**
 * The one input an attribution explains (docs/architecture.md,
 * "Attribution"): example `index` of any dataset the engine's store gives
 * (the bundled digits, kernel arrays, .npy/.npz files and image folders on
 * the server), or an image sent with the job. Pixels (uint8) are scaled to
 * the model's input range; float values are given to the model as they are.
 * A shape the model cannot take is refused with both shapes named.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataRequest, IDataSlice } from '../dataset/store';
import { FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';

/** Where the input comes from, as a job request names it. */
export type ExampleRequest =
  | {
      /** Example `index` of a dataset (counted within its split or limit). */
      readonly source: 'data';
      readonly data: DataRequest;
      readonly index: number;
    }
  | {
      /** An image sent with the job: [height, width, channels] values. */
      readonly source: 'array';
      /** Where it came from, in words ("kernel array"). */
      readonly name: string;
      readonly shape: readonly [number, number, number];
      readonly pixels: Uint8Array | Float32Array;
      readonly label: number | null;
    };

/** The input as the views draw it and the kernel receives it. */
export interface IInputImage {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The model's input values, [height, width, channels]. */
  readonly values: Float32Array;
  /** The range to draw the values in: the model's input range for pixels. */
  readonly range: readonly [number, number];
  readonly label: number | null;
  /** Where it came from: "mnist test #7". */
  readonly name: string;
}

/**
 * Loads a dataset (the engine's store keeps it for the page's life); `shape`
 * is what a folder's images are made into: the model's input.
 */
export type DatasetLoader = (
  request: DataRequest,
  shape: readonly [number, number, number]
) => Promise<IDataSlice>;

interface IExample {
  readonly name: string;
  readonly shape: readonly [number, number, number];
  readonly pixels: Uint8Array | Float32Array;
  readonly label: number | null;
}

async function example(
  request: ExampleRequest,
  shape: readonly [number, number, number],
  load: DatasetLoader
): Promise<IExample> {
  if (request.source === 'array') {
    const [h, w, c] = request.shape;
    if (request.pixels.length !== h * w * c) {
      throw new FeatureVizError(
        `The input holds ${request.pixels.length} values, not the ${h * w * c} of a ${h}×${w}×${c} image.`
      );
    }
    return request;
  }
  const { dataset, range } = await load(request.data, shape);
  const where =
    request.data.source === 'bundled' && request.data.split
      ? `${dataset.name} ${request.data.split}`
      : dataset.name;
  const [start, end] = range;
  const count = end - start;
  if (
    !Number.isInteger(request.index) ||
    request.index < 0 ||
    request.index >= count
  ) {
    throw new FeatureVizError(
      `Example ${request.index} is out of range: ${where} has ${count} examples (0 to ${count - 1}).`
    );
  }
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  const at = start + request.index;
  return {
    name: `${where} #${request.index}`,
    shape: dataset.imageShape,
    pixels: dataset.pixels.slice(at * size, (at + 1) * size),
    label: dataset.labels ? dataset.labels[at] : null
  };
}

/**
 * The input as the model's [1, height, width, channels] tensor (the caller
 * disposes it), and as the views draw it.
 */
export async function loadInput(
  request: ExampleRequest,
  executor: IExecutor,
  inputRange: readonly [number, number],
  load: DatasetLoader
): Promise<{ tensor: tf.Tensor4D; image: IInputImage }> {
  const [, mh, mw, mc] = executor.inputShape;
  const found = await example(request, [mh ?? 0, mw ?? 0, mc], load);
  const [h, w, c] = found.shape;
  if (c !== mc || (mh !== null && h !== mh) || (mw !== null && w !== mw)) {
    throw new FeatureVizError(
      `The input is ${h}×${w}×${c} (height × width × channels) but the model takes ${mh ?? 'any'}×${mw ?? 'any'}×${mc} images.`
    );
  }
  const [low, high] = inputRange;
  const values =
    found.pixels instanceof Uint8Array
      ? Float32Array.from(found.pixels, p => low + (p / 255) * (high - low))
      : Float32Array.from(found.pixels);
  let range: readonly [number, number] = inputRange;
  if (!(found.pixels instanceof Uint8Array)) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (!Number.isFinite(v)) {
        throw new FeatureVizError(
          'The input holds a value that is not a finite number (NaN or infinity).'
        );
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    range = min === max ? [min - 1, max + 1] : [min, max];
  }
  return {
    tensor: tf.tensor4d(values, [1, h, w, c]),
    image: {
      height: h,
      width: w,
      channels: c,
      values,
      range,
      label: found.label,
      name: found.name
    }
  };
}
