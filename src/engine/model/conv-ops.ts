/**
 * Convolutions whose gradient reaches the input only (docs/architecture.md,
 * "TensorFlow.js facts"). On WASM there is no DepthwiseConv2dNativeBackpropInput
 * kernel, and Conv2DBackpropInput measured 10.3 ms where the same product as a
 * forward convolution (XNNPACK) took 1.1 ms (26×26×32 → 64 channels); fused
 * convolutions always compute the filter gradient too (Conv2DBackpropFilter,
 * absent on WASM, a third pass). So each layer is one tape node (a fused
 * forward) whose gradient is dL/dx alone: TensorFlow.js's kernel ('native'),
 * or a forward convolution of the zero-stuffed, padded upstream gradient with
 * the flipped filter ('forward-conv'), from ops every backend has.
 */
import * as tf from '@tensorflow/tfjs';
import { type FusedActivation, type IConvOptions, activationGrad } from './ops';

/** Padding before the first row/column, as TensorFlow computes it. */
export function padBefore(
  inSize: number,
  outSize: number,
  stride: number,
  effectiveKernel: number,
  padding: 'valid' | 'same'
): number {
  if (padding === 'valid') {
    return 0;
  }
  const total = Math.max((outSize - 1) * stride + effectiveKernel - inSize, 0);
  return Math.floor(total / 2);
}

/** Inserts (stride - 1) zeros between the rows and columns of dy. */
function zeroStuff(
  dy: tf.Tensor4D,
  strides: readonly [number, number]
): tf.Tensor4D {
  return [1, 2].reduce((out, axis) => {
    const s = strides[axis - 1];
    if (s === 1) {
      return out;
    }
    // Each row (column) gets a block of s - 1 zeros after it, on a new axis.
    const shape = out.shape;
    const split = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)];
    const zeros = split.map((_, i): [number, number] => [
      0,
      i === axis + 1 ? s - 1 : 0
    ]);
    const joined = shape.map((d, i) => (i === axis ? d * s : d));
    const trimmed = shape.map((d, i) => (i === axis ? (d - 1) * s + 1 : d));
    return tf.slice(
      tf.reshape(tf.pad(tf.reshape(out, split), zeros), joined),
      0,
      trimmed
    ) as tf.Tensor4D;
  }, dy);
}

/**
 * Pads (or crops) the zero-stuffed gradient so that a VALID correlation with
 * the flipped kernel yields exactly the input's size.
 */
function padForTranspose(
  stuffed: tf.Tensor4D,
  inShape: readonly [number, number],
  outShape: readonly [number, number],
  kernel: readonly [number, number],
  options: IConvOptions
): tf.Tensor4D {
  const pads: [number, number][] = [0, 1].map(axis => {
    const effective = (kernel[axis] - 1) * options.dilations[axis] + 1;
    const before = padBefore(
      inShape[axis],
      outShape[axis],
      options.strides[axis],
      effective,
      options.padding
    );
    const left = effective - 1 - before;
    const length = stuffed.shape[axis + 1];
    const right = inShape[axis] + effective - 1 - length - left;
    return [left, right];
  }) as [number, number][];
  // Negative padding (a stride that skipped trailing input rows) is a crop.
  const crop = pads.map(([l, r]) => [Math.max(-l, 0), Math.max(-r, 0)]);
  let out = stuffed;
  if (crop.some(([l, r]) => l > 0 || r > 0)) {
    out = tf.slice(
      out,
      [0, crop[0][0], crop[1][0], 0],
      [
        out.shape[0],
        out.shape[1] - crop[0][0] - crop[0][1],
        out.shape[2] - crop[1][0] - crop[1][1],
        out.shape[3]
      ]
    );
  }
  const positive = pads.map(([l, r]) => [Math.max(l, 0), Math.max(r, 0)]);
  if (positive.every(([l, r]) => l === 0 && r === 0)) {
    return out;
  }
  return tf.pad(out, [[0, 0], positive[0], positive[1], [0, 0]] as [
    number,
    number
  ][]);
}

/** What both fused convolutions take (tfjs's configs differ in `pad`). */
interface IFusedConfig {
  readonly x: tf.Tensor4D;
  readonly filter: tf.Tensor4D;
  readonly strides: [number, number];
  readonly pad: 'valid' | 'same';
  readonly dilations: [number, number];
  readonly bias?: tf.Tensor1D;
  readonly activation: FusedActivation;
}

/**
 * What differs between a convolution and a depthwise convolution; the rest
 * of the input-gradient logic (the strategy choice, the zero-stuffed and
 * padded upstream gradient) is shared by convToInput and inputGrad below.
 */
interface IConvKind {
  /** The fused forward op. */
  forward(config: IFusedConfig): tf.Tensor4D;
  /** dL/dx with TensorFlow.js's own kernel. */
  nativeInputGrad(
    dy: tf.Tensor4D,
    filter: tf.Tensor4D,
    inShape: readonly [number, number, number, number],
    options: IConvOptions
  ): tf.Tensor4D;
  /** A VALID correlation of the padded gradient with the flipped filter. */
  correlateFlipped(
    padded: tf.Tensor4D,
    filter: tf.Tensor4D,
    options: IConvOptions
  ): tf.Tensor4D;
}

const CONV2D: IConvKind = {
  forward: config => tf.fused.conv2d(config) as tf.Tensor4D,
  nativeInputGrad: (dy, filter, inShape, options) =>
    tf.conv2dTranspose(
      dy,
      filter,
      inShape as [number, number, number, number],
      options.strides as [number, number],
      options.padding
    ),
  correlateFlipped: (padded, filter, options) => {
    const [kh, kw] = filter.shape;
    // A 1×1 kernel is its own flip.
    const flipped = tf.transpose(
      kh === 1 && kw === 1 ? filter : tf.reverse(filter, [0, 1]),
      [0, 1, 3, 2]
    ) as tf.Tensor4D;
    return tf.conv2d(
      padded,
      flipped,
      1,
      'valid',
      'NHWC',
      options.dilations as [number, number]
    );
  }
};

const DEPTHWISE: IConvKind = {
  forward: config => tf.fused.depthwiseConv2d(config) as tf.Tensor4D,
  // The kernel behind depthwiseConv2d's registered gradient (not on WASM).
  nativeInputGrad: (dy, filter, inShape, options) =>
    tf.engine().runKernel(
      'DepthwiseConv2dNativeBackpropInput',
      { dy, filter },
      {
        strides: options.strides as [number, number],
        dilations: [1, 1],
        pad: options.padding,
        inputShape: inShape as [number, number, number, number]
      }
    ) as tf.Tensor4D,
  correlateFlipped: (padded, filter, options) => {
    const [kh, kw, channels, multiplier] = filter.shape;
    // Channel k = c * multiplier + q of dy correlates with filter[:, :, c, q].
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [
      kh,
      kw,
      channels * multiplier,
      1
    ]) as tf.Tensor4D;
    const perChannel = tf.depthwiseConv2d(
      padded,
      flipped,
      1,
      'valid',
      'NHWC',
      options.dilations as [number, number]
    );
    if (multiplier === 1) {
      return perChannel;
    }
    const [n, h, w] = perChannel.shape;
    return tf.sum(tf.reshape(perChannel, [n, h, w, channels, multiplier]), 4);
  }
};

/**
 * dL/dx of a convolution given dL/dy: TensorFlow.js's kernel ('native', which
 * has no dilation), or a forward correlation of the zero-stuffed, padded dy
 * with the flipped filter ('forward-conv').
 */
function inputGrad(
  kind: IConvKind,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inShape: readonly [number, number, number, number],
  options: IConvOptions
): tf.Tensor4D {
  const dilated = options.dilations[0] > 1 || options.dilations[1] > 1;
  if (options.strategy === 'native' && !dilated) {
    return kind.nativeInputGrad(dy, filter, inShape, options);
  }
  const padded = padForTranspose(
    zeroStuff(dy, options.strides),
    [inShape[1], inShape[2]],
    [dy.shape[1], dy.shape[2]],
    [filter.shape[0], filter.shape[1]],
    options
  );
  return kind.correlateFlipped(padded, filter, options);
}

/**
 * A fused convolution (conv2d or depthwise) + bias + activation as one tape
 * node whose gradient reaches x only.
 */
function convToInput(
  kind: IConvKind,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  options: IConvOptions
): tf.Tensor4D {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    const y = kind.forward({
      x: input,
      filter,
      strides: options.strides as [number, number],
      pad: options.padding,
      dilations: options.dilations as [number, number],
      bias: bias ?? undefined,
      activation: options.activation
    });
    // The filter may be a per-call slice: saving keeps it alive until
    // backprop, after the forward pass's tidy has disposed the original.
    save([y, filter]);
    const inShape = input.shape as [number, number, number, number];
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const pre = activationGrad(
          dy as tf.Tensor4D,
          saved[0] as tf.Tensor4D,
          options.activation
        );
        return inputGrad(kind, pre, saved[1] as tf.Tensor4D, inShape, options);
      }
    };
  });
  return forward(x) as tf.Tensor4D;
}

/**
 * conv2d(x, filter) + bias, then the activation, differentiable with respect
 * to x only. `filter` and `bias` are constants (the model's weights).
 */
export function conv2dToInput(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  options: IConvOptions
): tf.Tensor4D {
  return convToInput(CONV2D, x, filter, bias, options);
}

/**
 * depthwiseConv2d(x, filter) + bias, then the activation, differentiable with
 * respect to x only. On WASM this is the only way to get that gradient.
 */
export function depthwiseToInput(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  options: IConvOptions
): tf.Tensor4D {
  return convToInput(DEPTHWISE, x, filter, bias, options);
}
