/**
 * The samples of SmoothGrad and Integrated Gradients (docs/architecture.md,
 * "Attribution"): the weighted sum of the unit's gradients at an image's
 * sample points, in batches, over a range of samples; the points rebuilt
 * from plain data (`SamplePath`) so that a pool share sums its range
 * (`sample-shares.ts`) and the core adds the shares' sums in order.
 */
import * as tf from '@tensorflow/tfjs';
import type { IExecutor } from '../model/executor';
import { createRandom } from '../optvis/rng';
import {
  BatchPacer,
  type IMethodHooks,
  batchSize,
  checkpoint
} from './batching';
import { type IUnit, unitValues } from './unit';

/** d unit / d x for each image of `x`. Call inside `tf.tidy`. */
export function unitGradient(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D
): tf.Tensor4D {
  return tf.grad((t: tf.Tensor) =>
    tf.sum(unitValues(executor, unit, t as tf.Tensor4D))
  )(x) as tf.Tensor4D;
}

/** How many copies of an input one gradient pass takes. */
function gradientBatch(executor: IExecutor): number {
  // A backward pass holds about as much again as the forward pass.
  return Math.max(1, Math.floor(batchSize(executor) / 2));
}

/** Standard normal deviates, `count` at a time, in a fixed order. */
export type NormalSource = (count: number) => Float32Array;

/** Seeded standard normals: the same noise on every backend. */
export function seededNormals(seed: number): NormalSource {
  const random = createRandom(seed);
  return count => Float32Array.from({ length: count }, () => random.normal());
}

/** The points [k, h, w, c] from sample `first` on, and their weights [k]. */
export type SamplePoints = (
  first: number,
  k: number
) => { at: tf.Tensor4D; weights: number[] };

/**
 * Sums weighted gradients at the points of samples [start, end) of one
 * image, in batches (a pool share sums its range: `sample-shares.ts`);
 * `progress` counts the range's samples done.
 */
export async function summedGradient(
  executor: IExecutor,
  unit: IUnit,
  image: tf.Tensor4D,
  range: readonly [number, number],
  points: SamplePoints,
  hooks: IMethodHooks,
  progress: (done: number) => void
): Promise<tf.Tensor3D> {
  const pacer = new BatchPacer(gradientBatch(executor));
  let total = tf.tidy(() => tf.zerosLike(tf.squeeze(image, [0])));
  const [start, count] = range;
  try {
    for (let first = start; first < count;) {
      await checkpoint(hooks.signal);
      const k = pacer.next(count - first);
      const next = tf.tidy(() => {
        const { at, weights } = points(first, k);
        const grads = unitGradient(executor, unit, at);
        const w = tf.reshape(tf.tensor1d(weights), [k, 1, 1, 1]);
        return tf.add(total, tf.sum(tf.mul(grads, w), 0));
      });
      total.dispose();
      total = next;
      // Waiting here keeps the queue of work short and cancellation prompt.
      await total.data();
      pacer.done(k);
      first += k;
      progress(first - start);
    }
    return total as tf.Tensor3D;
  } catch (reason) {
    total.dispose();
    throw reason;
  }
}

/**
 * One image's path of samples, in plain data (a pool share rebuilds its
 * points from it): SmoothGrad's noisy copies or Integrated Gradients' points
 * between the baseline and the image.
 */
export type SamplePath =
  | {
      readonly type: 'smoothgrad';
      readonly samples: number;
      /** The noise's deviation, in input units. */
      readonly sigma: number;
      readonly seed: number;
    }
  | {
      readonly type: 'integrated-gradients';
      readonly steps: number;
      readonly baseline: number;
    };

/**
 * Sums one image's weighted gradients over every sample of `path` (over the
 * engine's pool: `sample-shares.ts`); the caller disposes the sum.
 */
export type SampleSplit = (
  image: tf.Tensor4D,
  path: SamplePath,
  hooks: IMethodHooks,
  progress: (done: number) => void
) => Promise<tf.Tensor3D>;

/** SmoothGrad's points: noisy copies of `image`, the noise read in order. */
export function noisyPoints(
  image: tf.Tensor4D,
  sigma: number,
  samples: number,
  normals: NormalSource
): SamplePoints {
  const [, h, w, c] = image.shape;
  return (_, k) => ({
    at: tf.add(
      image,
      tf.mul(tf.tensor4d(normals(k * h * w * c), [k, h, w, c]), sigma)
    ) as tf.Tensor4D,
    weights: Array(k).fill(1 / samples)
  });
}

/** Integrated Gradients' points b + (k + ½)/m · (x − b). */
export function pathPoints(
  difference: tf.Tensor4D,
  steps: number,
  baseline: number
): SamplePoints {
  return (first, k) => {
    const alphas = Array.from(
      { length: k },
      (_, j) => (first + j + 0.5) / steps
    );
    const a = tf.reshape(tf.tensor1d(alphas), [k, 1, 1, 1]);
    return {
      at: tf.add(tf.mul(difference, a), baseline) as tf.Tensor4D,
      weights: Array(k).fill(1 / steps)
    };
  };
}

/**
 * The weighted gradient sum over samples [start, end) of `path` (a pool
 * share's part): SmoothGrad's seeded noise is drawn from the path's first
 * sample, so each sample gets the noise it gets on one worker.
 */
export async function sampleRangeSum(
  executor: IExecutor,
  unit: IUnit,
  image: tf.Tensor4D,
  path: SamplePath,
  range: readonly [number, number],
  hooks: IMethodHooks,
  progress: (done: number) => void
): Promise<tf.Tensor3D> {
  // Integrated Gradients' points are made from x − b, freed at the end.
  let difference: tf.Tensor4D | null = null;
  try {
    let points: SamplePoints;
    if (path.type === 'smoothgrad') {
      const normals = seededNormals(path.seed);
      const [, h, w, c] = image.shape;
      normals(range[0] * h * w * c); // the noise of the samples before
      points = noisyPoints(image, path.sigma, path.samples, normals);
    } else {
      const b = path.baseline;
      difference = tf.tidy(() => tf.sub(image, b)) as tf.Tensor4D;
      points = pathPoints(difference, path.steps, b);
    }
    return await summedGradient(
      executor,
      unit,
      image,
      range,
      points,
      hooks,
      progress
    );
  } finally {
    difference?.dispose();
  }
}

/** What one image's sum of samples runs with. */
export interface ISampleRun {
  readonly executor: IExecutor;
  readonly unit: IUnit;
  readonly image: tf.Tensor4D;
  readonly hooks: IMethodHooks;
  readonly progress: (done: number) => void;
}

/** All of `path`'s samples of one image: over the pool (`split`), or here. */
export function sumSamples(
  run: ISampleRun,
  path: SamplePath,
  points: SamplePoints,
  split?: SampleSplit
): Promise<tf.Tensor3D> {
  const { executor, unit, image, hooks, progress } = run;
  const count = path.type === 'smoothgrad' ? path.samples : path.steps;
  return split
    ? split(image, path, hooks, progress)
    : summedGradient(
        executor,
        unit,
        image,
        [0, count],
        points,
        hooks,
        progress
      );
}
