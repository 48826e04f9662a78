/**
 * Test support: run engine tests on tfjs's CPU and WASM backends in Node.
 * (Not part of the product bundle: only tests import it.)
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'path';

export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/** Where tfjs's WASM binaries are in Node: the package's own folder. */
export const WASM_PATH = path.join(
  path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
  path.sep
);

let wasmPathsSet = false;

export async function useBackend(name: TestBackend): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths(WASM_PATH);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(name))) {
    throw new Error(`backend ${name} failed to start`);
  }
  await tf.ready();
}

/** Runs `fn` with float values of `t` and disposes nothing it did not make. */
export function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`length ${a.length} != ${b.length}`);
  }
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i] - b[i]));
  }
  return max;
}

/**
 * The largest difference of `got` from `want` as a share of want's largest
 * entry (an entry near zero has no relative precision of its own).
 */
export function relativeError(
  got: ArrayLike<number>,
  want: ArrayLike<number>
): number {
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
  }
  if (!(scale > 0)) {
    throw new Error('nothing to compare: every expected entry is zero');
  }
  return maxAbsDiff(got, want) / scale;
}

/**
 * Checks an analytic gradient against central finite differences along a few
 * random unit directions v: |g·v − (L(x+εv) − L(x−εv)) / 2ε| / max(|g·v|, floor)
 * where L(x) = Σ w ⊙ f(x) for fixed random weights w. L is summed in float64
 * in JavaScript: backends that reduce in float32 (WASM) would otherwise drown
 * the difference in rounding. Returns the largest relative error.
 */
export function finiteDifferenceError(
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  options: { epsilon?: number; directions?: number; seed?: number } = {}
): number {
  const epsilon = options.epsilon ?? 1e-2;
  const directions = options.directions ?? 4;
  const seed = options.seed ?? 7;
  return tf.tidy(() => {
    const shape = f(x).shape;
    const w = tf.randomNormal(shape, 0, 1, 'float32', seed);
    const weights = values(w);
    const loss64 = (t: tf.Tensor): number => {
      const y = values(f(t));
      let total = 0;
      for (let i = 0; i < y.length; i++) {
        total += y[i] * weights[i];
      }
      return total;
    };
    const grad = values(tf.grad(t => tf.sum(tf.mul(f(t), w)))(x));
    let worst = 0;
    for (let d = 0; d < directions; d++) {
      // A unit direction, so that the step is ε whatever the input's size
      // (a larger step straddles the kinks of ReLU and max-pooling).
      const raw = tf.randomNormal(x.shape, 0, 1, 'float32', seed + 1 + d);
      const v = tf.div(raw, tf.norm(raw));
      const vs = values(v);
      let analytic = 0;
      for (let i = 0; i < vs.length; i++) {
        analytic += grad[i] * vs[i];
      }
      const plus = loss64(tf.add(x, tf.mul(v, epsilon)));
      const minus = loss64(tf.sub(x, tf.mul(v, epsilon)));
      const numeric = (plus - minus) / (2 * epsilon);
      const scale = Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
      worst = Math.max(worst, Math.abs(analytic - numeric) / scale);
    }
    return worst;
  });
}
