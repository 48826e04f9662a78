/**
 * Channel selections: some output channels of an activation, or one channel
 * per image, taken differentiably on every backend; and slices of weights for
 * layers that compute only the channels asked for (docs/architecture.md,
 * "The executor").
 */
import * as tf from '@tensorflow/tfjs';
import type { IActivationRef } from '../activation-ref';

/**
 * Some slices of a weight along an axis, as a tensor with its own buffer.
 * The WASM backend keeps one shape per buffer, and gather's result shares a
 * buffer with a 4-D reshape, so a gathered bias reaches FusedConv2D as "rank
 * 4"; the product by 1 gives it a buffer of its own.
 */
export function slices<T extends tf.Tensor>(
  t: T,
  channels: readonly number[],
  axis: number
): T {
  return tf.mul(tf.gather(t, channels as number[], axis), 1) as T;
}

/**
 * Some channels (last axis) of an activation, differentiably on every
 * backend: gather's gradient needs UnsortedSegmentSum, which WASM lacks, so
 * runs of consecutive channels are sliced and concatenated.
 */
export function pickChannels(
  y: tf.Tensor,
  channels: readonly number[]
): tf.Tensor {
  const axis = y.rank - 1;
  const runs: [number, number][] = [];
  for (const c of channels) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === c) {
      last[1] += 1;
    } else {
      runs.push([c, 1]);
    }
  }
  const parts = runs.map(([start, size]) => {
    const begin = y.shape.map((_, i) => (i === axis ? start : 0));
    const sizes = y.shape.map((_, i) => (i === axis ? size : -1));
    return tf.slice(y, begin, sizes);
  });
  return parts.length === 1 ? parts[0] : tf.concat(parts, axis);
}

/** Throws unless the batch has one image per channel. */
export function checkBatch(x: tf.Tensor, channels: readonly number[]): void {
  if (x.shape[0] !== channels.length) {
    throw new RangeError(
      `One channel per image needs a batch of ${channels.length}, not ${x.shape[0]}.`
    );
  }
}

/**
 * A [batch, width] mask with a 1 at (i, channels[i]), built in JS: the WASM
 * backend's OneHot returns zeros for float32 output.
 */
export function perImageMask(
  channels: readonly number[],
  width: number,
  batch = channels.length
): Float32Array {
  const mask = new Float32Array(batch * width);
  channels.forEach((c, i) => (mask[i * width + c] = 1));
  return mask;
}

/** channels[i] of image i from a whole activation, as [..., 1]. */
export function pickChannelPerImage(
  y: tf.Tensor,
  channels: readonly number[]
): tf.Tensor {
  checkBatch(y, channels);
  const width = y.shape[y.rank - 1] as number;
  const mask = perImageMask(channels, width);
  const shape = y.shape.map((d, i) =>
    i === 0 ? channels.length : i === y.rank - 1 ? width : 1
  );
  return tf.sum(tf.mul(y, tf.tensor(mask, shape)), -1, true);
}

/** What `ref` selects from `whole`, the activation of its whole layer. */
export function pickSelection(
  whole: tf.Tensor,
  ref: IActivationRef
): tf.Tensor {
  if (!ref.channels) {
    return whole;
  }
  return ref.perImage
    ? pickChannelPerImage(whole, ref.channels)
    : pickChannels(whole, ref.channels);
}
