/**
 * The leading eigenpairs of the exact solver's covariance (docs/
 * architecture.md, "PCA"): the d×d matrix stays on the device; subspace
 * iteration multiplies it by a thin d×l block (tfjs), the small Rayleigh–Ritz
 * problem is solved in script (`linalg.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type IMatrix,
  gaussian,
  matrix,
  multiply,
  multiplyTransposed,
  orthonormalizeColumns,
  symmetricEigen,
  takeColumns
} from './linalg';

/**
 * The k leading eigenpairs of a symmetric d×d matrix on the device: subspace
 * iteration with k + p columns and Rayleigh–Ritz, until each wanted pair's
 * residual ‖Cv − λv‖ is below 1e-6·λ₁ (float32 products allow no less).
 */
export async function leadingEigen(
  c: tf.Tensor2D,
  k: number,
  /** Columns iterated (k plus oversampling), at most d. */
  columns: number,
  seed: number
): Promise<{ vectors: IMatrix; values: Float64Array }> {
  const d = c.shape[0];
  const l = Math.min(columns, d);
  let v = orthonormalizeColumns(gaussian(d, l, seed));
  for (let iteration = 0; ; iteration++) {
    const w = await timesMatrix(c, v);
    const ritz = symmetricEigen(multiplyTransposed(v, w));
    const vectors = multiply(v, ritz.vectors);
    const images = multiply(w, ritz.vectors);
    const top = Math.max(Math.abs(ritz.values[0]), 1e-30);
    let worst = 0;
    for (let col = 0; col < k; col++) {
      let residual = 0;
      for (let j = 0; j < d; j++) {
        residual +=
          (images.data[j * l + col] -
            ritz.values[col] * vectors.data[j * l + col]) **
          2;
      }
      worst = Math.max(worst, Math.sqrt(residual) / top);
    }
    if (worst < 1e-6 || l === d || iteration >= 500) {
      return {
        vectors: takeColumns(vectors, k),
        values: Float64Array.from(ritz.values.subarray(0, k), x =>
          Math.max(x, 0)
        )
      };
    }
    v = orthonormalizeColumns(images);
  }
}

/** C·V for the device's C and a thin V. */
async function timesMatrix(c: tf.Tensor2D, v: IMatrix): Promise<IMatrix> {
  const product = tf.tidy(() =>
    tf.matMul(c, tf.tensor2d(Float32Array.from(v.data), [v.rows, v.cols]))
  );
  try {
    return matrix(v.rows, v.cols, Float64Array.from(await product.data()));
  } finally {
    product.dispose();
  }
}
