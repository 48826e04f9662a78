/**
 * Gradient saliency maps (docs/architecture.md, "Attribution"), each for a
 * batch of inputs [n, h, w, c] and returned as one [n, h, w, c] array:
 *
 * - the gradient of the unit with respect to the input (Simonyan et al.
 *   2014; Captum's Saliency without the absolute value);
 * - SmoothGrad (Smilkov et al. 2017; Captum's NoiseTunnel 'smoothgrad'): the
 *   mean gradient over `samples` noisy copies, the noise's deviation a
 *   fraction of each input's range (max − min), as in the paper;
 * - Integrated Gradients (Sundararajan et al. 2017) with Captum's
 *   'riemann_middle' rule: (x − b) times the mean gradient at
 *   b + (k + ½)/m · (x − b), k < m; the completeness check compares the
 *   attributions' sum with f(x) − f(b);
 * - guided backpropagation and deconvnet: the gradient through an executor
 *   whose ReLUs pass gradients back by another rule (model/ops.ts).
 *
 * Copies of an input go through the model in batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type IExecutor, LayersExecutor } from '../model/executor';
import type { ReluRule } from '../model/ops';
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

async function read(make: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(make);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** How many copies of an input one gradient pass takes. */
function gradientBatch(executor: IExecutor): number {
  // A backward pass holds about as much again as the forward pass.
  return Math.max(1, Math.floor(batchSize(executor) / 2));
}

/** The plain gradient of the unit for each image. */
export function gradient(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D
): Promise<Float32Array> {
  return read(() => unitGradient(executor, unit, x));
}

/**
 * The gradient with the ReLUs' backward pass changed (`rule`): guided
 * backpropagation or deconvnet. It runs an executor of its own over the same
 * model, freed when done.
 */
export async function modifiedGradient(
  model: LayersModel,
  rule: ReluRule,
  unit: IUnit,
  x: tf.Tensor4D
): Promise<Float32Array> {
  const executor = new LayersExecutor(model, { reluRule: rule });
  try {
    return await read(() => unitGradient(executor, unit, x));
  } finally {
    executor.dispose();
  }
}

/** Standard normal deviates, `count` at a time, in a fixed order. */
export type NormalSource = (count: number) => Float32Array;

/** Seeded standard normals: the same noise on every backend. */
export function seededNormals(seed: number): NormalSource {
  const random = createRandom(seed);
  return count => Float32Array.from({ length: count }, () => random.normal());
}

/** Sums weighted gradients at points of one image, in batches. */
async function summedGradient(
  executor: IExecutor,
  unit: IUnit,
  image: tf.Tensor4D,
  count: number,
  /** The points [k, h, w, c] from `first` on, and their weights [k]. */
  points: (first: number, k: number) => { at: tf.Tensor4D; weights: number[] },
  hooks: IMethodHooks,
  progress: (done: number) => void
): Promise<tf.Tensor3D> {
  const pacer = new BatchPacer(gradientBatch(executor));
  let total = tf.tidy(() => tf.zerosLike(tf.squeeze(image, [0])));
  try {
    for (let first = 0; first < count;) {
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
      progress(first);
    }
    return total as tf.Tensor3D;
  } catch (reason) {
    total.dispose();
    throw reason;
  }
}

/** Splits a batch [n, …] into its images, one at a time. */
async function eachImage(
  x: tf.Tensor4D,
  run: (image: tf.Tensor4D, index: number) => Promise<Float32Array>
): Promise<Float32Array> {
  const [n, h, w, c] = x.shape;
  const out = new Float32Array(n * h * w * c);
  for (let i = 0; i < n; i++) {
    const image = tf.slice(x, [i, 0, 0, 0], [1, h, w, c]);
    try {
      out.set(await run(image, i), i * h * w * c);
    } finally {
      image.dispose();
    }
  }
  return out;
}

export interface ISmoothGradOptions {
  /** The noise's standard deviation, as a fraction of the input's range. */
  readonly noise: number;
  readonly samples: number;
  /** The noise (standard normal); seeded per run by the caller. */
  readonly normals: NormalSource;
}

/** SmoothGrad: the mean gradient over noisy copies of each image. */
export function smoothGrad(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D,
  options: ISmoothGradOptions,
  hooks: IMethodHooks = {}
): Promise<Float32Array> {
  const { samples } = options;
  const [n, h, w, c] = x.shape;
  const size = h * w * c;
  return eachImage(x, async (image, i) => {
    const spread = await read(() => tf.sub(tf.max(image), tf.min(image)));
    const sigma = options.noise * spread[0];
    const total = await summedGradient(
      executor,
      unit,
      image,
      samples,
      (_, k) => ({
        at: tf.add(
          image,
          tf.mul(tf.tensor4d(options.normals(k * size), [k, h, w, c]), sigma)
        ) as tf.Tensor4D,
        weights: Array(k).fill(1 / samples)
      }),
      hooks,
      done => hooks.onProgress?.(i * samples + done, n * samples)
    );
    try {
      return await read(() => tf.reshape(total, [-1]));
    } finally {
      total.dispose();
    }
  });
}

export interface IIntegratedGradientsOptions {
  /** m, the number of points on the path. */
  readonly steps: number;
  /** The baseline: every value of the input set to this. */
  readonly baseline: number;
}

/** What Integrated Gradients' completeness says about one image. */
export interface ICompleteness {
  /** The sum of the attributions. */
  readonly sum: number;
  /** f(x) − f(baseline): what the sum should equal. */
  readonly delta: number;
  /** |sum − delta| / |delta| (NaN when delta is 0). */
  readonly error: number;
}

/** Integrated Gradients of each image, with its completeness check. */
export async function integratedGradients(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D,
  options: IIntegratedGradientsOptions,
  hooks: IMethodHooks = {}
): Promise<{ attribution: Float32Array; completeness: ICompleteness[] }> {
  const { steps, baseline } = options;
  const n = x.shape[0];
  const completeness: ICompleteness[] = [];
  const attribution = await eachImage(x, async (image, i) => {
    const difference = tf.tidy(() => tf.sub(image, baseline)) as tf.Tensor4D;
    try {
      const total = await summedGradient(
        executor,
        unit,
        image,
        steps,
        (first, k) => {
          const alphas = Array.from(
            { length: k },
            (_, j) => (first + j + 0.5) / steps
          );
          const a = tf.reshape(tf.tensor1d(alphas), [k, 1, 1, 1]);
          return {
            at: tf.add(tf.mul(difference, a), baseline) as tf.Tensor4D,
            weights: Array(k).fill(1 / steps)
          };
        },
        hooks,
        done => hooks.onProgress?.(i * steps + done, n * steps)
      );
      let attributed: Float32Array;
      try {
        attributed = await read(() =>
          tf.reshape(tf.mul(tf.squeeze(difference, [0]), total), [-1])
        );
      } finally {
        total.dispose();
      }
      const ends = await read(() =>
        unitValues(
          executor,
          unit,
          tf.concat([image, tf.fill(image.shape, baseline)]) as tf.Tensor4D
        )
      );
      let sum = 0;
      for (const v of attributed) {
        sum += v;
      }
      const delta = ends[0] - ends[1];
      completeness.push({
        sum,
        delta,
        error: delta === 0 ? NaN : Math.abs(sum - delta) / Math.abs(delta)
      });
      return attributed;
    } finally {
      difference.dispose();
    }
  });
  return { attribution, completeness };
}
