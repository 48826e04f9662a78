/**
 * The randomized solver's one kind of pass (docs/architecture.md, "PCA"):
 * both products of a power iteration in one pass over the data. Each batch
 * X_b (b×d) gives Y_b = X_b·Z − 1cᵀ (b×l) and adds X_bᵀ·Y_b (d×l) to a sum
 * kept on the device, so a pass returns the rows of Y and G = Σ X_bᵀY_b: one
 * application of X and one of Xᵀ for the cost of one forward pass, where
 * separate passes for X·Z and Xᵀ·Q recomputed the layer for each.
 *
 * The centring c: with the mean μ known (every pass after the first),
 * c = μᵀZ, so Y = (X − 1μᵀ)Z and the caller finishes (X − 1μᵀ)ᵀY from G by
 * subtracting μ(1ᵀY). On the first pass μ is not yet known: each batch is
 * centred by its own mean (c = the column means of X_b·Z), which makes G the
 * sum of the batches' own centred scatters times Z, and the batches' moments
 * are collected so that the caller adds the scatter of the batch means about
 * μ (`firstGram`): the same decomposition as Chan's update.
 */
import * as tf from '@tensorflow/tfjs';
import { type IMatrix, columnSums, matrix } from './linalg';
import {
  type IBatchMoments,
  type IMoments,
  type IStream,
  batchMoments,
  eachBatch
} from './passes';

/** What a Gram pass returns over its stream's rows (or a share's). */
export interface IGramSums {
  /** Y (n×l): X·Z less the centring, row by row. */
  readonly rows: IMatrix;
  /** G = Σ X_bᵀY_b (d×l, summed in float32 on the device). */
  readonly gram: IMatrix;
  /** The batches' moments: on the first pass only (`centre` null). */
  readonly batches: IBatchMoments[] | null;
}

/**
 * One Gram pass: Y and Σ X_bᵀY_b for a thin Z (d×l), centred by `centre`
 * (μᵀZ, length l) or, when null, each batch by its own mean (and then the
 * batches' moments are collected too).
 *
 * Xᵀ·Y is Xᵀ made once (d×b) times Y: on WASM, Yᵀ·X repacks the big X as
 * the product's weights every batch (1.4 s a pass at conv2d against 1.0 s
 * for the transpose and product) and matMul(transposeA) is 4.3 s. The
 * column sums are a row reduction of Xᵀ for the same reason (a reduction
 * over axis 0 transposes internally: 0.66 s a pass against 0.16 s).
 */
export async function gramPass(
  stream: IStream,
  z: IMatrix,
  centre: Float64Array | null
): Promise<IGramSums> {
  const count = stream.range[1] - stream.range[0];
  const { rows: width, cols: l } = z;
  const rows = matrix(count, l);
  const batches: IBatchMoments[] | null = centre ? null : [];
  const zTensor = tf.tensor2d(Float32Array.from(z.data), [width, l]);
  const shift = centre ? tf.tensor1d(Float32Array.from(centre)) : null;
  let sum: tf.Tensor2D = tf.zeros([width, l]);
  try {
    await eachBatch(stream, async (x, first) => {
      const [next, y, sums]: tf.Tensor[] = tf.tidy(() => {
        const xz = tf.matMul(x, zTensor);
        const y = tf.sub(xz, shift ?? tf.mean(xz, 0));
        const xt = tf.transpose(x);
        const out = tf.add(sum, tf.matMul(xt, y));
        stream.onPeak?.(tf.memory());
        return shift ? [out, y] : [out, y, tf.sum(xt, 1)];
      });
      sum.dispose();
      sum = next as tf.Tensor2D;
      try {
        // Reading Y back each batch also keeps the device's queue short.
        rows.data.set(await y.data(), first * l);
        if (batches && sums) {
          batches.push(await batchMoments(stream, x, sums, first));
        }
      } finally {
        y.dispose();
        sums?.dispose();
      }
    });
    const gram = matrix(width, l, Float64Array.from(await sum.data()));
    return { rows, gram, batches };
  } finally {
    sum.dispose();
    zTensor.dispose();
    shift?.dispose();
  }
}

/**
 * (X − 1μᵀ)ᵀ(X − 1μᵀ)Z from the first pass's G (the batches' own centred
 * scatters times Z) and the batches' moments: adds Σ_b b(m_b − μ)(m_b − μ)ᵀZ,
 * the scatter of the batch means about the mean, in float64.
 */
export function firstGram(
  gram: IMatrix,
  moments: IMoments,
  z: IMatrix
): IMatrix {
  const { mean, batchMeans, batchSizes } = moments;
  const width = mean.length;
  const l = z.cols;
  const out = matrix(width, l, Float64Array.from(gram.data));
  const offset = new Float64Array(width);
  const projected = new Float64Array(l);
  batchMeans.forEach((batchMean, i) => {
    projected.fill(0);
    for (let j = 0; j < width; j++) {
      offset[j] = batchMean[j] - mean[j];
      for (let c = 0; c < l; c++) {
        projected[c] += offset[j] * z.data[j * l + c];
      }
    }
    const b = batchSizes[i];
    for (let j = 0; j < width; j++) {
      for (let c = 0; c < l; c++) {
        out.data[j * l + c] += b * offset[j] * projected[c];
      }
    }
  });
  return out;
}

/**
 * (X − 1μᵀ)ᵀY from a later pass's G = XᵀY with Y centred by μᵀZ: subtracts
 * μ(1ᵀY), in float64 (1ᵀY is zero but for rounding).
 */
export function centredGram(
  gram: IMatrix,
  mean: Float64Array,
  rows: IMatrix
): IMatrix {
  const width = mean.length;
  const l = rows.cols;
  const out = matrix(width, l, Float64Array.from(gram.data));
  const sums = columnSums(rows);
  for (let j = 0; j < width; j++) {
    for (let c = 0; c < l; c++) {
      out.data[j * l + c] -= mean[j] * sums[c];
    }
  }
  return out;
}
