/**
 * Convolutions and matrix products whose gradient reaches the input only.
 * TensorFlow.js's own
 * gradients are unusable or slow for optimization on some backends:
 * - the WASM backend has no DepthwiseConv2dNativeBackpropInput kernel, and its
 *   Conv2DBackpropInput measured 10.3 ms where the same product written as a
 *   forward convolution (XNNPACK) took 1.1 ms (26×26×32 → 64 channels);
 * - fused convolutions always compute the filter gradient, which needs
 *   Conv2DBackpropFilter (absent on WASM) and costs a third pass.
 * These wrappers record one tape node per layer (a fused forward), and compute
 * only dL/dx: either with TensorFlow.js's kernel ('native') or as a forward
 * convolution of the zero-stuffed, padded upstream gradient with the flipped
 * filter ('forward-conv'), which uses only ops every backend has.
 * - the WASM backend's matrix products with a transposed operand measured
 *   10–20× slower than plain ones (a 256×256 by 256×195 product: 24 ms against
 *   1.2 ms), and matMul's gradient is two such products; so products with a
 *   constant matrix take its transpose, made once, and compute only dL/dx.
 */
import * as tf from '@tensorflow/tfjs';

export type InputGradStrategy = 'native' | 'forward-conv';

/** Activations a fused forward can apply and whose derivative needs only y. */
export type FusedActivation = 'linear' | 'relu' | 'relu6';

export interface IConvOptions {
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
  readonly dilations: readonly [number, number];
  readonly activation: FusedActivation;
  readonly strategy: InputGradStrategy;
}

/** The strategy that is fastest (or the only one that works) on a backend. */
export function defaultStrategy(backend: string): InputGradStrategy {
  return backend === 'wasm' ? 'forward-conv' : 'native';
}

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

/** dy scaled by the activation's derivative, read from the output y. */
function activationGrad(
  dy: tf.Tensor4D,
  y: tf.Tensor4D,
  activation: FusedActivation
): tf.Tensor4D {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      return tf.mul(dy, tf.step(y)) as tf.Tensor4D;
    case 'relu6':
      return tf.mul(dy, relu6Mask(y)) as tf.Tensor4D;
  }
}

/**
 * 1 where 0 < y < 6, else 0, from arithmetic and Step only: on WASM the
 * comparison ops measured ~15× slower than arithmetic (0.8 against 0.05 ms
 * on 64×64×32), and tfjs's own Relu6 gradient uses two of them.
 */
function relu6Mask(y: tf.Tensor): tf.Tensor {
  return tf.mul(tf.step(y), tf.step(tf.sub(6, y)));
}

/** relu6(x), with the gradient of relu6Mask (see there). */
export function relu6ToInput(x: tf.Tensor): tf.Tensor {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    const y = tf.clipByValue(args[0] as tf.Tensor, 0, 6);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.mul(dy, relu6Mask(saved[0]))
    };
  });
  return forward(x) as tf.Tensor;
}

/** Inserts (stride - 1) zeros between the rows and columns of dy. */
function zeroStuff(
  dy: tf.Tensor4D,
  strides: readonly [number, number]
): tf.Tensor4D {
  const [n, h, w, c] = dy.shape;
  let out: tf.Tensor4D = dy;
  if (strides[0] > 1) {
    const s = strides[0];
    const rows = tf.pad(tf.reshape(out, [n, h, 1, w * c]), [
      [0, 0],
      [0, 0],
      [0, s - 1],
      [0, 0]
    ]);
    out = tf.slice(tf.reshape(rows, [n, h * s, w, c]) as tf.Tensor4D, 0, [
      n,
      (h - 1) * s + 1,
      w,
      c
    ]);
  }
  if (strides[1] > 1) {
    const s = strides[1];
    const [, hh] = out.shape;
    const cols = tf.pad(tf.reshape(out, [n, hh, w, 1, c]), [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, s - 1],
      [0, 0]
    ]);
    out = tf.slice(tf.reshape(cols, [n, hh, w * s, c]) as tf.Tensor4D, 0, [
      n,
      hh,
      (w - 1) * s + 1,
      c
    ]);
  }
  return out;
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

type ConvKind = 'conv2d' | 'depthwise';

/**
 * A fused convolution (conv2d or depthwise) + bias + activation as one tape
 * node whose gradient reaches x only.
 */
function convToInput(
  kind: ConvKind,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  options: IConvOptions
): tf.Tensor4D {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    const config = {
      x: input,
      filter,
      strides: options.strides as [number, number],
      pad: options.padding,
      dilations: options.dilations as [number, number],
      bias: bias ?? undefined,
      activation: options.activation
    };
    const y =
      kind === 'conv2d'
        ? tf.fused.conv2d(config)
        : tf.fused.depthwiseConv2d(config);
    // The filter may be a per-call slice: saving keeps it alive until
    // backprop, after the forward pass's tidy has disposed the original.
    save([y, filter]);
    const inShape = input.shape as [number, number, number, number];
    const inputGrad = kind === 'conv2d' ? conv2dInputGrad : depthwiseInputGrad;
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const pre = activationGrad(
          dy as tf.Tensor4D,
          saved[0] as tf.Tensor4D,
          options.activation
        );
        return inputGrad(pre, saved[1] as tf.Tensor4D, inShape, options);
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
  return convToInput('conv2d', x, filter, bias, options);
}

export function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inShape: readonly [number, number, number, number],
  options: IConvOptions
): tf.Tensor4D {
  const dilated = options.dilations[0] > 1 || options.dilations[1] > 1;
  if (options.strategy === 'native' && !dilated) {
    return tf.conv2dTranspose(
      dy,
      filter,
      inShape as [number, number, number, number],
      options.strides as [number, number],
      options.padding
    );
  }
  const [kh, kw] = filter.shape;
  const padded = padForTranspose(
    zeroStuff(dy, options.strides),
    [inShape[1], inShape[2]],
    [dy.shape[1], dy.shape[2]],
    [kh, kw],
    options
  );
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
  return convToInput('depthwise', x, filter, bias, options);
}

export function depthwiseInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inShape: readonly [number, number, number, number],
  options: IConvOptions
): tf.Tensor4D {
  const [kh, kw, channels, multiplier] = filter.shape;
  const dilated = options.dilations[0] > 1 || options.dilations[1] > 1;
  if (options.strategy === 'native' && !dilated) {
    // The kernel behind depthwiseConv2d's registered gradient (not on WASM).
    return tf.engine().runKernel(
      'DepthwiseConv2dNativeBackpropInput',
      { dy, filter },
      {
        strides: options.strides as [number, number],
        dilations: [1, 1],
        pad: options.padding,
        inputShape: inShape as [number, number, number, number]
      }
    ) as tf.Tensor4D;
  }
  const padded = padForTranspose(
    zeroStuff(dy, options.strides),
    [inShape[1], inShape[2]],
    [dy.shape[1], dy.shape[2]],
    [kh, kw],
    options
  );
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

/**
 * x·w, differentiable with respect to x only; `wT` is w's transpose (kept by
 * the caller), so the gradient dy·wᵀ is a plain product.
 */
export function matMulToInput(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  wT: tf.Tensor2D
): tf.Tensor2D {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    // Saved: wT may be a per-call slice, freed when the forward's tidy ends.
    save([wT]);
    return {
      value: tf.matMul(args[0] as tf.Tensor2D, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.matMul(dy as tf.Tensor2D, saved[0] as tf.Tensor2D)
    };
  });
  return forward(x) as tf.Tensor2D;
}

/** m·x, differentiable with respect to x only; `mT` is m's transpose. */
export function leftMatMulToInput(
  m: tf.Tensor2D,
  mT: tf.Tensor2D,
  x: tf.Tensor2D
): tf.Tensor2D {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    save([mT]);
    return {
      value: tf.matMul(m, args[0] as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.matMul(saved[0] as tf.Tensor2D, dy as tf.Tensor2D)
    };
  });
  return forward(x) as tf.Tensor2D;
}
