import * as tf from '@tensorflow/tfjs';
import {
  TEST_BACKENDS,
  finiteDifferenceError,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import { conv2dToInput, depthwiseToInput } from '../conv-ops';
import {
  type IConvOptions,
  type InputGradStrategy,
  leftMatMulToInput,
  matMulToInput,
  sumLastAxis
} from '../ops';

interface ICase {
  inShape: [number, number, number, number];
  kernel: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
  dilations: [number, number];
  multiplier: number;
  outChannels: number;
}

const CASES: ICase[] = [
  {
    inShape: [2, 9, 9, 3],
    kernel: [3, 3],
    strides: [1, 1],
    padding: 'valid',
    dilations: [1, 1],
    multiplier: 1,
    outChannels: 4
  },
  {
    inShape: [1, 9, 8, 2],
    kernel: [3, 3],
    strides: [2, 2],
    padding: 'same',
    dilations: [1, 1],
    multiplier: 2,
    outChannels: 5
  },
  {
    inShape: [1, 10, 10, 2],
    kernel: [3, 3],
    strides: [2, 2],
    padding: 'valid',
    dilations: [1, 1],
    multiplier: 1,
    outChannels: 3
  },
  {
    inShape: [1, 8, 7, 3],
    kernel: [2, 3],
    strides: [1, 2],
    padding: 'same',
    dilations: [1, 1],
    multiplier: 1,
    outChannels: 2
  },
  {
    inShape: [1, 11, 11, 2],
    kernel: [3, 3],
    strides: [1, 1],
    padding: 'same',
    dilations: [2, 2],
    multiplier: 1,
    outChannels: 3
  },
  {
    inShape: [1, 7, 7, 4],
    kernel: [1, 1],
    strides: [1, 1],
    padding: 'valid',
    dilations: [1, 1],
    multiplier: 1,
    outChannels: 6
  }
];

const ACTIVATIONS = ['linear', 'relu', 'relu6'] as const;

function describeCase(c: ICase): string {
  return `${c.inShape.join('x')} k${c.kernel.join('x')} s${c.strides.join('')} ${c.padding} d${c.dilations.join('')}`;
}

/**
 * A dilated kernel written out with zeros between its taps: the same
 * convolution at dilation 1, which TensorFlow.js can differentiate.
 */
function dilateKernel(f: tf.Tensor4D, d: [number, number]): tf.Tensor4D {
  const [kh, kw, ci, co] = f.shape;
  const buffer = tf.buffer([(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1, ci, co]);
  const source = f.arraySync();
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let a = 0; a < ci; a++) {
        for (let b = 0; b < co; b++) {
          buffer.set(source[i][j][a][b], i * d[0], j * d[1], a, b);
        }
      }
    }
  }
  return buffer.toTensor() as tf.Tensor4D;
}

/** The gradient TensorFlow.js computes for the plain ops, on the CPU backend. */
async function oracleGrads(
  c: ICase,
  x: Float32Array,
  filter: Float32Array,
  depthFilter: Float32Array,
  bias: Float32Array,
  depthBias: Float32Array,
  dy: Float32Array,
  dyDepth: Float32Array
): Promise<{ conv: Float32Array[]; depth: Float32Array[] }> {
  await useBackend('cpu');
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.inShape);
    const f = dilateKernel(
      tf.tensor4d(filter, [...c.kernel, c.inShape[3], c.outChannels]),
      c.dilations
    );
    const df = dilateKernel(
      tf.tensor4d(depthFilter, [...c.kernel, c.inShape[3], c.multiplier]),
      c.dilations
    );
    const conv = ACTIVATIONS.map(act => {
      const y = (t: tf.Tensor) => {
        const pre = tf.add(
          tf.conv2d(t as tf.Tensor4D, f, c.strides, c.padding),
          tf.tensor1d(bias)
        );
        return act === 'relu'
          ? tf.relu(pre)
          : act === 'relu6'
            ? tf.relu6(pre)
            : pre;
      };
      const out = y(xt);
      return values(tf.grad(y)(xt, tf.tensor(dy, out.shape)));
    });
    const depth = ACTIVATIONS.map(act => {
      const y = (t: tf.Tensor) => {
        const pre = tf.add(
          tf.depthwiseConv2d(t as tf.Tensor4D, df, c.strides, c.padding),
          tf.tensor1d(depthBias)
        );
        return act === 'relu'
          ? tf.relu(pre)
          : act === 'relu6'
            ? tf.relu6(pre)
            : pre;
      };
      const out = y(xt);
      return values(tf.grad(y)(xt, tf.tensor(dyDepth, out.shape)));
    });
    return { conv, depth };
  });
}

function random(n: number, seed: number, scale = 1): Float32Array {
  return tf.tidy(() =>
    values(tf.mul(tf.randomNormal([n], 0, 1, 'float32', seed), scale))
  );
}

describe('convolutions differentiable to the input', () => {
  for (const c of CASES) {
    it(`match TensorFlow.js's own input gradient: ${describeCase(c)}`, async () => {
      await useBackend('cpu');
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const x = random(size(c.inShape), 1, 2);
      const filter = random(
        size([...c.kernel, c.inShape[3], c.outChannels]),
        2
      );
      const depthFilter = random(
        size([...c.kernel, c.inShape[3], c.multiplier]),
        3
      );
      const bias = random(c.outChannels, 4);
      const depthBias = random(c.inShape[3] * c.multiplier, 5);
      const outShape = tf.tidy(
        () =>
          tf.conv2d(
            tf.zeros(c.inShape) as tf.Tensor4D,
            tf.zeros([...c.kernel, c.inShape[3], c.outChannels]) as tf.Tensor4D,
            c.strides,
            c.padding,
            'NHWC',
            c.dilations
          ).shape
      );
      const depthShape = tf.tidy(
        () =>
          tf.depthwiseConv2d(
            tf.zeros(c.inShape) as tf.Tensor4D,
            tf.zeros([...c.kernel, c.inShape[3], c.multiplier]) as tf.Tensor4D,
            c.strides,
            c.padding,
            'NHWC',
            c.dilations
          ).shape
      );
      const dy = random(size(outShape), 6, 3);
      const dyDepth = random(size(depthShape), 7, 3);
      const oracle = await oracleGrads(
        c,
        x,
        filter,
        depthFilter,
        bias,
        depthBias,
        dy,
        dyDepth
      );

      for (const backend of TEST_BACKENDS) {
        await useBackend(backend);
        const strategies: InputGradStrategy[] =
          backend === 'wasm' ? ['forward-conv'] : ['native', 'forward-conv'];
        for (const strategy of strategies) {
          ACTIVATIONS.forEach((activation, i) => {
            const options: IConvOptions = {
              strides: c.strides,
              padding: c.padding,
              dilations: c.dilations,
              activation,
              strategy
            };
            const before = tf.memory().numTensors;
            const [gConv, gDepth] = tf.tidy(() => {
              const xt = tf.tensor4d(x, c.inShape);
              const f = tf.tensor4d(filter, [
                ...c.kernel,
                c.inShape[3],
                c.outChannels
              ]);
              const df = tf.tensor4d(depthFilter, [
                ...c.kernel,
                c.inShape[3],
                c.multiplier
              ]);
              const convGrad = tf.grad(t =>
                conv2dToInput(t as tf.Tensor4D, f, tf.tensor1d(bias), options)
              )(xt, tf.tensor(dy, outShape));
              const depthGrad = tf.grad(t =>
                depthwiseToInput(
                  t as tf.Tensor4D,
                  df,
                  tf.tensor1d(depthBias),
                  options
                )
              )(xt, tf.tensor(dyDepth, depthShape));
              return [values(convGrad), values(depthGrad)];
            });
            expect(tf.memory().numTensors).toBe(before);
            const label = `${backend}/${strategy}/${activation}`;
            expect([label, maxAbsDiff(gConv, oracle.conv[i]) < 1e-3]).toEqual([
              label,
              true
            ]);
            expect([label, maxAbsDiff(gDepth, oracle.depth[i]) < 1e-3]).toEqual(
              [label, true]
            );
          });
        }
      }
    });
  }

  it('agree with central finite differences', async () => {
    for (const backend of TEST_BACKENDS) {
      await useBackend(backend);
      tf.tidy(() => {
        const x = tf.randomNormal([1, 9, 9, 2], 0, 1, 'float32', 11);
        const f = tf.randomNormal(
          [3, 3, 2, 3],
          0,
          0.5,
          'float32',
          12
        ) as tf.Tensor4D;
        const df = tf.randomNormal(
          [3, 3, 3, 1],
          0,
          0.5,
          'float32',
          13
        ) as tf.Tensor4D;
        const options: IConvOptions = {
          strides: [2, 2],
          padding: 'same',
          dilations: [1, 1],
          activation: 'linear',
          strategy: 'forward-conv'
        };
        // A smooth scalar of a conv → depthwise chain (softplus keeps it smooth).
        const loss = (t: tf.Tensor): tf.Tensor =>
          tf.softplus(
            depthwiseToInput(
              conv2dToInput(t as tf.Tensor4D, f, null, options),
              df,
              null,
              {
                ...options,
                strides: [1, 1]
              }
            )
          );
        expect(finiteDifferenceError(loss, x, { epsilon: 1e-2 })).toBeLessThan(
          1e-2
        );
      });
    }
  });
});

describe('matrix products with a constant', () => {
  for (const backend of TEST_BACKENDS) {
    it(`on ${backend}: x·w and m·x equal matMul, with tfjs's gradient for x`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1) as tf.Tensor2D;
        const w = tf.randomNormal([7, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
        const m = tf.randomNormal([4, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
        const right = (t: tf.Tensor) =>
          matMulToInput(t as tf.Tensor2D, w, tf.transpose(w));
        const left = (t: tf.Tensor) =>
          leftMatMulToInput(m, tf.transpose(m), t as tf.Tensor2D);
        expect(maxAbsDiff(values(right(x)), values(tf.matMul(x, w)))).toBe(0);
        expect(maxAbsDiff(values(left(x)), values(tf.matMul(m, x)))).toBe(0);
        const dyRight = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
        const dyLeft = tf.randomNormal([4, 7], 0, 1, 'float32', 5);
        const ours = [
          tf.grad(t => tf.sum(tf.mul(right(t), dyRight)))(x),
          tf.grad(t => tf.sum(tf.mul(left(t), dyLeft)))(x)
        ];
        const theirs = [
          tf.grad(t => tf.sum(tf.mul(tf.matMul(t as tf.Tensor2D, w), dyRight)))(
            x
          ),
          tf.grad(t => tf.sum(tf.mul(tf.matMul(m, t as tf.Tensor2D), dyLeft)))(
            x
          )
        ];
        ours.forEach((g, i) =>
          expect(maxAbsDiff(values(g), values(theirs[i]))).toBeLessThan(1e-5)
        );
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('a sum over the last axis', () => {
  for (const backend of TEST_BACKENDS) {
    it(`on ${backend}: equals tf.sum, value and gradient bit for bit`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal([6, 5, 4, 7], 0, 1, 'float32', 3);
        const weights = tf.randomNormal([6, 5, 4], 0, 1, 'float32', 4);
        expect(values(sumLastAxis(x))).toEqual(values(tf.sum(x, 3)));
        const gradient = (sum: (t: tf.Tensor) => tf.Tensor) =>
          values(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(sum(t), weights)))(x));
        expect(gradient(sumLastAxis)).toEqual(gradient(t => tf.sum(t, 3)));
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
