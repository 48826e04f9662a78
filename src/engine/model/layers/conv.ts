/**
 * Convolution layers (Conv2D, DepthwiseConv2D, SeparableConv2D), each as one
 * fused, input-differentiable op. Conv2D and SeparableConv2D compute only the
 * output channels asked for, with sliced kernels: an objective on one
 * channel of a 64-channel layer does 1/64 of that layer's work, and a batched
 * atlas one channel per image (docs/architecture.md, "Memory and speed").
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dToInput, depthwiseToInput } from '../conv-ops';
import { type FusedActivation, type IConvOptions, sumLastAxis } from '../ops';
import { activationOf } from './activations';
import { checkBatch, slices } from './channels';
import {
  type Applier,
  type ILayerContext,
  type LayerFamily,
  pair
} from './context';

/**
 * For each image i, channel channels[i] of conv(x, kernel) + bias, as
 * [B, H', W', 1]: the work of one channel per image. The batch becomes the
 * channels of one image, and a depthwise convolution with each image's
 * filter, summed over input channels, is that image's channel. 1×1 kernels
 * are a weighted sum of the input's channels.
 */
function convToInputPerImage(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  channels: readonly number[],
  options: IConvOptions
): tf.Tensor4D {
  checkBatch(x, channels);
  const [batch, h, w, inner] = x.shape;
  const [kh, kw] = kernel.shape;
  const filters = slices(kernel, channels, 3); // [kh, kw, inner, B]
  let y: tf.Tensor4D;
  if (
    kh === 1 &&
    kw === 1 &&
    options.strides[0] === 1 &&
    options.strides[1] === 1
  ) {
    const weights = tf.reshape(
      tf.transpose(tf.reshape(filters, [inner, batch])),
      [batch, 1, 1, inner]
    );
    y = tf.sum(tf.mul(x, weights), 3, true) as tf.Tensor4D;
  } else {
    const stacked = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [
      1,
      h,
      w,
      batch * inner
    ]) as tf.Tensor4D;
    const depthwise = tf.reshape(tf.transpose(filters, [0, 1, 3, 2]), [
      kh,
      kw,
      batch * inner,
      1
    ]) as tf.Tensor4D;
    const z = depthwiseToInput(stacked, depthwise, null, options);
    const [, ho, wo] = z.shape;
    const perImage = sumLastAxis(tf.reshape(z, [ho, wo, batch, inner]));
    y = tf.reshape(tf.transpose(perImage, [2, 0, 1]), [batch, ho, wo, 1]);
  }
  return bias
    ? (tf.add(
        y,
        tf.reshape(slices(bias, channels, 0), [batch, 1, 1, 1])
      ) as tf.Tensor4D)
    : y;
}

/** What every convolution of a layer shares: options and its activation. */
function convolutionParts(context: ILayerContext) {
  const { config } = context;
  const padding = config.padding;
  if (padding !== 'valid' && padding !== 'same') {
    context.unsupported(`padding "${String(padding)}" is not supported`);
  }
  const name = config.activation ?? 'linear';
  // A fused ReLU has the standard derivative: other rules apply it apart.
  const fused: FusedActivation =
    name === 'relu6' || (name === 'relu' && context.reluRule === 'standard')
      ? name
      : 'linear';
  const activation = activationOf(context);
  const options = (
    strides: [number, number],
    act: FusedActivation
  ): IConvOptions => ({
    strides,
    padding: padding as 'valid' | 'same',
    dilations: pair(config.dilationRate, 1),
    activation: act,
    strategy: context.strategy
  });
  return {
    options,
    strides: pair(config.strides, 1),
    fused,
    activation,
    /** The activation, where the convolution did not fuse it. */
    after: (y: tf.Tensor): tf.Tensor => (fused === name ? y : activation(y)),
    bias: (index: number): tf.Tensor1D | null =>
      config.useBias !== false
        ? ((context.weights[index] as tf.Tensor1D | undefined) ?? null)
        : null
  };
}

type ConvolutionParts = ReturnType<typeof convolutionParts>;

type Convolve = (
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  options: IConvOptions
) => tf.Tensor;

/**
 * A full convolution (a Conv2D, or a separable's pointwise stage) that
 * computes the selected channels, one channel per image, or all of them.
 */
function fullConvolution(
  context: ILayerContext,
  { activation, after }: ConvolutionParts
): Convolve {
  const selection = context.selection;
  const channels = selection?.channels;
  if (channels && selection.perImage) {
    return (x, kernel, bias, options) =>
      activation(
        convToInputPerImage(x, kernel, bias, channels, {
          ...options,
          activation: 'linear'
        })
      );
  }
  // Output-channel slices are taken per call: nothing is kept per choice.
  const pick = <T extends tf.Tensor>(t: T): T =>
    channels ? slices(t, channels, t.rank - 1) : t;
  return (x, kernel, bias, options) =>
    after(conv2dToInput(x, pick(kernel), bias ? pick(bias) : null, options));
}

function buildConv2D(context: ILayerContext): Applier {
  const parts = convolutionParts(context);
  const { options, strides, fused, bias } = parts;
  const convolve = fullConvolution(context, parts);
  const kernel = context.weights[0] as tf.Tensor4D;
  const opts = options(strides, fused);
  const b = bias(1);
  return ([x]) => convolve(x as tf.Tensor4D, kernel, b, opts);
}

function buildDepthwise(context: ILayerContext): Applier {
  const { options, strides, fused, after, bias } = convolutionParts(context);
  const kernel = context.weights[0] as tf.Tensor4D;
  const opts = options(strides, fused);
  const b = bias(1);
  return ([x]) => after(depthwiseToInput(x as tf.Tensor4D, kernel, b, opts));
}

/** Depthwise (no bias, no activation), then pointwise. */
function buildSeparable(context: ILayerContext): Applier {
  const parts = convolutionParts(context);
  const { options, strides, fused, bias } = parts;
  const convolve = fullConvolution(context, parts);
  const depthwise = context.weights[0] as tf.Tensor4D;
  const pointwise = context.weights[1] as tf.Tensor4D;
  const b = bias(2);
  const depthOpts = options(strides, 'linear');
  const pointOpts: IConvOptions = {
    ...options([1, 1], fused),
    padding: 'valid',
    dilations: [1, 1]
  };
  return ([x]) =>
    convolve(
      depthwiseToInput(x as tf.Tensor4D, depthwise, null, depthOpts),
      pointwise,
      b,
      pointOpts
    );
}

export const CONV_LAYERS: LayerFamily = {
  Conv2D: {
    build: buildConv2D,
    selects: true,
    fold: { kernelIndex: 0, scaleKernel: (k, a) => tf.mul(k, a) }
  },
  DepthwiseConv2D: {
    build: buildDepthwise,
    fold: {
      kernelIndex: 0,
      // Output channel c·multiplier + q comes from kernel[:, :, c, q].
      scaleKernel: (k, a) =>
        tf.mul(k, tf.reshape(a, (k as tf.Tensor4D).shape.slice(2)))
    }
  },
  SeparableConv2D: {
    build: buildSeparable,
    selects: true,
    fold: { kernelIndex: 1, scaleKernel: (k, a) => tf.mul(k, a) }
  }
};
