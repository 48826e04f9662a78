import * as tf from '@tensorflow/tfjs';
import { TEST_BACKENDS, useBackend, values } from '../../testing/backends';
import { cropPixels, joinPixels, padPixels } from '../pixel-rows';

/** x[n][i][j][k] of a flat [B, H, W, C] array. */
function at(
  x: Float32Array,
  [, h, w, c]: readonly number[]
): (n: number, i: number, j: number, k: number) => number {
  return (n, i, j, k) => x[((n * h + i) * w + j) * c + k];
}

/** Every pixel of a [B, H, W, C] result from `pick`, written out. */
function written(
  [b, h, w, c]: readonly number[],
  pick: (n: number, i: number, j: number, k: number) => number
): number[] {
  const out: number[] = [];
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        for (let k = 0; k < c; k++) {
          out.push(pick(n, i, j, k));
        }
      }
    }
  }
  return out;
}

/** The gradient of Σ weights ⊙ f(x) with respect to x. */
function gradientOf(
  f: (x: tf.Tensor4D) => tf.Tensor4D,
  x: tf.Tensor4D,
  seed: number
): Float32Array {
  return tf.tidy(() => {
    const shape = f(x).shape;
    const weights = tf.randomUniform(shape, -1, 1, 'float32', seed);
    const grad = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(f(input as tf.Tensor4D), weights))
    );
    return values(grad(x));
  });
}

describe('pixel-rows: crops, joins and pads on row views', () => {
  for (const backend of TEST_BACKENDS) {
    describe(`on ${backend}`, () => {
      beforeAll(() => useBackend(backend));

      for (const channels of [1, 3]) {
        const shape: [number, number, number, number] = [3, 7, 6, channels];
        const image = () =>
          tf.randomUniform(shape, 0, 1, 'float32', channels) as tf.Tensor4D;

        it(`crops the pixels a box holds (${channels} channel(s))`, () => {
          tf.tidy(() => {
            const x = image();
            const pixel = at(values(x), shape);
            for (const [top, left, height, width] of [
              [1, 2, 4, 3],
              [2, 0, 3, 6],
              [0, 1, 7, 5]
            ]) {
              const crop = cropPixels(x, top, left, height, width);
              expect(crop.shape).toEqual([3, height, width, channels]);
              expect(Array.from(values(crop))).toEqual(
                written(crop.shape, (n, i, j, k) =>
                  pixel(n, i + top, j + left, k)
                )
              );
              // The same gradient as tf.slice's, bit for bit.
              expect(
                gradientOf(v => cropPixels(v, top, left, height, width), x, 5)
              ).toEqual(
                gradientOf(
                  v =>
                    tf.slice(
                      v,
                      [0, top, left, 0],
                      [-1, height, width, -1]
                    ) as tf.Tensor4D,
                  x,
                  5
                )
              );
            }
          });
        });

        it(`joins along height and width (${channels} channel(s))`, () => {
          tf.tidy(() => {
            const x = image();
            for (const axis of [1, 2] as const) {
              const a = cropPixels(
                x,
                0,
                0,
                axis === 1 ? 2 : 7,
                axis === 2 ? 2 : 6
              );
              const parts = [a, x, tf.reverse(a, axis)] as tf.Tensor4D[];
              const joined = joinPixels(parts, axis);
              const sizes = parts.map(p => p.shape[axis]);
              expect(joined.shape[axis]).toBe(sizes[0] + sizes[1] + sizes[2]);
              const pieces = parts.map(p => at(values(p), p.shape));
              expect(Array.from(values(joined))).toEqual(
                written(joined.shape, (n, i, j, k) => {
                  let offset = axis === 1 ? i : j;
                  let part = 0;
                  while (offset >= sizes[part]) {
                    offset -= sizes[part++];
                  }
                  return axis === 1
                    ? pieces[part](n, offset, j, k)
                    : pieces[part](n, i, offset, k);
                })
              );
              // The same gradient as tf.concat's (a split), bit for bit.
              const join = (v: tf.Tensor4D, mine: boolean) => {
                const edge = tf.slice(
                  v,
                  [0, axis === 1 ? 1 : 0, axis === 2 ? 1 : 0, 0],
                  [-1, axis === 1 ? 2 : -1, axis === 2 ? 2 : -1, -1]
                ) as tf.Tensor4D;
                const ends = [edge, v, tf.reverse(edge, axis)];
                return mine
                  ? joinPixels(ends, axis)
                  : (tf.concat(ends, axis) as tf.Tensor4D);
              };
              expect(gradientOf(v => join(v, true), x, 6)).toEqual(
                gradientOf(v => join(v, false), x, 6)
              );
            }
          });
        });

        it(`pads every side with a constant (${channels} channel(s))`, () => {
          tf.tidy(() => {
            const x = image();
            const pixel = at(values(x), shape);
            const padded = padPixels(x, 2, 0.5);
            expect(padded.shape).toEqual([3, 11, 10, channels]);
            expect(Array.from(values(padded))).toEqual(
              written(padded.shape, (n, i, j, k) =>
                i < 2 || i >= 9 || j < 2 || j >= 8
                  ? 0.5
                  : pixel(n, i - 2, j - 2, k)
              )
            );
            expect(gradientOf(v => padPixels(v, 2, 0.5), x, 7)).toEqual(
              gradientOf(
                v =>
                  tf.pad(
                    v,
                    [
                      [0, 0],
                      [2, 2],
                      [2, 2],
                      [0, 0]
                    ],
                    0.5
                  ),
                x,
                7
              )
            );
          });
        });
      }
    });
  }
});
