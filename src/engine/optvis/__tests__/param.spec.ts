import * as tf from '@tensorflow/tfjs';
import {
  TEST_BACKENDS,
  finiteDifferenceError,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import { createParam } from '../param';
import { decorrelationMatrix, toValidImage } from '../param/color';
import { InverseDft, frequencies, halfWidth } from '../param/fourier';
import { createRandom } from '../rng';
import { naiveRfft2 } from '../../testing/oracles';

/** numpy.fft.irfft2 written out in float64: the test's own reference. */
function naiveIrfft2(
  re: number[][],
  im: number[][],
  h: number,
  w: number
): number[][] {
  const wr = halfWidth(w);
  const out: number[][] = [];
  for (let y = 0; y < h; y++) {
    out.push([]);
    for (let x = 0; x < w; x++) {
      let total = 0;
      for (let ky = 0; ky < h; ky++) {
        for (let kx = 0; kx < wr; kx++) {
          const edge = kx === 0 || (w % 2 === 0 && kx === w / 2);
          const angle = 2 * Math.PI * ((ky * y) / h + (kx * x) / w);
          // Re(S·e^{iθ}), doubled for the bins whose mirror image is implied.
          total +=
            (edge ? 1 : 2) *
            (re[ky][kx] * Math.cos(angle) - im[ky][kx] * Math.sin(angle));
        }
      }
      out[y].push(total / (h * w));
    }
  }
  return out;
}

/** Lays one image's spectrum out as InverseDft expects ([2H, Wr], B = C = 1). */
function layout(re: number[][], im: number[][]): tf.Tensor2D {
  return tf.tensor2d([...re, ...im]);
}

describe('InverseDft', () => {
  beforeAll(() => useBackend('cpu'));

  for (const [h, w] of [
    [28, 28],
    [7, 9],
    [8, 5],
    [6, 1]
  ]) {
    it(`equals a float64 irfft2 at ${h}×${w}, even and odd sizes`, () => {
      const random = createRandom(h * 100 + w);
      const wr = halfWidth(w);
      const re = Array.from({ length: h }, () =>
        Array.from({ length: wr }, () => random.normal())
      );
      const im = Array.from({ length: h }, () =>
        Array.from({ length: wr }, () => random.normal())
      );
      const dft = new InverseDft(h, w);
      const ours = tf.tidy(() => values(dft.apply(layout(re, im), 1, 1)));
      dft.dispose();
      expect(maxAbsDiff(ours, naiveIrfft2(re, im, h, w).flat())).toBeLessThan(
        1e-5
      );
    });
  }

  it('turns a single frequency into the expected sinusoid', () => {
    const [h, w] = [12, 16];
    const wr = halfWidth(w);
    const re = Array.from({ length: h }, () => new Array(wr).fill(0));
    const im = Array.from({ length: h }, () => new Array(wr).fill(0));
    re[1][3] = 1;
    im[1][3] = 0.5;
    const dft = new InverseDft(h, w);
    const ours = tf.tidy(() => values(dft.apply(layout(re, im), 1, 1)));
    dft.dispose();
    const expected: number[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const angle = 2 * Math.PI * (y / h + (3 * x) / w);
        expected.push(
          (2 * (Math.cos(angle) - 0.5 * Math.sin(angle))) / (h * w)
        );
      }
    }
    expect(maxAbsDiff(ours, expected)).toBeLessThan(1e-7);
  });

  it('recovers an image from its spectrum (round trip)', () => {
    for (const [h, w] of [
      [28, 28],
      [9, 7]
    ]) {
      const random = createRandom(3);
      const image = Array.from({ length: h }, () =>
        Array.from({ length: w }, () => random.uniform())
      );
      const { re, im } = naiveRfft2(image, h, w);
      const dft = new InverseDft(h, w);
      const back = tf.tidy(() => values(dft.apply(layout(re, im), 1, 1)));
      dft.dispose();
      expect(maxAbsDiff(back, image.flat())).toBeLessThan(1e-4);
    }
  });

  it('lays out batches and channels as [B, H, W, C]', () => {
    const [h, w, b, c] = [5, 6, 2, 3];
    const wr = halfWidth(w);
    const random = createRandom(9);
    const spectra = Array.from({ length: b * c }, () => ({
      re: Array.from({ length: h }, () =>
        Array.from({ length: wr }, () => random.normal())
      ),
      im: Array.from({ length: h }, () =>
        Array.from({ length: wr }, () => random.normal())
      )
    }));
    // Columns ordered (image, channel, kx); rows real parts then imaginary.
    const rows = [...Array(2 * h)].map((_, r) =>
      spectra.flatMap(s => (r < h ? s.re[r] : s.im[r - h]))
    );
    const dft = new InverseDft(h, w);
    const out = tf.tidy(() => dft.apply(tf.tensor2d(rows), b, c).arraySync());
    dft.dispose();
    spectra.forEach((s, i) => {
      const [image, channel] = [Math.floor(i / c), i % c];
      const expected = naiveIrfft2(s.re, s.im, h, w);
      const got = out[image].map(row => row.map(px => px[channel]));
      expect(maxAbsDiff(got.flat(), expected.flat())).toBeLessThan(1e-5);
    });
  });

  it('has frequencies like numpy.fft.fftfreq', () => {
    const f = frequencies(4, 6);
    // fftfreq(4) = [0, .25, -.5, -.25]; rfftfreq(6) = [0, 1/6, 2/6, 3/6]
    expect(f[1 * 4 + 0]).toBeCloseTo(0.25);
    expect(f[2 * 4 + 3]).toBeCloseTo(Math.hypot(0.5, 0.5));
    expect(f[3 * 4 + 1]).toBeCloseTo(Math.hypot(0.25, 1 / 6));
  });
});

describe('parameterizations', () => {
  for (const backend of TEST_BACKENDS) {
    describe(`on ${backend}`, () => {
      beforeAll(() => useBackend(backend));

      for (const kind of ['pixel', 'fourier'] as const) {
        for (const channels of [1, 3]) {
          it(`${kind}, ${channels} channel(s): images in (0, 1) whose gradients match finite differences`, () => {
            const before = tf.memory().numTensors;
            const param = createParam({
              kind,
              batch: 2,
              height: 8,
              width: 7,
              channels,
              decorrelate: true,
              sd: 0.5,
              random: createRandom(1)
            });
            tf.tidy(() => {
              const image = param.image();
              expect(image.shape).toEqual([2, 8, 7, channels]);
              const pixels = values(image);
              expect(Math.min(...pixels)).toBeGreaterThan(0);
              expect(Math.max(...pixels)).toBeLessThan(1);
              const error = finiteDifferenceError(
                v => param.imageFrom(v),
                param.variables[0],
                {
                  epsilon: 1e-2
                }
              );
              expect(error).toBeLessThan(1e-2);
              const grad = values(
                tf.grad(v => tf.sum(param.imageFrom(v)))(param.variables[0])
              );
              expect(grad.every(Number.isFinite)).toBe(true);
            });
            param.dispose();
            expect(tf.memory().numTensors).toBe(before);
          });
        }
      }
    });
  }

  it("decorrelates colour with Lucid's normalized matrix", async () => {
    await useBackend('cpu');
    tf.tidy(() => {
      const t = tf.tensor4d([0.3, -0.2, 0.5], [1, 1, 1, 3]);
      const ours = values(toValidImage(t, decorrelationMatrix()));
      const m = [
        [0.26, 0.09, 0.02],
        [0.27, 0.0, -0.05],
        [0.27, -0.09, 0.03]
      ];
      const norm = Math.max(
        ...[0, 1, 2].map(j => Math.hypot(m[0][j], m[1][j], m[2][j]))
      );
      const v = [0.3, -0.2, 0.5];
      const expected = [0, 1, 2].map(
        i =>
          1 /
          (1 +
            Math.exp(
              -(m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]) / norm
            ))
      );
      expect(maxAbsDiff(ours, expected)).toBeLessThan(1e-6);
    });
  });

  it('is the same for the same seed and differs for another', async () => {
    await useBackend('cpu');
    const make = (seed: number) => {
      const p = createParam({
        kind: 'fourier',
        batch: 1,
        height: 6,
        width: 6,
        channels: 1,
        decorrelate: false,
        random: createRandom(seed)
      });
      const v = tf.tidy(() => values(p.image()));
      p.dispose();
      return v;
    };
    expect(maxAbsDiff(make(4), make(4))).toBe(0);
    expect(maxAbsDiff(make(4), make(5))).toBeGreaterThan(0);
  });

  it.each(['pixel', 'fourier'] as const)(
    '%s: a part of a batch starts as those images of the whole batch',
    async kind => {
      await useBackend('cpu');
      const make = (batch: number, part?: { start: number; of: number }) =>
        createParam({
          kind,
          batch,
          height: 5,
          width: 6,
          channels: 3,
          decorrelate: true,
          random: createRandom(11),
          part
        });
      const tensors = tf.memory().numTensors;
      const whole = make(5);
      const part = make(2, { start: 2, of: 5 });
      // The oracle: images 2 and 3 of the whole batch's random start.
      const want = tf.tidy(() =>
        values(tf.slice(whole.image(), [2, 0, 0, 0], [2, -1, -1, -1]))
      );
      const got = tf.tidy(() => values(part.image()));
      whole.dispose();
      part.dispose();
      expect(got).toHaveLength(2 * 5 * 6 * 3);
      expect(maxAbsDiff(got, want)).toBe(0);
      expect(tf.memory().numTensors).toBe(tensors);
    }
  );
});
