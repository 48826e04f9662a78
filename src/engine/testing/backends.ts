/**
 * Test support: run engine tests on tfjs's CPU and WASM backends in Node.
 * (Not part of the product bundle: only tests import it.)
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'path';

export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

let wasmPathsSet = false;

export async function useBackend(name: TestBackend): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    // In Node the WASM binaries load from the package's own folder.
    setWasmPaths(
      path.join(
        path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
        path.sep
      )
    );
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
 * Checks an analytic gradient against central finite differences along a few
 * random directions: |g·v − (f(x+εv) − f(x−εv)) / 2ε| / max(|g·v|, floor).
 * Returns the largest relative error.
 */
export function finiteDifferenceError(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  options: { epsilon?: number; directions?: number; seed?: number } = {}
): number {
  const epsilon = options.epsilon ?? 1e-2;
  const directions = options.directions ?? 4;
  return tf.tidy(() => {
    const grad = tf.grad(f)(x);
    let worst = 0;
    for (let d = 0; d < directions; d++) {
      const v = tf.randomNormal(x.shape, 0, 1, 'float32', (options.seed ?? 7) + d);
      const analytic = tf.sum(tf.mul(grad, v)).dataSync()[0];
      const plus = f(tf.add(x, tf.mul(v, epsilon))).dataSync()[0];
      const minus = f(tf.sub(x, tf.mul(v, epsilon))).dataSync()[0];
      const numeric = (plus - minus) / (2 * epsilon);
      const scale = Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
      worst = Math.max(worst, Math.abs(analytic - numeric) / scale);
    }
    return worst;
  });
}
