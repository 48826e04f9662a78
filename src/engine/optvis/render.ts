/**
 * The render loop (Lucid's render_vis; docs/architecture.md, "Objectives and
 * the render loop"): optimize the parameterization so that the objective
 * grows, and yield frames as it goes.
 *
 * Gradients are taken with respect to the parameterization's variables only:
 * `minimize` without a var list would differentiate and update every trainable
 * variable, the model's weights included.
 */
import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../../spec/types.generated';
import { CancelledError, withGradientCheck } from '../errors';
import type { IExecutor } from '../model/executor';
import { nextTick } from '../tick';
import { type Objective, readActivations } from './objective';
import type { IParam } from './param';
import { type IRandom, createRandom } from './rng';
import { TapeGuard } from './tape';
import { fitTo } from './resample';
import { type ITransform, applyTransforms } from './transforms';

/** The spec's optimizer with its learning rate resolved. */
export type OptimizerConfig = Readonly<Required<Optimizer>>;

export interface IRenderOptions {
  readonly executor: IExecutor;
  readonly objective: Objective;
  readonly param: IParam;
  readonly transforms: readonly ITransform[];
  /** The pixel range the model expects; images are made in [0, 1]. */
  readonly inputRange?: readonly [number, number];
  readonly optimizer: OptimizerConfig;
  readonly steps: number;
  /** Seeds the transforms' random draws. */
  readonly seed: number;
  /** Emit a frame every this many steps (and after the last). */
  readonly frameEvery?: number;
  /** Also emit frames after these steps. */
  readonly thresholds?: readonly number[];
  readonly signal?: AbortSignal;
}

/**
 * One frame of a run: what the engine yields, what crosses to the page (its
 * buffers transferred) and what the views draw.
 */
export interface IFrame {
  /** Steps done when the image was taken (0: the initial image). */
  readonly step: number;
  /** Steps the run will take in all. */
  readonly steps: number;
  /** The objective at the last step (NaN for the initial frame). */
  readonly value: number;
  /** Each image's share of the objective. */
  readonly perImage: Float32Array;
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  /** batch × height × width × 4 bytes, RGBA. */
  readonly rgba: Uint8ClampedArray;
  readonly elapsedMs: number;
}

function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  // Lucid uses Adam with TensorFlow's defaults (ε = 1e-8).
  return config.type === 'sgd'
    ? tf.train.sgd(config.lr)
    : tf.train.adam(config.lr, 0.9, 0.999, 1e-8);
}

/** Images in [0, 1] → RGBA bytes (grey images are repeated over R, G and B). */
export async function toRgba(images: tf.Tensor4D): Promise<Uint8ClampedArray> {
  const [b, h, w, c] = images.shape;
  const bytes = tf.tidy(() => {
    const rgb =
      c === 1
        ? tf.tile(images, [1, 1, 1, 3])
        : c === 3
          ? images
          : tf.slice(images, [0, 0, 0, 0], [-1, -1, -1, Math.min(c, 3)]);
    const padded =
      rgb.shape[3] === 3
        ? rgb
        : tf.tile(tf.slice(rgb, [0, 0, 0, 0], [-1, -1, -1, 1]), [1, 1, 1, 3]);
    const alpha = tf.ones([b, h, w, 1]);
    return tf.cast(
      tf.round(
        tf.mul(tf.clipByValue(tf.concat([padded, alpha], 3), 0, 1), 255)
      ),
      'int32'
    );
  });
  try {
    return Uint8ClampedArray.from(await bytes.data());
  } finally {
    bytes.dispose();
  }
}

function wantsFrame(step: number, options: IRenderOptions): boolean {
  const every =
    options.frameEvery ?? Math.max(1, Math.round(options.steps / 64));
  return (
    step === options.steps ||
    step % every === 0 ||
    (options.thresholds ?? []).includes(step)
  );
}

/**
 * Runs gradient ascent and yields frames. Returns (as the generator's value)
 * the last frame. Throws CancelledError within one step of an abort; frees
 * its optimizer in every case (the caller owns executor and param).
 */
export async function* renderVis(
  options: IRenderOptions
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor, objective, param, signal } = options;
  const random: IRandom = createRandom(options.seed);
  const optimizer = makeOptimizer(options.optimizer);
  const [lo, hi] = options.inputRange ?? [0, 1];
  const [, modelH, modelW] = executor.inputShape;
  const started = Date.now();
  let batch = 0;
  let height = 0;
  let width = 0;

  const frame = async (
    step: number,
    value: number,
    perImage: Float32Array
  ): Promise<IFrame> => {
    // A clone: an unsquashed pixel image is the variable itself.
    const images = tf.tidy(() => tf.clone(param.image()));
    [batch, height, width] = images.shape;
    try {
      return {
        step,
        steps: options.steps,
        value,
        perImage,
        batch,
        height,
        width,
        rgba: await toRgba(images),
        elapsedMs: Date.now() - started
      };
    } finally {
      images.dispose();
    }
  };

  interface IKeep {
    readonly want: boolean;
    perImage: tf.Tensor1D | null;
  }
  const guard = new TapeGuard();
  const loss = (keep: IKeep) => (): tf.Scalar =>
    guard.result(
      tf.tidy(() => {
        guard.note();
        const image = param.image();
        let x = applyTransforms(image, options.transforms, random);
        if (modelH !== null && modelW !== null) {
          x = fitTo(x, modelH, modelW);
        }
        if (lo !== 0 || hi !== 1) {
          x = tf.add(tf.mul(x, hi - lo), lo) as tf.Tensor4D;
        }
        const acts = readActivations(executor, x, image, objective.refs);
        const perImage = objective.perImage(acts, image.shape[0]);
        if (keep.want) {
          keep.perImage = tf.keep(tf.clone(perImage));
        }
        return tf.neg(tf.sum(perImage)) as tf.Scalar;
      })
    );

  try {
    let last = await frame(0, NaN, new Float32Array(0));
    yield last;
    for (let step = 1; step <= options.steps; step++) {
      if (signal?.aborted) {
        throw new CancelledError();
      }
      const framing = wantsFrame(step, options);
      // Only frames read values back: a read stalls a GPU pipeline.
      const keep: IKeep = { want: framing, perImage: null };
      let cost: tf.Scalar | null;
      try {
        // An op without a gradient (a graph model's) becomes a typed error.
        cost = withGradientCheck(() =>
          optimizer.minimize(
            loss(keep),
            framing,
            param.variables as tf.Variable[]
          )
        );
        guard.clear();
      } catch (reason) {
        guard.release();
        keep.perImage?.dispose();
        throw reason;
      }
      if (framing) {
        const kept = keep.perImage as tf.Tensor1D | null;
        try {
          const value = -(await (cost as tf.Scalar).data())[0];
          const perImage = kept
            ? ((await kept.data()) as Float32Array)
            : new Float32Array(0);
          last = await frame(step, value, Float32Array.from(perImage));
        } finally {
          cost?.dispose();
          kept?.dispose();
        }
        yield last;
      } else {
        cost?.dispose();
      }
      await nextTick();
    }
    return last;
  } finally {
    optimizer.dispose();
  }
}
