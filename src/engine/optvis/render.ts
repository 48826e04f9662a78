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
import type { IBox } from '../model/receptive-field';
import { nextTick } from '../tick';
import { checkFrame, firstNonFiniteLayer } from './finite';
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
  /** Subtracted from the objective while optimizing, left out of the values reported. */
  readonly penalty?: Objective | null;
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
  /** Frames show this box of the image only (a receptive field). */
  readonly crop?: IBox | null;
  /** What the run does, said on every frame. */
  readonly caption?: string;
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
  /** The objective at the image shown (without random transforms). */
  readonly value: number;
  /** Each image's share of the objective. */
  readonly perImage: Float32Array;
  /** What the run does (the recipe the engine chose), for people. */
  readonly caption?: string;
  /** Short notes on single images, on the last frame (e.g. "weak"). */
  readonly notes?: readonly (string | null)[];
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
  return (await toCheckedRgba(images)).rgba;
}

/**
 * RGBA bytes and whether every pixel was a finite number, in one read (a
 * NaN pixel would otherwise become a black one).
 */
async function toCheckedRgba(
  images: tf.Tensor4D
): Promise<{ rgba: Uint8ClampedArray; finite: boolean }> {
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
    const rgba = tf.cast(
      tf.round(
        tf.mul(tf.clipByValue(tf.concat([padded, alpha], 3), 0, 1), 255)
      ),
      'int32'
    );
    // One more value after the pixels: how many are not finite.
    const bad = tf.cast(
      tf.sum(tf.cast(tf.logicalNot(tf.isFinite(images)), 'int32')),
      'int32'
    );
    return tf.concat([tf.reshape(rgba, [-1]), tf.reshape(bad, [1])]);
  });
  try {
    const data = await bytes.data();
    const n = data.length - 1;
    return {
      rgba: Uint8ClampedArray.from(data.subarray(0, n)),
      finite: data[n] === 0
    };
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

/** Images in [0, 1] as the model takes them: its size and pixel range. */
export function toModelInput(
  executor: IExecutor,
  image: tf.Tensor4D,
  inputRange: readonly [number, number] = [0, 1]
): tf.Tensor4D {
  const [, modelH, modelW] = executor.inputShape;
  const [lo, hi] = inputRange;
  let x = image;
  if (modelH !== null && modelW !== null) {
    x = fitTo(x, modelH, modelW);
  }
  if (lo !== 0 || hi !== 1) {
    x = tf.add(tf.mul(x, hi - lo), lo) as tf.Tensor4D;
  }
  return x;
}

/**
 * Runs gradient ascent and yields frames. Returns (as the generator's value)
 * the last frame. Throws CancelledError within one step of an abort; frees
 * its optimizer in every case (the caller owns executor and param).
 *
 * A frame's value is the objective at the very image it shows, evaluated
 * after the update without random transforms; the optimizer's own loss is
 * computed before its update, on a transformed image, so it belongs to
 * neither.
 */
export async function* renderVis(
  options: IRenderOptions
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor, objective, param, signal } = options;
  const penalty = options.penalty ?? null;
  const random: IRandom = createRandom(options.seed);
  const optimizer = makeOptimizer(options.optimizer);
  const toModel = (image: tf.Tensor4D) =>
    toModelInput(executor, image, options.inputRange);
  const started = Date.now();

  /** Each image's objective at the current image. */
  const evaluate = async (): Promise<Float32Array> => {
    const perImage = tf.tidy(() => {
      const image = param.image();
      return objective.perImage(
        readActivations(executor, toModel(image), image, objective.refs),
        image.shape[0]
      );
    });
    try {
      return Float32Array.from(await perImage.data());
    } finally {
      perImage.dispose();
    }
  };

  const frame = async (step: number): Promise<IFrame> => {
    const perImage = await evaluate();
    const box = options.crop;
    // A copy (an unsquashed pixel image is the variable itself), cut to the
    // box a zoomed run shows.
    const images = tf.tidy(() => {
      const image = param.image();
      return box
        ? (tf.slice(
            image,
            [0, box.top, box.left, 0],
            [-1, box.bottom - box.top + 1, box.right - box.left + 1, -1]
          ) as tf.Tensor4D)
        : tf.clone(image);
    });
    const [batch, height, width] = images.shape;
    try {
      const { rgba, finite } = await toCheckedRgba(images);
      // A frame that is not finite is never shown (docs/architecture.md,
      // "Memory and speed"): the run fails naming the layer.
      await checkFrame(step, perImage, finite, () => {
        const input = tf.tidy(() => toModel(param.image()));
        return firstNonFiniteLayer(executor, input).finally(() =>
          input.dispose()
        );
      });
      return {
        step,
        steps: options.steps,
        value: perImage.reduce((a, b) => a + b, 0),
        perImage,
        caption: options.caption,
        batch,
        height,
        width,
        rgba,
        elapsedMs: Date.now() - started
      };
    } finally {
      images.dispose();
    }
  };

  const guard = new TapeGuard();
  const refs = penalty ? [...objective.refs, ...penalty.refs] : objective.refs;
  const loss = (): tf.Scalar =>
    guard.result(
      tf.tidy(() => {
        guard.note();
        const image = param.image();
        const x = toModel(applyTransforms(image, options.transforms, random));
        const acts = readActivations(executor, x, image, refs);
        const size = image.shape[0];
        const gain = objective.perImage(acts, size);
        const net = penalty ? tf.sub(gain, penalty.perImage(acts, size)) : gain;
        return tf.neg(tf.sum(net)) as tf.Scalar;
      })
    );

  try {
    let last = await frame(0);
    yield last;
    for (let step = 1; step <= options.steps; step++) {
      if (signal?.aborted) {
        throw new CancelledError();
      }
      try {
        // An op without a gradient (a graph model's) becomes a typed error.
        withGradientCheck(() =>
          optimizer.minimize(loss, false, param.variables as tf.Variable[])
        );
        guard.clear();
      } catch (reason) {
        guard.release();
        throw reason;
      }
      // Only frames read values back: a read stalls a GPU pipeline.
      if (wantsFrame(step, options)) {
        last = await frame(step);
        yield last;
      }
      await nextTick();
    }
    return last;
  } finally {
    optimizer.dispose();
  }
}
