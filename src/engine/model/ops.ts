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

/** TensorFlow's padding before the first row or column of one axis. */
function padBefore(
  size: number,
  out: number,
  kernel: number,
  stride: number
): number {
  return Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2);
}

/**
 * `values` ([B, oh, ow, C]) spread onto a grid of stride (sh, sw): value
 * (y, x) lands at (y·sh, x·sw) of a [B, oh·sh, ow·sw, C] grid of zeros.
 * Built from pads and reshapes of rank 4, which every backend has.
 */
function spread(values: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [b, oh, ow, c] = values.shape;
  const columns = tf.reshape(
    tf.pad(tf.reshape(values, [b * oh, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0]
    ]),
    [b, oh, 1, ow * sw * c]
  );
  return tf.reshape(
    tf.pad(columns, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0]
    ]),
    [b, oh * sh, ow * sw, c]
  );
}

/**
 * The input gradient of a max pooling: each window's gradient goes to the
 * first of its maxima (row by row, as TensorFlow's CPU kernel does).
 * Windows are compared with arithmetic only; padding holds the lowest float,
 * which never wins a window that holds a real value.
 */
function maxPoolInputGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  pool: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same'
): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const [, oh, ow] = y.shape;
  const [kh, kw] = pool;
  const [sh, sw] = strides;
  const top = padding === 'same' ? padBefore(h, oh, kh, sh) : 0;
  const left = padding === 'same' ? padBefore(w, ow, kw, sw) : 0;
  const hp = Math.max(h + top, top + (oh - 1) * sh + kh);
  const wp = Math.max(w + left, left + (ow - 1) * sw + kw);
  const padded = tf.pad(
    x,
    [
      [0, 0],
      [top, hp - h - top],
      [left, wp - w - left],
      [0, 0]
    ],
    -3.4e38
  );
  let taken: tf.Tensor = tf.zerosLike(y);
  const parts: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = tf.stridedSlice(
        padded,
        [0, i, j, 0],
        [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c],
        [1, sh, sw, 1]
      );
      // 1 where the tap holds its window's maximum and no earlier tap did.
      const first = tf.mul(
        tf.sub(1, tf.step(tf.sub(y, tap))),
        tf.sub(1, taken)
      );
      taken = tf.add(taken, first);
      const grid = spread(tf.mul(dy, first) as tf.Tensor4D, sh, sw);
      const [, gh, gw] = grid.shape;
      // Shift by the tap's offset, and fit to the padded input.
      const placed = tf.slice(
        tf.pad(grid, [
          [0, 0],
          [i, Math.max(0, hp - i - gh)],
          [j, Math.max(0, wp - j - gw)],
          [0, 0]
        ]),
        [0, 0, 0, 0],
        [b, hp, wp, c]
      );
      parts.push(placed);
    }
  }
  const total = parts.length === 1 ? parts[0] : tf.addN(parts);
  return tf.slice(total, [0, top, left, 0], [b, h, w, c]);
}

/**
 * Max pooling whose input gradient is computed here, the same on every
 * backend. tfjs-backend-wasm 4.22's MaxPoolGrad starts each window's running
 * maximum at the smallest positive float, so a window of values ≤ 0 loses its
 * gradient, and it breaks ties unlike the CPU kernel.
 */
export function maxPoolToInput(
  x: tf.Tensor4D,
  pool: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same'
): tf.Tensor4D {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor4D;
    const y = tf.maxPool(
      input,
      pool as [number, number],
      strides as [number, number],
      padding
    );
    save([input, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        maxPoolInputGrad(
          dy as tf.Tensor4D,
          saved[0] as tf.Tensor4D,
          saved[1] as tf.Tensor4D,
          pool,
          strides,
          padding
        )
    };
  });
  return forward(x) as tf.Tensor4D;
}
