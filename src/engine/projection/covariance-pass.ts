/**
 * The covariance pass of exact PCA (docs/architecture.md, "PCA"): the d×d
 * covariance of a narrow layer's rows, summed on the device batch by batch
 * (`covarianceSums`, which a pool share runs over its examples) and
 * finished once from the summed scatter and the batches' moments
 * (`finishCovariance`, which the core runs after summing the shares').
 */
import * as tf from '@tensorflow/tfjs';
import {
  type IBatchMoments,
  type IMoments,
  type IStream,
  batchMoments,
  eachBatch
} from './passes';

/**
 * Each batch's own centred scatter summed on the device (d×d; the caller
 * disposes it), with the batches' moments: the covariance's first part.
 */
export async function covarianceSums(
  stream: IStream,
  width: number
): Promise<{ within: tf.Tensor2D; batches: IBatchMoments[] }> {
  const batches: IBatchMoments[] = [];
  let within: tf.Tensor2D = tf.zeros([width, width]);
  try {
    await eachBatch(stream, async (x, first) => {
      const [next, sums] = tf.tidy(() => {
        const centred = tf.sub(x, tf.mean(x, 0));
        const out = tf.add(within, tf.matMul(tf.transpose(centred), centred));
        stream.onPeak?.(tf.memory());
        return [out as tf.Tensor2D, tf.sum(x, 0)];
      });
      within.dispose();
      within = next;
      try {
        batches.push(await batchMoments(stream, x, sums, first));
      } finally {
        sums.dispose();
      }
    });
  } catch (error) {
    within.dispose();
    throw error;
  }
  return { within, batches };
}

/**
 * The covariance (d×d, on the device; the caller disposes it) and the mean
 * from the summed within-batch scatter (freed here) and the batches'
 * moments: the scatter of the batch means about the mean is added (the same
 * decomposition as Chan's update).
 */
export function finishCovariance(
  within: tf.Tensor2D,
  batches: readonly IBatchMoments[],
  width: number
): { covariance: tf.Tensor2D; moments: IMoments } {
  try {
    const count = batches.reduce((n, b) => n + b.size, 0);
    let scatter = batches.reduce((sum, b) => sum + b.spread, 0);
    const mean = new Float64Array(width);
    batches.forEach(b =>
      b.mean.forEach((v, j) => (mean[j] += (v * b.size) / count))
    );
    // Between batches: Σ_b n_b (m_b − μ)(m_b − μ)ᵀ, from B×d rows.
    const between = new Float32Array(batches.length * width);
    batches.forEach((b, i) => {
      const w = Math.sqrt(b.size);
      for (let j = 0; j < width; j++) {
        const offset = b.mean[j] - mean[j];
        between[i * width + j] = w * offset;
        scatter += w * w * offset * offset;
      }
    });
    const covariance = tf.tidy(() => {
      const rows = tf.tensor2d(between, [batches.length, width]);
      const total = tf.add(within, tf.matMul(tf.transpose(rows), rows));
      return tf.div(total, Math.max(count - 1, 1)) as tf.Tensor2D;
    });
    return {
      covariance,
      moments: {
        count,
        mean,
        scatter,
        batchMeans: batches.map(b => b.mean),
        batchSizes: batches.map(b => b.size)
      }
    };
  } finally {
    within.dispose();
  }
}

/** The covariance matrix of the rows (d×d, on the device) with the mean. */
export async function covariancePass(
  stream: IStream,
  width: number
): Promise<{ covariance: tf.Tensor2D; moments: IMoments }> {
  const { within, batches } = await covarianceSums(stream, width);
  return finishCovariance(within, batches, width);
}
