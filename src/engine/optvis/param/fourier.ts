/**
 * An image parameterized by its Fourier spectrum, scaled by 1/f (Lucid's
 * fft_image, Apache-2.0). TensorFlow.js registers no gradient for irfft, so
 * the inverse real 2-D DFT is two matrix products:
 *   along the height, a complex inverse DFT: [Tr; Ti] = [[C, −S], [S, C]] · [Vr; Vi]
 *   along the width, a real inverse from the half spectrum:
 *     x = [Tr, Ti] · [c·cos; −c·sin] / (H·W)
 * with c = 1 for the DC and (even widths) Nyquist columns and 2 otherwise, as
 * numpy.fft.irfft2 computes it (imaginary parts of those columns drop out).
 */
import * as tf from '@tensorflow/tfjs';
import { leftMatMulToInput, matMulToInput } from '../../model/ops';

/** Number of width frequencies of a real spectrum: ⌊W/2⌋ + 1. */
export function halfWidth(width: number): number {
  return Math.floor(width / 2) + 1;
}

/** |frequency| of each (ky, kx) bin, as numpy.fft.fftfreq gives them. */
export function frequencies(height: number, width: number): Float32Array {
  const wr = halfWidth(width);
  const out = new Float32Array(height * wr);
  for (let ky = 0; ky < height; ky++) {
    const fy = (ky <= (height - 1) / 2 ? ky : ky - height) / height;
    for (let kx = 0; kx < wr; kx++) {
      const fx = kx / width;
      out[ky * wr + kx] = Math.sqrt(fx * fx + fy * fy);
    }
  }
  return out;
}

/** [[C, −S], [S, C]] for the height's inverse DFT: 2H × 2H. */
function heightMatrix(height: number): tf.Tensor2D {
  const n = 2 * height;
  const m = new Float32Array(n * n);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < height; k++) {
      const angle = (2 * Math.PI * k * y) / height;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      m[y * n + k] = c;
      m[y * n + height + k] = -s;
      m[(height + y) * n + k] = s;
      m[(height + y) * n + height + k] = c;
    }
  }
  return tf.tensor2d(m, [n, n]);
}

/** [c·cos; −c·sin] / (H·W) · post for the width's real inverse: 2Wr × W. */
function widthMatrix(height: number, width: number, post: number): tf.Tensor2D {
  const wr = halfWidth(width);
  const m = new Float32Array(2 * wr * width);
  for (let k = 0; k < wr; k++) {
    const edge = k === 0 || (width % 2 === 0 && k === width / 2);
    const weight = ((edge ? 1 : 2) * post) / (height * width);
    for (let x = 0; x < width; x++) {
      const angle = (2 * Math.PI * k * x) / width;
      m[k * width + x] = weight * Math.cos(angle);
      m[(wr + k) * width + x] = -weight * Math.sin(angle);
    }
  }
  return tf.tensor2d(m, [2 * wr, width]);
}

/** The constant matrices of one image size, made once per run. */
export class InverseDft {
  readonly height: number;
  readonly width: number;
  private readonly _h: tf.Tensor2D;
  private readonly _w: tf.Tensor2D;
  // Transposes for the gradients (see matMulToInput).
  private readonly _hT: tf.Tensor2D;
  private readonly _wT: tf.Tensor2D;

  constructor(height: number, width: number, post = 1) {
    this.height = height;
    this.width = width;
    this._h = heightMatrix(height);
    this._w = widthMatrix(height, width, post);
    this._hT = tf.transpose(this._h);
    this._wT = tf.transpose(this._w);
  }

  /**
   * Spectrum → images. `spectrum` is [2H, B·C·Wr]: real parts stacked over
   * imaginary parts, columns ordered (image, channel, kx). Returns [B, H, W, C].
   */
  apply(spectrum: tf.Tensor2D, batch: number, channels: number): tf.Tensor4D {
    const { height: h, width: w } = this;
    const wr = halfWidth(w);
    const t = leftMatMulToInput(this._h, this._hT, spectrum); // [2H, B·C·Wr]
    const rows = tf.reshape(
      tf.transpose(tf.reshape(t, [2, h, batch * channels, wr]), [1, 2, 0, 3]),
      [h * batch * channels, 2 * wr]
    ) as tf.Tensor2D;
    const x = matMulToInput(rows, this._w, this._wT); // [H·B·C, W]
    return tf.transpose(
      tf.reshape(x, [h, batch, channels, w]),
      [1, 0, 3, 2]
    ) as tf.Tensor4D;
  }

  dispose(): void {
    this._h.dispose();
    this._w.dispose();
    this._hT.dispose();
    this._wT.dispose();
  }
}

/**
 * Lucid's spectrum scale: 1 / max(f, 1/max(H, W))^decay · √(H·W), laid out
 * like the spectrum variable ([2H, B·C·Wr]).
 */
export function spectrumScale(
  height: number,
  width: number,
  batch: number,
  channels: number,
  decayPower = 1
): tf.Tensor2D {
  const values = spectrumScaleValues(
    height,
    width,
    batch,
    channels,
    decayPower
  );
  return tf.tensor2d(values, [2 * height, values.length / (2 * height)]);
}

/** spectrumScale's values, in the spectrum variable's layout. */
export function spectrumScaleValues(
  height: number,
  width: number,
  batch: number,
  channels: number,
  decayPower = 1
): Float32Array {
  const wr = halfWidth(width);
  const freqs = frequencies(height, width);
  const floor = 1 / Math.max(height, width);
  const columns = batch * channels * wr;
  const out = new Float32Array(2 * height * columns);
  for (let part = 0; part < 2; part++) {
    for (let ky = 0; ky < height; ky++) {
      for (let image = 0; image < batch * channels; image++) {
        for (let kx = 0; kx < wr; kx++) {
          const f = Math.max(freqs[ky * wr + kx], floor);
          out[(part * height + ky) * columns + image * wr + kx] =
            Math.sqrt(height * width) / Math.pow(f, decayPower);
        }
      }
    }
  }
  return out;
}

/**
 * The real 2-D DFT of images (numpy.fft.rfft2, per image and channel) laid
 * out as the spectrum variable: [2H, B·C·Wr], real parts over imaginary
 * parts, columns ordered (image, channel, kx). InverseDft.apply inverts it.
 */
export function realSpectrum(
  images: Float32Array,
  batch: number,
  height: number,
  width: number,
  channels: number
): Float32Array {
  const wr = halfWidth(width);
  const columns = batch * channels * wr;
  const out = new Float32Array(2 * height * columns);
  const rowRe = new Float64Array(height * wr);
  const rowIm = new Float64Array(height * wr);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      // Along the width: A[y, kx] = Σx x[y, x]·e^(−2πi·kx·x/W).
      for (let y = 0; y < height; y++) {
        for (let kx = 0; kx < wr; kx++) {
          let re = 0;
          let im = 0;
          for (let x = 0; x < width; x++) {
            const v = images[((b * height + y) * width + x) * channels + c];
            const angle = (2 * Math.PI * kx * x) / width;
            re += v * Math.cos(angle);
            im -= v * Math.sin(angle);
          }
          rowRe[y * wr + kx] = re;
          rowIm[y * wr + kx] = im;
        }
      }
      // Along the height: X[ky, kx] = Σy A[y, kx]·e^(−2πi·ky·y/H).
      for (let ky = 0; ky < height; ky++) {
        for (let kx = 0; kx < wr; kx++) {
          let re = 0;
          let im = 0;
          for (let y = 0; y < height; y++) {
            const angle = (2 * Math.PI * ky * y) / height;
            const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
            const [ar, ai] = [rowRe[y * wr + kx], rowIm[y * wr + kx]];
            re += ar * cos + ai * sin;
            im += ai * cos - ar * sin;
          }
          const column = (b * channels + c) * wr + kx;
          out[ky * columns + column] = re;
          out[(height + ky) * columns + column] = im;
        }
      }
    }
  }
  return out;
}
