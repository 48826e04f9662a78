/**
 * The engine's own max-pool input gradient and |x| gradient against
 * independent oracles: finite differences on every backend (a convolution
 * then a pool, with negative values before the pool: the windows WASM's
 * MaxPoolGrad gets wrong), windows worked out by hand, and tfjs's CPU kernel.
 */
import * as tf from '@tensorflow/tfjs';
import {
  TEST_BACKENDS,
  finiteDifferenceError,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import { LayersExecutor } from '../executor';
import { absToInput } from '../ops';
import { maxPoolToInput } from '../pool-ops';

interface IPoolCase {
  readonly shape: [number, number, number, number];
  readonly pool: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
}

const POOLS: IPoolCase[] = [
  { shape: [2, 8, 8, 3], pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { shape: [1, 9, 7, 2], pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { shape: [1, 9, 9, 2], pool: [3, 3], strides: [2, 2], padding: 'same' },
  { shape: [2, 6, 7, 1], pool: [3, 2], strides: [1, 1], padding: 'valid' },
  { shape: [1, 7, 8, 2], pool: [2, 3], strides: [2, 3], padding: 'same' }
];

/**
 * The finite-difference error at the better of two steps: a large step may
 * straddle two values of a window (a kink), a small one drowns in float32
 * rounding. A wrong gradient (WASM's MaxPoolGrad) fails both by far.
 */
function poolingError(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): number {
  return Math.min(
    finiteDifferenceError(f, x, { epsilon: 1e-2 }),
    finiteDifferenceError(f, x, { epsilon: 3e-3 })
  );
}

for (const backend of TEST_BACKENDS) {
  describe(`the max-pool input gradient on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    for (const { shape, pool, strides, padding } of POOLS) {
      it(`equals finite differences after a convolution with negative outputs (${shape.join('×')}, pool ${pool.join('×')}, stride ${strides.join('×')}, ${padding})`, () => {
        const before = tf.memory().numTensors;
        const channels = shape[3];
        const kernel: tf.Tensor4D = tf.randomNormal(
          [3, 3, channels, channels],
          0,
          0.3,
          'float32',
          11
        );
        // A bias of −2: most windows hold values ≤ 0 only.
        const bias = tf.fill([channels], -2);
        const x: tf.Tensor4D = tf.randomNormal(shape, 0, 1, 'float32', 12);
        const model = (t: tf.Tensor) =>
          maxPoolToInput(
            tf.add(
              tf.conv2d(t as tf.Tensor4D, kernel, 1, 'same'),
              bias
            ) as tf.Tensor4D,
            { pool, strides, padding }
          );
        const negative = tf.tidy(() =>
          values(tf.mean(tf.step(tf.neg(model(x))))).at(0)
        );
        expect(negative).toBeGreaterThan(0.5);
        expect(poolingError(model, x)).toBeLessThan(2e-2);
        expect(tf.tidy(() => values(model(x)))).toEqual(
          tf.tidy(() =>
            values(
              tf.maxPool(
                tf.add(tf.conv2d(x, kernel, 1, 'same'), bias) as tf.Tensor4D,
                pool,
                strides,
                padding
              )
            )
          )
        );
        tf.dispose([kernel, bias, x]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('sends a window of negative values its gradient at the maximum, and a tie to the first maximum', () => {
      // Windows, row by row: [−1, −2; −3, −0.5] (maximum last), [2, 2; 2, 0]
      // (a three-way tie: the first gets it), [−4, −4; −4, −4].
      const x = tf.tensor4d(
        [-1, -2, 2, 2, -4, -4, -3, -0.5, 2, 0, -4, -4],
        [1, 2, 6, 1]
      );
      const grad = tf.tidy(() =>
        values(
          tf.grad(t =>
            tf.sum(
              tf.mul(
                maxPoolToInput(t as tf.Tensor4D, {
                  pool: [2, 2],
                  strides: [2, 2],
                  padding: 'valid'
                }),
                tf.tensor4d([1, 10, 100], [1, 1, 3, 1])
              )
            )
          )(x)
        )
      );
      expect(Array.from(grad)).toEqual([0, 0, 10, 0, 100, 0, 0, 1, 0, 0, 0, 0]);
      x.dispose();
    });

    it("runs a Layers model's MaxPooling2D through it (finite differences)", () => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [10, 10, 2],
            filters: 3,
            kernelSize: 3,
            activation: 'linear',
            biasInitializer: tf.initializers.constant({ value: -1.5 }),
            kernelInitializer: tf.initializers.randomNormal({
              stddev: 0.3,
              seed: 4
            })
          }),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({
            units: 4,
            kernelInitializer: tf.initializers.randomNormal({ seed: 6 })
          })
        ]
      });
      const executor = new LayersExecutor(model);
      const last = executor.layerNames[executor.layerNames.length - 1];
      const x = tf.randomNormal([2, 10, 10, 2], 0, 1, 'float32', 8);
      expect(
        poolingError(
          t => executor.forward(t as tf.Tensor4D, [{ layer: last }])[0],
          x
        )
      ).toBeLessThan(2e-2);
      x.dispose();
      executor.dispose();
      model.dispose();
    });

    it('differentiates |x| as sign(x), with 0 at 0', () => {
      const x = tf.tensor1d([-2, -0.5, 0, 0, 0.25, 3]);
      const grad = tf.tidy(() =>
        values(tf.grad(t => tf.sum(absToInput(t)))(x))
      );
      expect(Array.from(grad)).toEqual([-1, -1, 0, 0, 1, 1]);
      expect(tf.tidy(() => Array.from(values(absToInput(x))))).toEqual([
        2, 0.5, 0, 0, 0.25, 3
      ]);
      x.dispose();
    });
  });
}

describe('the max-pool input gradient and the CPU kernel', () => {
  it("agree with tfjs's CPU MaxPoolGrad on random inputs, ties included", async () => {
    await useBackend('cpu');
    for (const { shape, pool, strides, padding } of POOLS) {
      // Rounded values: many ties.
      const x = tf.tidy(() =>
        tf.round(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 21), 2))
      ) as tf.Tensor4D;
      const weights = (t: tf.Tensor4D) =>
        tf.randomNormal(t.shape, 0, 1, 'float32', 22);
      const ours = tf.tidy(() =>
        values(
          tf.grad(t => {
            const y = maxPoolToInput(t as tf.Tensor4D, {
              pool,
              strides,
              padding
            });
            return tf.sum(tf.mul(y, weights(y)));
          })(x)
        )
      );
      const theirs = tf.tidy(() =>
        values(
          tf.grad(t => {
            const y = tf.maxPool(t as tf.Tensor4D, pool, strides, padding);
            return tf.sum(tf.mul(y, weights(y)));
          })(x)
        )
      );
      // The same pixels get the same gradients (summed in another order).
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
      x.dispose();
    }
  });
});
