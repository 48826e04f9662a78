/**
 * Parameterizations: free variables and the function that makes an image of
 * them (Lucent's param/spatial.py shape). Images are [batch, H, W, C] in [0, 1].
 */
import * as tf from '@tensorflow/tfjs';
import { type IRandom, normalArray } from '../rng';
import { decorrelate, decorrelationMatrix, recorrelate } from './color';
import {
  InverseDft,
  halfWidth,
  realSpectrum,
  spectrumScale,
  spectrumScaleValues
} from './fourier';

export type ParamKind = 'pixel' | 'fourier';

export interface IParamOptions {
  readonly kind: ParamKind;
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Optimize 3-channel images in a decorrelated colour space. */
  readonly decorrelate: boolean;
  /** Standard deviation of the initial values (Lucid: 0.01). */
  readonly sd?: number;
  /**
   * 'sigmoid' (default) keeps pixels in (0, 1); 'none' leaves them free
   * (Lucid's sigmoid=False), for objectives that bound the image themselves.
   */
  readonly squash?: 'sigmoid' | 'none';
  readonly random: IRandom;
  /**
   * The image to start from: batch × height × width × channels values in
   * [0, 1]. Random values of standard deviation `sd` when omitted (Lucid's
   * start: mid-grey after the sigmoid).
   */
  readonly start?: Float32Array | null;
  /**
   * These images are [part.start, part.start + batch) of a batch of
   * `part.of` (a share of a layer atlas): the random start is drawn for the
   * whole batch and this slice kept, so each image starts as in the whole
   * run.
   */
  readonly part?: IBatchPart;
}

/** Images [start, start + batch) of a batch of `of`. */
export interface IBatchPart {
  readonly start: number;
  readonly of: number;
}

export interface IParam {
  /** The variables the optimizer updates: these and nothing else. */
  readonly variables: readonly tf.Variable[];
  /** The images, differentiable with respect to `variables`. */
  image(): tf.Tensor4D;
  /** The images the variables would give if they held `values` (same shape). */
  imageFrom(values: tf.Tensor): tf.Tensor4D;
  dispose(): void;
}

let counter = 0;

/** A sigmoid never reaches 0 or 1: starts are kept this far inside. */
const START_MARGIN = 0.02;

/** Lucid divides the Fourier image by 4 (folded into the width matrix). */
const FOURIER_POST = 1 / 4;

/**
 * The values before the squash (and the colour decorrelation) that give the
 * image `start`.
 */
function unsquash(
  start: Float32Array,
  options: IParamOptions,
  decorrelated: boolean
): Float32Array {
  let t = start;
  if (options.squash !== 'none') {
    t = start.map(v => {
      const p = Math.min(1 - START_MARGIN, Math.max(START_MARGIN, v));
      return Math.log(p / (1 - p));
    });
  }
  return decorrelated ? recorrelate(t) : t;
}

function variable(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape);
  // Unique names: tfjs refuses two live variables with the same name.
  const v = tf.variable(initial, true, `featureviz_param_${counter++}`);
  // The variable shares the data; the initial tensor object is ours to free.
  initial.dispose();
  return v;
}

export function createParam(options: IParamOptions): IParam {
  const { batch, height, width, channels } = options;
  const sd = options.sd ?? 0.01;
  const decorrelation =
    options.decorrelate && channels === 3 ? decorrelationMatrix() : null;
  const owned: tf.Tensor[] = decorrelation ? [decorrelation] : [];
  const toValidImage = (t: tf.Tensor4D, m: tf.Tensor2D | null): tf.Tensor4D =>
    options.squash === 'none'
      ? decorrelate(t, m)
      : tf.sigmoid(decorrelate(t, m));

  if (options.kind === 'pixel') {
    const shape = [batch, height, width, channels];
    const v = variable(
      options.start
        ? unsquash(options.start, options, decorrelation !== null)
        : randomStart(options, height * width * channels, 1, sd),
      shape
    );
    const imageFrom = (values: tf.Tensor): tf.Tensor4D =>
      toValidImage(values as tf.Tensor4D, decorrelation);
    return {
      variables: [v],
      image: () => imageFrom(v),
      imageFrom,
      dispose: () => {
        v.dispose();
        owned.forEach(t => t.dispose());
      }
    };
  }

  const columns = batch * channels * halfWidth(width);
  const v = variable(
    options.start
      ? fourierStart(
          options,
          unsquash(options.start, options, decorrelation !== null)
        )
      : randomStart(options, channels * halfWidth(width), 2 * height, sd),
    [2 * height, columns]
  );
  const scale = spectrumScale(height, width, batch, channels);
  const dft = new InverseDft(height, width, FOURIER_POST);
  owned.push(scale);
  const imageFrom = (values: tf.Tensor): tf.Tensor4D =>
    toValidImage(
      dft.apply(tf.mul(values, scale) as tf.Tensor2D, batch, channels),
      decorrelation
    );
  return {
    variables: [v],
    image: () => imageFrom(v),
    imageFrom,
    dispose: () => {
      v.dispose();
      dft.dispose();
      owned.forEach(t => t.dispose());
    }
  };
}

/**
 * The random start of a variable laid out as `rows` rows of `batch` images'
 * `perImage` values each (a pixel batch is one row, a spectrum 2H rows),
 * drawn for the whole batch of a part and cut to the part's images.
 */
function randomStart(
  options: IParamOptions,
  perImage: number,
  rows: number,
  sd: number
): Float32Array {
  const { batch, random } = options;
  const { start, of } = options.part ?? { start: 0, of: batch };
  const whole = normalArray(random, rows * of * perImage, sd);
  if (of === batch) {
    return whole;
  }
  const out = new Float32Array(rows * batch * perImage);
  for (let row = 0; row < rows; row++) {
    const from = (row * of + start) * perImage;
    out.set(
      whole.subarray(from, from + batch * perImage),
      row * batch * perImage
    );
  }
  return out;
}

/** The spectrum variable whose image (before the squash) is `t`. */
function fourierStart(options: IParamOptions, t: Float32Array): Float32Array {
  const { batch, height, width, channels } = options;
  const spectrum = realSpectrum(t, batch, height, width, channels);
  const scale = spectrumScaleValues(height, width, batch, channels);
  return spectrum.map((value, i) => value / FOURIER_POST / scale[i]);
}
