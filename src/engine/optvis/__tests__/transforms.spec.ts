import * as tf from '@tensorflow/tfjs';
import {
  TEST_BACKENDS,
  finiteDifferenceError,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import { fitTo, resample } from '../resample';
import { createRandom } from '../rng';
import {
  applyTransforms,
  compileTransforms,
  jitter,
  pad,
  randomRotate,
  randomScale,
  reflectPad,
  smallTransforms,
  standardTransforms
} from '../transforms';

function image(
  shape: [number, number, number, number],
  seed: number
): tf.Tensor4D {
  return tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** numpy.pad(mode='reflect') on the two spatial axes, written out. */
function reflectReference(x: number[][][][], p: number): number[] {
  const out: number[] = [];
  const [b, h, w, c] = [
    x.length,
    x[0].length,
    x[0][0].length,
    x[0][0][0].length
  ];
  const reflect = (i: number, n: number): number =>
    i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  for (let n = 0; n < b; n++) {
    for (let i = -p; i < h + p; i++) {
      for (let j = -p; j < w + p; j++) {
        for (let k = 0; k < c; k++) {
          out.push(x[n][reflect(i, h)][reflect(j, w)][k]);
        }
      }
    }
  }
  return out;
}

/** Bilinear rotation/scaling about the centres, in float64 (0 outside). */
function resampleReference(
  x: number[][][][],
  angle: number,
  scale: number,
  outH: number,
  outW: number
): number[] {
  const [b, h, w, c] = [
    x.length,
    x[0].length,
    x[0][0].length,
    x[0][0][0].length
  ];
  const at = (n: number, i: number, j: number, k: number): number =>
    i >= 0 && i < h && j >= 0 && j < w ? x[n][i][j][k] : 0;
  const out: number[] = [];
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < outH; y++) {
      for (let xo = 0; xo < outW; xo++) {
        const u = (xo + 0.5 - outW / 2) / scale;
        const v = (y + 0.5 - outH / 2) / scale;
        const sx = Math.cos(angle) * u + Math.sin(angle) * v + w / 2 - 0.5;
        const sy = -Math.sin(angle) * u + Math.cos(angle) * v + h / 2 - 0.5;
        const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
        const [fx, fy] = [sx - x0, sy - y0];
        for (let k = 0; k < c; k++) {
          out.push(
            at(n, y0, x0, k) * (1 - fy) * (1 - fx) +
              at(n, y0, x0 + 1, k) * (1 - fy) * fx +
              at(n, y0 + 1, x0, k) * fy * (1 - fx) +
              at(n, y0 + 1, x0 + 1, k) * fy * fx
          );
        }
      }
    }
  }
  return out;
}

describe('transforms', () => {
  for (const backend of TEST_BACKENDS) {
    describe(`on ${backend}`, () => {
      beforeAll(() => useBackend(backend));

      it('reflect-pads like numpy', () => {
        tf.tidy(() => {
          const x = image([2, 5, 4, 3], 1);
          expect(
            maxAbsDiff(
              values(reflectPad(x, 3)),
              reflectReference(x.arraySync(), 3)
            )
          ).toBeLessThan(1e-7);
          const constant = pad(2, 'constant', 0.5).apply(x, createRandom(0));
          expect(constant.shape).toEqual([2, 9, 8, 3]);
          expect(
            values(tf.slice(constant, [0, 0, 0, 0], [-1, 2, -1, -1])).every(
              v => v === 0.5
            )
          ).toBe(true);
        });
      });

      it('resamples like a float64 bilinear reference', () => {
        tf.tidy(() => {
          const x = image([2, 9, 11, 2], 2);
          for (const [angle, scale, h, w] of [
            [0.3, 1, 9, 11],
            [0, 1.1, 10, 12],
            [-0.2, 0.9, 8, 10],
            [Math.PI / 7, 1.3, 12, 14]
          ]) {
            const ours = values(resample(x, angle, scale, h, w));
            expect(
              maxAbsDiff(
                ours,
                resampleReference(x.arraySync(), angle, scale, h, w)
              )
            ).toBeLessThan(1e-5);
          }
        });
      });

      it('resamples the same from a kept grid, for any batch at the same size', () => {
        tf.tidy(() => {
          const x = image([3, 9, 11, 2], 4);
          const reference = resampleReference(x.arraySync(), 0.2, 1.1, 10, 12);
          // The second call reads the grid the first made; a batch of one
          // at the same size needs a grid of its own layout.
          for (let call = 0; call < 2; call++) {
            expect(
              maxAbsDiff(values(resample(x, 0.2, 1.1, 10, 12)), reference)
            ).toBeLessThan(1e-5);
          }
          const first = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]);
          expect(
            maxAbsDiff(
              values(resample(first as tf.Tensor4D, 0.2, 1.1, 10, 12)),
              reference.slice(0, 10 * 12 * 2)
            )
          ).toBeLessThan(1e-5);
        });
      });

      it('is the identity at angle 0, scale 1, and an exact permutation at 90°', () => {
        tf.tidy(() => {
          const x = image([1, 6, 6, 2], 3);
          expect(
            maxAbsDiff(values(resample(x, 0, 1, 6, 6)), values(x))
          ).toBeLessThan(1e-6);
          // A quarter turn maps pixel centres onto pixel centres:
          // out[y][x] = in[W−1−x][y].
          const rotated = resample(x, Math.PI / 2, 1, 6, 6).arraySync()[0];
          const src = x.arraySync()[0];
          const expected = rotated.map((row, y) =>
            row.map((_, xx) => src[5 - xx][y])
          );
          expect(maxAbsDiff(rotated.flat(2), expected.flat(2))).toBeLessThan(
            1e-5
          );
        });
      });

      it('has a gradient that is the adjoint of the resampling', () => {
        tf.tidy(() => {
          const x = image([2, 7, 8, 3], 4);
          const y = tf.randomNormal([2, 9, 10, 3], 0, 1, 'float32', 5);
          const f = (t: tf.Tensor) =>
            resample(t as tf.Tensor4D, 0.4, 1.2, 9, 10);
          const ax = tf.sum(tf.mul(f(x), y)).dataSync()[0];
          const aty = tf.grad(t => tf.sum(tf.mul(f(t), y)))(x);
          const xaty = tf.sum(tf.mul(x, aty)).dataSync()[0];
          expect(Math.abs(ax - xaty) / Math.abs(ax)).toBeLessThan(1e-5);
        });
      });

      it('every transform has gradients that match finite differences', () => {
        const transforms = [
          pad(3, 'reflect'),
          pad(2, 'constant', 0.5),
          jitter(3),
          randomScale([0.8, 1.25]),
          randomRotate([-13, 21]),
          ...standardTransforms(),
          ...smallTransforms()
        ];
        for (const t of transforms) {
          tf.tidy(() => {
            const x = image([1, 20, 18, 3], 6);
            // The same random draws at every evaluation.
            const f = (v: tf.Tensor) =>
              t.apply(v as tf.Tensor4D, createRandom(11));
            // Transforms are linear in the image, so a large step is exact and
            // keeps float32 rounding out of the difference.
            const error = finiteDifferenceError(f, x, { epsilon: 1e-1 });
            expect([t.description, error < 1e-2]).toEqual([
              t.description,
              true
            ]);
          });
        }
      });

      it('leaves no tensors behind', () => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = image([2, 32, 32, 3], 7);
          const y = tf.grad(v =>
            tf.sum(
              applyTransforms(
                v as tf.Tensor4D,
                standardTransforms(),
                createRandom(1)
              )
            )
          )(x);
          expect(y.shape).toEqual(x.shape);
        });
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  }

  it('draws from the seed: same seed, same crop; another seed, another crop', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const x = image([1, 40, 40, 1], 8);
      const run = (seed: number) =>
        values(applyTransforms(x, smallTransforms(), createRandom(seed)));
      expect(maxAbsDiff(run(1), run(1))).toBe(0);
      const others = [2, 3, 4, 5].map(run);
      expect(
        others.some(
          o => o.length !== run(1).length || maxAbsDiff(o, run(1)) > 0
        )
      ).toBe(true);
    });
  });

  it('fits any size to the model input, and compiles presets and lists', async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const x = image([1, 31, 27, 1], 9);
      expect(fitTo(x, 28, 28).shape).toEqual([1, 28, 28, 1]);
      expect(fitTo(x, 31, 27)).toBe(x);
      expect(compileTransforms('none')).toEqual([]);
      expect(compileTransforms('standard')).toHaveLength(5);
      expect(
        compileTransforms([
          { type: 'jitter', pixels: 2 },
          { type: 'pad', pixels: 1 }
        ]).map(t => t.description)
      ).toEqual(['jitter(2)', 'pad(1, reflect)']);
    });
  });
});
