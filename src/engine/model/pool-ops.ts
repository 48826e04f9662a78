/**
 * Max pooling with the engine's own input gradient (docs/architecture.md,
 * "TensorFlow.js facts"). The WASM backend's MaxPoolGrad loses the gradient
 * of every window whose values are all ≤ 0 (its running maximum starts at the
 * smallest positive float) and breaks ties unlike the CPU backend, so the
 * same model gave different saliency maps on the two. Here the gradient of a
 * window goes to its first largest value in row-major order, as in PyTorch
 * and TensorFlow's CPU kernels, made of ops every backend has.
 */
import * as tf from '@tensorflow/tfjs';

export interface IPoolGeometry {
  readonly pool: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
}

/** Output size and the padding before, along one axis (TensorFlow's rules). */
function axis(
  size: number,
  pool: number,
  stride: number,
  padding: 'valid' | 'same'
): { out: number; before: number } {
  if (padding === 'valid') {
    return { out: Math.floor((size - pool) / stride) + 1, before: 0 };
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + pool - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/**
 * Places `t` [n, oh, ow, c] at rows top + stride·r and columns left +
 * stride·q of a [n, height, width, c] grid of zeros.
 */
function spread(
  t: tf.Tensor4D,
  stride: readonly [number, number],
  at: readonly [number, number],
  size: readonly [number, number]
): tf.Tensor4D {
  const [n, oh, ow, c] = t.shape;
  const [sy, sx] = stride;
  const spaced = tf.reshape(
    tf.pad(tf.reshape(t, [n, oh, 1, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sy - 1],
      [0, 0],
      [0, sx - 1],
      [0, 0]
    ]),
    [n, oh * sy, ow * sx, c]
  ) as tf.Tensor4D;
  const [height, width] = size;
  const placed = tf.pad(spaced, [
    [0, 0],
    [at[0], Math.max(0, height - at[0] - oh * sy)],
    [at[1], Math.max(0, width - at[1] - ow * sx)],
    [0, 0]
  ]);
  return tf.slice(placed, [0, 0, 0, 0], [n, height, width, c]);
}

/** dL/dx of y = maxPool(x): each window's dy to its first largest value. */
function maxPoolInputGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  geometry: IPoolGeometry
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [ph, pw] = geometry.pool;
  const [sy, sx] = geometry.strides;
  const rows = axis(h, ph, sy, geometry.padding);
  const cols = axis(w, pw, sx, geometry.padding);
  // The padded grid the windows cover; padding is never a window's maximum.
  const height = (rows.out - 1) * sy + ph;
  const width = (cols.out - 1) * sx + pw;
  const padded = tf.slice(
    tf.pad(
      x,
      [
        [0, 0],
        [rows.before, Math.max(0, height - h - rows.before)],
        [cols.before, Math.max(0, width - w - cols.before)],
        [0, 0]
      ],
      -Infinity
    ),
    [0, 0, 0, 0],
    [n, height, width, c]
  );
  let claimed: tf.Tensor = tf.zerosLike(y);
  const parts: tf.Tensor4D[] = [];
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      const values = tf.stridedSlice(
        padded,
        [0, i, j, 0],
        [n, i + (rows.out - 1) * sy + 1, j + (cols.out - 1) * sx + 1, c],
        [1, sy, sx, 1]
      );
      // The first offset (row-major) holding the window's maximum wins.
      const hit = tf.mul(
        tf.cast(tf.equal(values, y), 'float32'),
        tf.sub(1, claimed)
      );
      claimed = tf.add(claimed, hit);
      parts.push(
        spread(
          tf.mul(dy, hit) as tf.Tensor4D,
          [sy, sx],
          [i, j],
          [height, width]
        )
      );
    }
  }
  const total = parts.length === 1 ? parts[0] : tf.addN(parts);
  // Back to x's grid: drop the padding, add the rows a valid pool never read.
  const kept: [number, number] = [
    Math.min(h, height - rows.before),
    Math.min(w, width - cols.before)
  ];
  const inner = tf.slice(
    total,
    [0, rows.before, cols.before, 0],
    [n, kept[0], kept[1], c]
  );
  return tf.pad(inner, [
    [0, 0],
    [0, h - kept[0]],
    [0, w - kept[1]],
    [0, 0]
  ]) as tf.Tensor4D;
}

/** maxPool(x), with the input gradient above on every backend. */
export function maxPoolToInput(
  x: tf.Tensor4D,
  geometry: IPoolGeometry
): tf.Tensor4D {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    const y = tf.maxPool(
      input,
      geometry.pool as [number, number],
      geometry.strides as [number, number],
      geometry.padding
    );
    save([input, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        maxPoolInputGrad(
          dy as tf.Tensor4D,
          saved[0] as tf.Tensor4D,
          saved[1] as tf.Tensor4D,
          geometry
        )
    };
  });
  return forward(x) as tf.Tensor4D;
}
