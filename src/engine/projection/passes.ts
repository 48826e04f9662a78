/**
 * The streaming passes of PCA (docs/architecture.md, "PCA"): the model run
 * over a dataset up to one layer, batch by batch, each batch's activations
 * flattened to rows of X and folded into small running results: the product
 * X·Z with a thin d×l matrix here, Y = X·Z and XᵀY in one pass in
 * `gram-pass.ts`, the d×d covariance in `covariance-pass.ts`. The layer is
 * recomputed on every pass; activations are never stored (10,000 × 21,632
 * floats would be 865 MB). Cancel is checked between batches, and every
 * tensor is freed however a pass ends.
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError, FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';
import { nextTick } from '../tick';
import { type IDataset, type IInputFit, inputBatch } from '../dataset/dataset';
import { type IMatrix, matrix } from './linalg';

/** What every pass reads: the layer's activations over a dataset's range. */
export interface IStream {
  readonly executor: IExecutor;
  readonly dataset: IDataset;
  /** The examples [start, end) of the dataset. */
  readonly range: readonly [number, number];
  readonly fit: IInputFit;
  readonly layer: string;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** After each batch: examples done in this pass. */
  readonly onBatch?: (done: number) => void;
  /** Inside each batch, at its peak (benchmarks and tests read it). */
  readonly onPeak?: (memory: tf.MemoryInfo) => void;
}

/** Values per example at the stream's layer (its activation, flattened). */
export function layerWidth(executor: IExecutor, layer: string): number {
  const shape = executor.outputShape(layer);
  return shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
}

/**
 * Runs `step` on every batch's activations [b, d] (made inside a tidy; `step`
 * keeps what it returns alive itself), checking Cancel between batches.
 */
export async function eachBatch(
  stream: IStream,
  step: (x: tf.Tensor2D, first: number) => Promise<void>
): Promise<void> {
  const { executor, dataset, fit, signal } = stream;
  const [start, end] = stream.range;
  for (let first = start; first < end; first += stream.batchSize) {
    if (signal?.aborted) {
      throw new CancelledError();
    }
    const last = Math.min(end, first + stream.batchSize);
    const x = tf.tidy(() => {
      const input = inputBatch(dataset, [first, last], fit, true);
      const [activation] = executor.forward(input, [{ layer: stream.layer }]);
      return tf.reshape(activation, [last - first, -1]) as tf.Tensor2D;
    });
    try {
      await step(x, first - start);
    } finally {
      x.dispose();
    }
    stream.onBatch?.(last - start);
    // Lets Cancel and other messages through.
    await nextTick();
  }
  if (signal?.aborted) {
    throw new CancelledError();
  }
}

/** The mean and the spread of the rows of X, and optionally X·Z. */
export interface IMoments {
  readonly count: number;
  /** The mean row (d). */
  readonly mean: Float64Array;
  /** Σ‖xᵢ − μ‖²: the total variance times (n − 1). */
  readonly scatter: number;
  /** The means of the batches, and their sizes (for the covariance). */
  readonly batchMeans: readonly Float64Array[];
  readonly batchSizes: readonly number[];
}

/** One batch's mean row, size and own scatter Σ‖xᵢ − m_b‖². */
export interface IBatchMoments {
  readonly mean: Float64Array;
  readonly size: number;
  readonly spread: number;
}

/**
 * The mean and total scatter of the batches in order, merged with Chan's
 * pairwise update (no Σx² − nμ² cancellation). A pass split over the pool
 * folds its shares' batches here in the single pass's order: the same sums.
 */
export function foldMoments(
  batches: readonly IBatchMoments[],
  width: number
): IMoments {
  const mean = new Float64Array(width);
  let scatter = 0;
  let seen = 0;
  for (const { mean: batchMean, size: b, spread } of batches) {
    // Merging a batch moves the scatter by the squared distance between
    // the means, weighted.
    let distance = 0;
    for (let j = 0; j < width; j++) {
      distance += (batchMean[j] - mean[j]) ** 2;
    }
    scatter += spread + ((seen * b) / (seen + b)) * distance;
    for (let j = 0; j < width; j++) {
      mean[j] += ((batchMean[j] - mean[j]) * b) / (seen + b);
    }
    seen += b;
  }
  return {
    count: seen,
    mean,
    scatter,
    batchMeans: batches.map(b => b.mean),
    batchSizes: batches.map(b => b.size)
  };
}

/** X·Z (n×l, uncentred) for a thin Z (d×l): one pass. */
export async function productPass(
  stream: IStream,
  z: IMatrix
): Promise<IMatrix> {
  const count = stream.range[1] - stream.range[0];
  const product = matrix(count, z.cols);
  const zTensor = tf.tensor2d(Float32Array.from(z.data), [z.rows, z.cols]);
  try {
    await eachBatch(stream, async (x, first) => {
      const xz = tf.tidy(() => {
        const out = tf.matMul(x, zTensor);
        stream.onPeak?.(tf.memory());
        return out;
      });
      try {
        product.data.set(await xz.data(), first * product.cols);
      } finally {
        xz.dispose();
      }
    });
  } finally {
    zTensor.dispose();
  }
  return product;
}

/** A non-finite activation makes the projection meaningless: say where. */
export function checkFinite(
  batchMean: Float64Array,
  stream: IStream,
  first: number
): void {
  if (batchMean.some(v => !Number.isFinite(v))) {
    const start = stream.range[0] + first;
    throw new FeatureVizError(
      `Layer "${stream.layer}" gives non-finite values for the examples from ${start} on: the model or the examples have non-finite values.`
    );
  }
}

/**
 * A batch's mean (from its column sums) and own scatter (the Gram and the
 * covariance passes' moments), made once the pass's own temporaries are
 * freed so that one b×d temporary at a time joins X. The scatter is summed
 * on the device in short runs (`runOf`) and the runs' sums in float64: one
 * float32 sum of all b·d squares (5.5 M at conv2d) drifted by 0.3 % of the
 * total variance, sums of whole rows (21,632) by 6e-6.
 */
export async function batchMoments(
  stream: IStream,
  x: tf.Tensor2D,
  sums: tf.Tensor,
  first: number
): Promise<IBatchMoments> {
  const b = x.shape[0];
  const mean = Float64Array.from(await sums.data(), v => v / b);
  checkFinite(mean, stream, first);
  const runs = tf.tidy(() =>
    tf.sum(
      tf.reshape(tf.squaredDifference(x, tf.div(sums, b)), [
        -1,
        runOf(x.shape[1])
      ]),
      1
    )
  );
  try {
    let spread = 0;
    for (const v of await runs.data()) {
      spread += v;
    }
    return { mean, size: b, spread };
  } finally {
    runs.dispose();
  }
}

/** The shortest run of at least 64 values that divides a row (or the row). */
export function runOf(width: number): number {
  for (let run = 64; run <= Math.min(width, 4096); run++) {
    if (width % run === 0) {
      return run;
    }
  }
  return width;
}
