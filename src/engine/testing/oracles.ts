/**
 * Test support: independent judges of pictures made for the bundled CNN.
 * (Not part of the product bundle: only tests import it.)
 *
 * - topPatchMeans: for every channel of a conv layer, the mean of the
 *   receptive-field patches of the k real digits (and positions) that excite
 *   it most, found by brute force over tfjs-layers' own forward pass (not the
 *   engine's executor);
 * - nearestDigits: the labels and distances of the k training digits nearest
 *   to a picture (Euclidean, in plain TypeScript);
 * - pearson: the correlation of two pictures;
 * - naiveRfft2: numpy.fft.rfft2 written out in float64.
 */
import * as tf from '@tensorflow/tfjs';
import type { IImageDataset } from '../dataset/images';
import { halfWidth } from '../optvis/param/fourier';

/** The k most exciting positions seen so far: value, digit, row, column. */
class TopK {
  readonly entries: [number, number, number, number][] = [];
  constructor(private readonly _k: number) {}

  offer(value: number, digit: number, row: number, col: number): void {
    if (this.entries.length < this._k) {
      this.entries.push([value, digit, row, col]);
      this.entries.sort((a, b) => a[0] - b[0]);
    } else if (value > this.entries[0][0]) {
      this.entries[0] = [value, digit, row, col];
      this.entries.sort((a, b) => a[0] - b[0]);
    }
  }
}

/**
 * For each channel of `layer` (a convolution whose unit (r, c) sees the
 * side × side input box from (r, c) on, as valid convolutions do), the mean
 * patch of its k most exciting positions over `count` digits: channels ×
 * side × side values in [0, 1].
 */
export function topPatchMeans(
  model: tf.LayersModel,
  dataset: IImageDataset,
  layer: string,
  side: number,
  options: { count: number; k: number }
): Float32Array[] {
  const sub = tf.model({
    inputs: model.inputs,
    outputs: model.getLayer(layer).output as tf.SymbolicTensor
  });
  const [, h, w, channels] = sub.outputs[0].shape as number[];
  const tops = Array.from({ length: channels }, () => new TopK(options.k));
  const pixels = 28 * 28;
  const batch = 250;
  for (let start = 0; start < options.count; start += batch) {
    const stop = Math.min(options.count, start + batch);
    const acts = tf.tidy(() => {
      const x = tf.div(
        tf.tensor4d(
          dataset.pixels.subarray(start * pixels, stop * pixels),
          [stop - start, 28, 28, 1],
          'float32'
        ),
        255
      );
      return (sub.predict(x) as tf.Tensor).dataSync();
    });
    for (let n = 0; n < stop - start; n++) {
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          const base = ((n * h + r) * w + c) * channels;
          for (let ch = 0; ch < channels; ch++) {
            tops[ch].offer(acts[base + ch], start + n, r, c);
          }
        }
      }
    }
  }
  return tops.map(top => {
    const mean = new Float32Array(side * side);
    for (const [, digit, r, c] of top.entries) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          mean[y * side + x] +=
            dataset.pixels[digit * pixels + (r + y) * 28 + (c + x)] /
            255 /
            top.entries.length;
        }
      }
    }
    return mean;
  });
}

/** The Pearson correlation of two equally long pictures (0 when one is flat). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * The k training digits nearest to a 28 × 28 picture (values in [0, 1]):
 * their labels, and their mean distance.
 */
export function nearestDigits(
  picture: ArrayLike<number>,
  dataset: IImageDataset,
  range: readonly [number, number],
  k: number
): { labels: number[]; meanDistance: number } {
  const pixels = 28 * 28;
  const best: [number, number][] = [];
  for (let n = range[0]; n < range[1]; n++) {
    let d = 0;
    for (let p = 0; p < pixels; p++) {
      const diff = picture[p] - dataset.pixels[n * pixels + p] / 255;
      d += diff * diff;
    }
    if (best.length < k || d < best[best.length - 1][0]) {
      best.push([d, n]);
      best.sort((x, y) => x[0] - y[0]);
      best.length = Math.min(best.length, k);
    }
  }
  const labels = dataset.labels as Uint8Array;
  return {
    labels: best.map(([, n]) => labels[n]),
    meanDistance: best.reduce((total, [d]) => total + Math.sqrt(d), 0) / k
  };
}

/** The most frequent label (the smallest on a tie). */
export function vote(labels: readonly number[]): number {
  const counts = new Map<number, number>();
  labels.forEach(l => counts.set(l, (counts.get(l) ?? 0) + 1));
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

/** Image i of a frame as grey values in [0, 1] (its red channel). */
export function frameGrey(
  frame: { rgba: Uint8ClampedArray; height: number; width: number },
  i: number
): Float32Array {
  const size = frame.height * frame.width;
  const out = new Float32Array(size);
  for (let p = 0; p < size; p++) {
    out[p] = frame.rgba[(i * size + p) * 4] / 255;
  }
  return out;
}

/** A real image's half spectrum (numpy.fft.rfft2) in float64. */
export function naiveRfft2(
  image: number[][],
  h: number,
  w: number
): { re: number[][]; im: number[][] } {
  const wr = halfWidth(w);
  const re: number[][] = [];
  const im: number[][] = [];
  for (let ky = 0; ky < h; ky++) {
    re.push([]);
    im.push([]);
    for (let kx = 0; kx < wr; kx++) {
      let a = 0;
      let b = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const angle = -2 * Math.PI * ((ky * y) / h + (kx * x) / w);
          a += image[y][x] * Math.cos(angle);
          b += image[y][x] * Math.sin(angle);
        }
      }
      re[ky].push(a);
      im[ky].push(b);
    }
  }
  return { re, im };
}
