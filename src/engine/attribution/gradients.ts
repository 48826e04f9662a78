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
import type { IMethodHooks } from './batching';
import {
  type NormalSource,
  type SampleSplit,
  noisyPoints,
  pathPoints,
  sumSamples,
  unitGradient
} from './samples';
import { type IUnit, unitValues } from './unit';

export {
  type NormalSource,
  type SamplePath,
  type SampleSplit,
  seededNormals,
  unitGradient
} from './samples';

async function read(make: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(make);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
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
  /**
   * The seed `normals` come from (`seededNormals`), so that the engine's
   * pool can draw the same noise; without it the samples run here.
   */
  readonly seed?: number;
}

/** SmoothGrad: the mean gradient over noisy copies of each image. */
export function smoothGrad(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D,
  options: ISmoothGradOptions,
  hooks: IMethodHooks = {},
  split?: SampleSplit
): Promise<Float32Array> {
  const { samples, seed } = options;
  const n = x.shape[0];
  return eachImage(x, async (image, i) => {
    const spread = await read(() => tf.sub(tf.max(image), tf.min(image)));
    const sigma = options.noise * spread[0];
    const progress = (done: number) =>
      hooks.onProgress?.(i * samples + done, n * samples);
    // Split over the pool only for one image: later images read on in the
    // noise the first one drew here.
    const total = await sumSamples(
      { executor, unit, image, hooks, progress },
      { type: 'smoothgrad', samples, sigma, seed: seed ?? 0 },
      noisyPoints(image, sigma, samples, options.normals),
      // Over the pool only for one image with a seed: later images read on
      // in the noise the first one drew here.
      seed !== undefined && n === 1 ? split : undefined
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
  hooks: IMethodHooks = {},
  split?: SampleSplit
): Promise<{ attribution: Float32Array; completeness: ICompleteness[] }> {
  const { steps, baseline } = options;
  const n = x.shape[0];
  const completeness: ICompleteness[] = [];
  const attribution = await eachImage(x, async (image, i) => {
    const difference = tf.tidy(() => tf.sub(image, baseline)) as tf.Tensor4D;
    try {
      const progress = (done: number) =>
        hooks.onProgress?.(i * steps + done, n * steps);
      const total = await sumSamples(
        { executor, unit, image, hooks, progress },
        { type: 'integrated-gradients', steps, baseline },
        pathPoints(difference, steps, baseline),
        split
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
