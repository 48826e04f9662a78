/**
 * Colour handling of 3-channel images, after Lucid's param/color.py
 * (Apache-2.0): optimize in a decorrelated colour space, then squash to [0, 1].
 */
import * as tf from '@tensorflow/tfjs';

/** The square root of ImageNet's colour correlation matrix (Lucid's values). */
const COLOR_CORRELATION_SVD_SQRT = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03]
];

function maxColumnNorm(m: number[][]): number {
  let best = 0;
  for (let j = 0; j < 3; j++) {
    best = Math.max(best, Math.hypot(m[0][j], m[1][j], m[2][j]));
  }
  return best;
}

/** The 3×3 matrix t ↦ t·Mᵀ that maps decorrelated to RGB colours, as rows. */
function decorrelationRows(): number[][] {
  const norm = maxColumnNorm(COLOR_CORRELATION_SVD_SQRT);
  return [0, 1, 2].map(j =>
    [0, 1, 2].map(i => COLOR_CORRELATION_SVD_SQRT[i][j] / norm)
  );
}

/** The 3×3 matrix t ↦ t·Mᵀ that maps decorrelated to RGB colours. */
export function decorrelationMatrix(): tf.Tensor2D {
  return tf.tensor2d(decorrelationRows());
}

/** The inverse of a 3×3 matrix (by cofactors). */
function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]
  ];
}

/**
 * RGB colours (the last axis of `values`, 3 channels) back to decorrelated
 * ones: what `decorrelate` maps to these colours.
 */
export function recorrelate(values: Float32Array): Float32Array {
  const inverse = invert3(decorrelationRows());
  const out = new Float32Array(values.length);
  for (let p = 0; p < values.length; p += 3) {
    for (let j = 0; j < 3; j++) {
      out[p + j] =
        values[p] * inverse[0][j] +
        values[p + 1] * inverse[1][j] +
        values[p + 2] * inverse[2][j];
    }
  }
  return out;
}

/** Maps decorrelated colours to RGB (3-channel images only). */
export function decorrelate(
  t: tf.Tensor4D,
  decorrelation: tf.Tensor2D | null
): tf.Tensor4D {
  if (!decorrelation || t.shape[3] !== 3) {
    return t;
  }
  const flat = tf.reshape(t, [-1, 3]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(flat, decorrelation), t.shape) as tf.Tensor4D;
}

/**
 * Lucid's to_valid_rgb with sigmoid: decorrelate (3 channels only), then map
 * to [0, 1] with a sigmoid.
 */
export function toValidImage(
  t: tf.Tensor4D,
  decorrelation: tf.Tensor2D | null
): tf.Tensor4D {
  return tf.sigmoid(decorrelate(t, decorrelation));
}
