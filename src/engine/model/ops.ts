/**
 * Ops whose gradient reaches the input only, and what the input-gradient
 * convolutions of conv-ops.ts share: their options and the derivative of the
 * activations they fuse. TensorFlow.js's own gradients are unusable or slow
 * for optimization on some backends (docs/architecture.md, "TensorFlow.js
 * facts"); here:
 * - the WASM backend's matrix products with a transposed operand measured
 *   10–20× slower than plain ones (a 256×256 by 256×195 product: 24 ms against
 *   1.2 ms), and matMul's gradient is two such products; so products with a
 *   constant matrix take its transpose, made once, and compute only dL/dx;
 * - tfjs's Relu6 gradient uses comparison ops, slow on WASM (see relu6Mask).
 */
import * as tf from '@tensorflow/tfjs';

export type InputGradStrategy = 'native' | 'forward-conv';

/**
 * How ReLUs pass gradients back (docs/architecture.md, "The executor"):
 * 'standard' is the derivative; 'guided' (guided backpropagation,
 * Springenberg et al.) passes only positive gradients of positive inputs;
 * 'deconvnet' (Zeiler & Fergus) passes positive gradients whatever the input.
 * These are Captum's GuidedBackprop and Deconvolution rules.
 */
export type ReluRule = 'standard' | 'guided' | 'deconvnet';

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

/** dy scaled by the activation's derivative, read from the output y. */
export function activationGrad(
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
/** relu(x), whose backward pass follows `rule` (see ReluRule). */
export function reluWithRule(x: tf.Tensor, rule: ReluRule): tf.Tensor {
  if (rule === 'standard') {
    return tf.relu(x);
  }
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([input]);
    return {
      value: tf.relu(input),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        rule === 'guided' ? tf.mul(tf.relu(dy), tf.step(saved[0])) : tf.relu(dy)
    };
  });
  return forward(x) as tf.Tensor;
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

/**
 * 1, 0 or −1 as x is positive, zero or negative, from Step alone (fast on
 * WASM, see relu6Mask): step(0) is 0 on both sides.
 */
function signOf(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.step(x), tf.step(tf.neg(x)));
}

/**
 * |x| whose gradient is sign(x), 0 at 0. tfjs's registered gradient of Abs is
 * −1 at 0, so the total variation of a flat image would push it to change.
 */
export function absToInput(x: tf.Tensor): tf.Tensor {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor;
    save([input]);
    return {
      value: tf.abs(input),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.mul(dy, signOf(saved[0]))
    };
  });
  return forward(x) as tf.Tensor;
}

/**
 * Σ over the last axis, whose gradient spreads dy back in the backend.
 * tfjs's Sum gradient multiplies by tf.ones of the input's shape, made as a
 * JS Float32Array: on the per-image atlas convolution that was 2.3 MB a step
 * of garbage outside V8's heap, which sets off its collector (whose threads
 * then take the core another engine worker runs on). The gradient is the
 * outer product of dy with a row of ones (a product of one term, so the
 * same bit for bit); broadcastTo would be Tile, ~60× slower on WASM.
 */
export function sumLastAxis(x: tf.Tensor): tf.Tensor {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const shape = input.shape;
    const last = shape[shape.length - 1];
    return {
      value: tf.sum(input, shape.length - 1),
      gradFunc: (dy: tf.Tensor) =>
        tf.reshape(
          tf.matMul(tf.reshape(dy, [-1, 1]), tf.ones([1, last])),
          shape
        )
    };
  });
  return forward(x) as tf.Tensor;
}
