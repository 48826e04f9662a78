/**
 * Core layers: Dense (which can compute some of its units alone), Activation,
 * the reshaping layers, and layers that are the identity at inference.
 */
import * as tf from '@tensorflow/tfjs';
import { matMulToInput } from '../ops';
import { activationOf } from './activations';
import { checkBatch, slices } from './channels';
import type { ILayerContext, LayerFamily } from './context';

/** For each image i, unit channels[i] of a dense layer (kernelT: [units, in]). */
function denseToInputPerImage(
  x: tf.Tensor,
  kernelT: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  channels: readonly number[]
): tf.Tensor {
  checkBatch(x, channels);
  const batch = channels.length;
  const inner = x.shape[x.rank - 1] as number;
  const rows = tf.reshape(slices(kernelT, channels, 0), [batch, 1, inner]);
  const flat = tf.reshape(x, [batch, -1, inner]);
  let y = tf.sum(tf.mul(flat, rows), 2, true); // [B, M, 1]
  if (bias) {
    y = tf.add(y, tf.reshape(slices(bias, channels, 0), [batch, 1, 1]));
  }
  return tf.reshape(y, [...x.shape.slice(0, -1), 1]);
}

function buildDense(context: ILayerContext) {
  const { config, weights, selection } = context;
  const activation = activationOf(context);
  const kernel = weights[0] as tf.Tensor2D;
  // Kept for the gradient: see matMulToInput.
  const kernelT = context.keep('kernelT', () => tf.transpose(kernel));
  const bias = config.useBias === false ? null : (weights[1] as tf.Tensor1D);
  const channels = selection?.channels;
  if (channels && selection.perImage) {
    return ([x]: tf.Tensor[]) =>
      activation(denseToInputPerImage(x, kernelT, bias, channels));
  }
  return ([x]: tf.Tensor[]) => {
    // Slices are taken per call: nothing is kept per channel choice.
    const k = channels ? slices(kernel, channels, 1) : kernel;
    const kT = channels ? slices(kernelT, channels, 0) : kernelT;
    const b = bias && channels ? slices(bias, channels, 0) : bias;
    const inner = x.shape[x.rank - 1] as number;
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inner]);
    let y: tf.Tensor = matMulToInput(flat as tf.Tensor2D, k, kT);
    if (b) {
      y = tf.add(y, b);
    }
    if (x.rank !== 2) {
      y = tf.reshape(y, [...x.shape.slice(0, -1), k.shape[1] as number]);
    }
    return activation(y);
  };
}

/** Layers that pass their input through at inference (noise, dropout). */
const IDENTITY = [
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'Masking'
];

export const CORE_LAYERS: LayerFamily = {
  Dense: { build: buildDense, selects: true },
  Activation: {
    build: context => {
      const activation = activationOf(context);
      return ([x]) => activation(x);
    }
  },
  Flatten: {
    build:
      () =>
      ([x]) =>
        tf.reshape(x, [x.shape[0], -1])
  },
  Reshape: {
    build: ({ config }) => {
      const target = config.targetShape as number[];
      return ([x]) => tf.reshape(x, [x.shape[0], ...target]);
    }
  },
  Permute: {
    build: ({ config }) => {
      const dims = config.dims as number[];
      return ([x]) => tf.transpose(x, [0, ...dims]);
    }
  },
  ...Object.fromEntries(
    IDENTITY.map(className => [
      className,
      {
        build:
          () =>
          ([x]: tf.Tensor[]) =>
            x
      }
    ])
  )
};
