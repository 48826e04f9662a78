/**
 * The one bilinear affine sampler behind random scaling, random rotation and
 * fitting an image to the model's input size. tfjs's rotateWithOffset has no
 * gradient, so it reads through GatherNd and its gradient scatters back
 * through ScatterNd: kernels every backend has (gather's own gradient needs
 * UnsortedSegmentSum, which WASM lacks).
 */
import * as tf from '@tensorflow/tfjs';

interface ISampling {
  /** Source pixel index (row · W + column) of each of 4 neighbours, per output pixel. */
  readonly indices: Int32Array;
  /** Bilinear weight of each neighbour; 0 outside the image. */
  readonly weights: Float32Array;
}

/**
 * Where each output pixel samples the input: rotation by `angle` and scaling
 * by `scale` about the centres, with pixel centres at +0.5 (as
 * resize_bilinear with half-pixel centres).
 */
export function samplingGrid(
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  angle: number,
  scale: number
): ISampling {
  const n = outH * outW;
  const indices = new Int32Array(4 * n);
  const weights = new Float32Array(4 * n);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const [cyIn, cxIn, cyOut, cxOut] = [inH / 2, inW / 2, outH / 2, outW / 2];
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      // Inverse map: output centre → input coordinates.
      const u = (x + 0.5 - cxOut) / scale;
      const v = (y + 0.5 - cyOut) / scale;
      const sx = cos * u + sin * v + cxIn - 0.5;
      const sy = -sin * u + cos * v + cyIn - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const base = 4 * (y * outW + x);
      // Neighbours in the order (y0, x0), (y0, x0+1), (y0+1, x0), (y0+1, x0+1);
      // no allocation per pixel: this loop runs for every output pixel.
      for (let k = 0; k < 4; k++) {
        const cy = y0 + (k >> 1);
        const cx = x0 + (k & 1);
        const inside = cy >= 0 && cy < inH && cx >= 0 && cx < inW;
        const weight = (k >> 1 ? fy : 1 - fy) * (k & 1 ? fx : 1 - fx);
        indices[base + k] = inside ? cy * inW + cx : 0;
        weights[base + k] = inside ? weight : 0;
      }
    }
  }
  return { indices, weights };
}

interface ISampler {
  readonly indices: Int32Array;
  /** The weights laid out like the gathered values, [4n, B·C]. */
  readonly fullWeights: Float32Array;
  /** Each output pixel's index, repeated for its 4 neighbours. */
  readonly repeat: Int32Array;
}

/**
 * A grid laid out for the sampler. WASM's broadcasting and tiling are
 * several times slower than same-shape products and GatherNd, so the
 * weights are repeated for every (image, channel) column.
 */
function layOut(
  { indices, weights }: ISampling,
  n: number,
  columnsPerPixel: number
): ISampler {
  const fullWeights = new Float32Array(4 * n * columnsPerPixel);
  const repeat = new Int32Array(4 * n);
  for (let i = 0, o = 0; i < 4 * n; i++) {
    const weight = weights[i];
    for (let c = 0; c < columnsPerPixel; c++) {
      fullWeights[o++] = weight;
    }
    repeat[i] = i >> 2;
  }
  return { indices, fullWeights, repeat };
}

/**
 * The samplers made lately, newest last, within a byte budget. A run draws
 * its scales and angles from short lists, so the same few grids come back
 * at every step: making them anew was about 1 MB of arrays a step on an
 * MNIST atlas, outside V8's heap, which sets off its collector (and its
 * threads take the core another engine worker runs on). JS arrays, not
 * tensors: nothing here outlives a run in tfjs's memory.
 */
const SAMPLER_BUDGET_BYTES = 16 * 1024 * 1024;
const samplers = new Map<string, ISampler>();
let samplerBytes = 0;

function bytes(s: ISampler): number {
  return s.indices.byteLength + s.fullWeights.byteLength + s.repeat.byteLength;
}

function sampler(key: readonly number[], make: () => ISampler): ISampler {
  const id = key.join(',');
  const known = samplers.get(id);
  if (known) {
    samplers.delete(id);
    samplers.set(id, known);
    return known;
  }
  const made = make();
  samplers.set(id, made);
  samplerBytes += bytes(made);
  for (const [oldest, value] of samplers) {
    if (samplerBytes <= SAMPLER_BUDGET_BYTES || oldest === id) {
      break;
    }
    samplers.delete(oldest);
    samplerBytes -= bytes(value);
  }
  return made;
}

/**
 * Bilinear resampling of every image and channel with the same grid; outside
 * the image reads 0. Differentiable to the image on every backend.
 */
export function resample(
  image: tf.Tensor4D,
  angle: number,
  scale: number,
  outH: number,
  outW: number
): tf.Tensor4D {
  const [batch, inH, inW, channels] = image.shape;
  const n = outH * outW;
  const columnsPerPixel = batch * channels;
  const { indices, fullWeights, repeat } = sampler(
    [inH, inW, outH, outW, angle, scale, columnsPerPixel],
    () =>
      layOut(
        samplingGrid(inH, inW, outH, outW, angle, scale),
        n,
        columnsPerPixel
      )
  );
  const sample = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    // [4n, 1]: GatherNd, not GatherV2 (15× slower on WASM), and the
    // ScatterNd of the gradient takes the same indices.
    const idx = tf.tensor2d(indices, [4 * n, 1], 'int32');
    const w = tf.tensor2d(fullWeights, [4 * n, columnsPerPixel]);
    // customGrad frees what the forward made unless it is saved.
    save([idx, w]);
    // Pixels as rows, (image, channel) as columns: [inH·inW, B·C].
    const columns = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [
      inH * inW,
      columnsPerPixel
    ]);
    const picked = tf.mul(tf.gatherND(columns, idx), w); // [4n, B·C]
    const summed = tf.sum(tf.reshape(picked, [n, 4, columnsPerPixel]), 1);
    const value = tf.transpose(
      tf.reshape(summed, [outH, outW, batch, channels]),
      [2, 0, 1, 3]
    ) as tf.Tensor4D;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [idx, w] = saved;
        const dyColumns = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [
          n,
          columnsPerPixel
        ]);
        const spread = tf.mul(
          tf.gatherND(dyColumns, tf.tensor2d(repeat, [4 * n, 1], 'int32')),
          w
        );
        // ScatterNd sums the contributions of repeated indices.
        const back = tf.scatterND(idx, spread, [inH * inW, columnsPerPixel]);
        return tf.transpose(
          tf.reshape(back, [inH, inW, batch, channels]),
          [2, 0, 1, 3]
        );
      }
    };
  });
  return sample(image) as tf.Tensor4D;
}

/** Resizes the image to exactly the model's input size, when it differs. */
export function fitTo(
  image: tf.Tensor4D,
  height: number,
  width: number
): tf.Tensor4D {
  const [, h, w] = image.shape;
  if (h === height && w === width) {
    return image;
  }
  return resample(image, 0, Math.min(height / h, width / w), height, width);
}
