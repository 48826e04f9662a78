/**
 * The engine's own max-pool input gradient and the ReLU rules, on CPU and
 * WASM, against a brute-force oracle written here in plain loops: each
 * window's gradient goes to its first largest value (row-major), as in
 * PyTorch's CPU kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { TEST_BACKENDS, useBackend, values } from '../../testing/backends';
import { reluWithRule } from '../ops';
import { type IPoolGeometry, maxPoolToInput } from '../pool-ops';

/** dL/dx for L = Σ dy ⊙ maxPool(x), by looping over windows. */
function bruteForce(
  x: Float32Array,
  shape: readonly [number, number, number, number],
  dy: Float32Array,
  g: IPoolGeometry
): Float32Array {
  const [n, h, w, c] = shape;
  const [ph, pw] = g.pool;
  const [sy, sx] = g.strides;
  const same = g.padding === 'same';
  const oh = same ? Math.ceil(h / sy) : Math.floor((h - ph) / sy) + 1;
  const ow = same ? Math.ceil(w / sx) : Math.floor((w - pw) / sx) + 1;
  const top = same ? Math.floor(Math.max((oh - 1) * sy + ph - h, 0) / 2) : 0;
  const left = same ? Math.floor(Math.max((ow - 1) * sx + pw - w, 0) / 2) : 0;
  const dx = new Float32Array(x.length);
  const at = (b: number, r: number, q: number, k: number) =>
    ((b * h + r) * w + q) * c + k;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          let where = -1;
          for (let i = 0; i < ph; i++) {
            for (let j = 0; j < pw; j++) {
              const row = r * sy + i - top;
              const col = q * sx + j - left;
              if (row < 0 || row >= h || col < 0 || col >= w) {
                continue;
              }
              const v = x[at(b, row, col, k)];
              if (v > best) {
                best = v;
                where = at(b, row, col, k);
              }
            }
          }
          dx[where] += dy[((b * oh + r) * ow + q) * c + k];
        }
      }
    }
  }
  return dx;
}

const CASES: {
  name: string;
  shape: [number, number, number, number];
  g: IPoolGeometry;
}[] = [
  {
    name: '2×2 stride 2, valid',
    shape: [2, 6, 6, 3],
    g: { pool: [2, 2], strides: [2, 2], padding: 'valid' }
  },
  {
    name: '2×2 stride 2 on odd sizes (a row and a column never read)',
    shape: [1, 7, 5, 2],
    g: { pool: [2, 2], strides: [2, 2], padding: 'valid' }
  },
  {
    name: '3×3 stride 2, same (overlapping windows, padding)',
    shape: [1, 7, 8, 2],
    g: { pool: [3, 3], strides: [2, 2], padding: 'same' }
  },
  {
    name: '2×3 stride 3×1, valid',
    shape: [1, 8, 6, 1],
    g: { pool: [2, 3], strides: [3, 1], padding: 'valid' }
  }
];

describe.each(TEST_BACKENDS)('max-pool input gradient on %s', backend => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)(
    'routes each window to its first maximum: $name',
    ({ shape, g }) => {
      const before = tf.memory().numTensors;
      // Small integers: many ties, and windows whose values are all ≤ 0.
      const size = shape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: size }, (_, i) =>
        i % 5 === 0 ? 0 : Math.round(Math.sin(i * 12.9898) * 3) - 1
      );
      const result = tf.tidy(() => {
        const input = tf.tensor4d(x, shape);
        const y = maxPoolToInput(input, g);
        const reference = tf.maxPool(
          input,
          g.pool as [number, number],
          g.strides as [number, number],
          g.padding
        );
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
        const grad = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(maxPoolToInput(t as tf.Tensor4D, g), dy))
        )(input);
        return {
          y: values(y),
          reference: values(reference),
          dy: values(dy),
          grad: values(grad)
        };
      });
      expect(Array.from(result.y)).toEqual(Array.from(result.reference));
      const expected = bruteForce(x, shape, result.dy, g);
      expect(Array.from(result.grad).map(v => +v.toFixed(5))).toEqual(
        Array.from(expected).map(v => +v.toFixed(5))
      );
      expect(tf.memory().numTensors).toBe(before);
    }
  );
});

describe.each(TEST_BACKENDS)('ReLU rules on %s', backend => {
  beforeAll(() => useBackend(backend));

  const x = [-2, -0.5, 0, 0.5, 2, 3];
  const dy = [1, -1, 1, -1, 1, -3];
  // (+ 0 turns -0 into 0.)
  const gradient = (rule: 'standard' | 'guided' | 'deconvnet') =>
    tf.tidy(() =>
      Array.from(
        values(
          tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reluWithRule(t, rule), dy)))(
            tf.tensor1d(x)
          )
        ),
        v => v + 0
      )
    );

  it('keeps the forward pass a ReLU', () => {
    for (const rule of ['standard', 'guided', 'deconvnet'] as const) {
      const y = tf.tidy(() =>
        Array.from(values(reluWithRule(tf.tensor1d(x), rule)))
      );
      expect(y).toEqual([0, 0, 0, 0.5, 2, 3]);
    }
  });

  it('passes gradients back as each rule says', () => {
    // The derivative: dy where x > 0.
    expect(gradient('standard')).toEqual([0, 0, 0, -1, 1, -3]);
    // Guided: only positive dy, only where x > 0.
    expect(gradient('guided')).toEqual([0, 0, 0, 0, 1, 0]);
    // Deconvnet: only positive dy, wherever x is.
    expect(gradient('deconvnet')).toEqual([1, 0, 1, 0, 1, 0]);
  });
});
