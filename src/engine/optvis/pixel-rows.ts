/**
 * Crops, joins and pads of image batches ([B, H, W, C]) done on views whose
 * last axis holds whole rows of pixels. tfjs-wasm copies a 4-D slice (and
 * each part of a split, concat's gradient) one pixel at a time, a JS
 * subarray each: on a batch of 32 grey 32×32 images that is 32,768 copies
 * and as many allocations, about a fifth of an atlas step, and garbage that
 * slows every other engine worker's thread too. On a 2-D or 3-D view the
 * same slice copies a row at a time. The reshapes move no data, so values
 * and gradients are exactly those of tf.slice, tf.concat and tf.pad.
 */
import * as tf from '@tensorflow/tfjs';

type Axis = 1 | 2;

/** The pixels [top, top + height) × [left, left + width) of every image. */
export function cropPixels(
  image: tf.Tensor4D,
  top: number,
  left: number,
  height: number,
  width: number
): tf.Tensor4D {
  const [b, h, w, c] = image.shape;
  if (left === 0 && width === w) {
    // Whole rows: one run per image.
    const flat = tf.reshape(image, [b, h * w * c]);
    const cut = tf.slice(flat, [0, top * w * c], [b, height * w * c]);
    return tf.reshape(cut, [b, height, w, c]);
  }
  const rows = tf.reshape(image, [b, h, w * c]);
  const cut = tf.slice(rows, [0, top, left * c], [b, height, width * c]);
  return tf.reshape(cut, [b, height, width, c]);
}

/**
 * The view of a batch in which `axis` (height or width) and everything
 * after it form the last axis: [runs, size along axis · inner].
 */
function runsAlong(shape: readonly number[], axis: Axis): [number, number] {
  const [b, h, w, c] = shape;
  return axis === 1 ? [b, w * c] : [b * h, c];
}

/** Images joined along height (1) or width (2), as tf.concat(parts, axis). */
export function joinPixels(
  parts: readonly tf.Tensor4D[],
  axis: Axis
): tf.Tensor4D {
  const [b, h, w, c] = parts[0].shape;
  const [runs, inner] = runsAlong(parts[0].shape, axis);
  const joined = tf.concat(
    parts.map(part => tf.reshape(part, [runs, part.shape[axis] * inner])),
    1
  );
  const total = parts.reduce((sum, part) => sum + part.shape[axis], 0);
  return tf.reshape(
    joined,
    axis === 1 ? [b, total, w, c] : [b, h, total, c]
  ) as tf.Tensor4D;
}

/** Images padded by `pixels` on every side with `value`, as tf.pad. */
export function padPixels(
  image: tf.Tensor4D,
  pixels: number,
  value: number
): tf.Tensor4D {
  const [b, h, w, c] = image.shape;
  const rows = tf.reshape(image, [b, h, w * c]);
  const padded = tf.pad(
    rows,
    [
      [0, 0],
      [pixels, pixels],
      [pixels * c, pixels * c]
    ],
    value
  );
  return tf.reshape(padded, [b, h + 2 * pixels, w + 2 * pixels, c]);
}
