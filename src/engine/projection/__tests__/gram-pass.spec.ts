/**
 * The randomized solver's algebra against brute force in float64 (the
 * activations read out once, centred and multiplied in plain TypeScript, as
 * NumPy would): a Gram pass with each batch centred by its own mean, once
 * corrected by the batch means' scatter (`firstGram`), and a Gram pass
 * centred by μᵀZ (`centredGram`) both give (X − 1μᵀ)ᵀ(X − 1μᵀ)Z; Q and Bᵀ
 * made from Y and CᵀY (`rangeAndProjection`) are orthonormal, span Y and
 * equal CᵀQ, with a zero column for a dependent one; with fewer examples
 * than columns the randomized PCA equals the eigen-decomposition of CCᵀ.
 * Every pass, finished or cancelled, leaves the tensors it found.
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError } from '../../errors';
import { LayersExecutor } from '../../model/executor';
import { type ILoadedLayersModel, loadModel } from '../../model/load';
import { type IImageDataset, loadIdxDataset } from '../../dataset/images';
import { arrayDataset, fitTo, inputBatch } from '../../dataset/dataset';
import { fileFetch, fileUrl } from '../../testing/files';
import { relativeError, useBackend } from '../../testing/backends';
import { centredGram, firstGram, gramPass } from '../gram-pass';
import { type IMatrix, gaussian, matrix, symmetricEigen } from '../linalg';
import { streamingPca } from '../pca';
import { type IStream, foldMoments, layerWidth } from '../passes';
import { rangeAndProjection } from '../randomized';

const MODEL = fileUrl('assets/models/mnist-cnn/model.json');
const MNIST = fileUrl('assets/datasets/mnist/mnist.json');
const COUNT = 70;

/** a·b in float64, row-major, brute force. */
function times(a: IMatrix, b: IMatrix, transposeA = false): IMatrix {
  const [n, inner] = transposeA ? [a.cols, a.rows] : [a.rows, a.cols];
  const out = matrix(n, b.cols);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inner; k++) {
      const v = transposeA ? a.data[k * a.cols + i] : a.data[i * a.cols + k];
      for (let c = 0; c < b.cols; c++) {
        out.data[i * b.cols + c] += v * b.data[k * b.cols + c];
      }
    }
  }
  return out;
}

describe('the randomized solver’s Gram passes and range', () => {
  let executor: LayersExecutor;
  let digits: IImageDataset;
  let stream: IStream;
  let width: number;
  /** The centred activations C = X − 1μᵀ in float64 (COUNT × width). */
  let centred: IMatrix;
  let mean: Float64Array;

  beforeAll(async () => {
    await useBackend('wasm');
    digits = await loadIdxDataset(MNIST, { fetch: fileFetch() });
    const loaded = (await loadModel(MODEL, {
      fetch: fileFetch()
    })) as ILoadedLayersModel;
    executor = new LayersExecutor(loaded.model);
    const dataset = arrayDataset(
      'digits',
      { shape: [digits.count, 28, 28], data: digits.pixels },
      null
    );
    const fit = fitTo(dataset, executor.inputShape, [0, 1]);
    const [start] = digits.splits.test;
    stream = {
      executor,
      dataset,
      range: [start, start + COUNT],
      fit,
      layer: 'conv2d',
      // Uneven batches: 32, 32 and 6.
      batchSize: 32
    };
    width = layerWidth(executor, 'conv2d');
    const rows = tf.tidy(() => {
      const [a] = executor.forward(
        inputBatch(dataset, [start, start + COUNT], fit, true),
        [{ layer: 'conv2d' }]
      );
      return a.dataSync();
    });
    mean = new Float64Array(width);
    rows.forEach((v, i) => (mean[i % width] += v / COUNT));
    centred = matrix(
      COUNT,
      width,
      Float64Array.from(rows, (v, i) => v - mean[i % width])
    );
  });

  afterAll(() => executor.dispose());

  it('gives CᵀCZ on the first pass, each batch centred by its own mean', async () => {
    const z = gaussian(width, 5, 3);
    const tensors = tf.memory().numTensors;
    const sums = await gramPass(stream, z, null);
    expect(tf.memory().numTensors).toBe(tensors);
    const moments = foldMoments(sums.batches ?? [], width);
    expect(moments.batchSizes).toEqual([32, 32, 6]);
    expect(relativeError(moments.mean, mean)).toBeLessThan(1e-5);
    const scatter = centred.data.reduce((a, v) => a + v * v, 0);
    expect(relativeError([moments.scatter], [scatter])).toBeLessThan(1e-6);
    const want = times(centred, times(centred, z), true);
    expect(relativeError(firstGram(sums.gram, moments, z).data, want.data))
      // Float32 sums of 70 products, against float64.
      .toBeLessThan(1e-5);
  });

  it('gives CZ and CᵀCZ on a later pass, centred by μᵀZ', async () => {
    const z = gaussian(width, 5, 4);
    const centre = times(matrix(1, width, mean), z).data;
    const tensors = tf.memory().numTensors;
    const sums = await gramPass(stream, z, centre);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(sums.batches).toBeNull();
    const cz = times(centred, z);
    expect(relativeError(sums.rows.data, cz.data)).toBeLessThan(1e-5);
    const want = times(centred, cz, true);
    expect(
      relativeError(centredGram(sums.gram, mean, sums.rows).data, want.data)
    ).toBeLessThan(1e-5);
  });

  it('leaves no tensors behind when cancelled mid-pass', async () => {
    const controller = new AbortController();
    const tensors = tf.memory().numTensors;
    await expect(
      gramPass(
        {
          ...stream,
          signal: controller.signal,
          onBatch: () => controller.abort()
        },
        gaussian(width, 3, 5),
        null
      )
    ).rejects.toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('makes Q orthonormal over Y and Bᵀ = CᵀQ, a dependent column zero', () => {
    const n = COUNT;
    const y = gaussian(n, 4, 6);
    // The fourth column repeats the first: Y has rank 3.
    for (let r = 0; r < n; r++) {
      y.data[r * 4 + 3] = y.data[r * 4];
    }
    const c = matrix(n, 9, gaussian(n, 9, 7).data);
    const cty = times(c, y, true);
    const { q, bt } = rangeAndProjection(y, cty);
    const gram = times(q, q, true);
    const norms = [0, 1, 2, 3].map(i => gram.data[i * 4 + i]);
    expect(norms.filter(v => Math.abs(v - 1) < 1e-12)).toHaveLength(3);
    expect(norms.filter(v => v === 0)).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        if (i !== j) {
          expect(Math.abs(gram.data[i * 4 + j])).toBeLessThan(1e-12);
        }
      }
    }
    // Q·QᵀY = Y: Q spans Y.
    const back = times(q, times(q, y, true));
    expect(relativeError(back.data, y.data)).toBeLessThan(1e-12);
    expect(relativeError(bt.data, times(c, q, true).data)).toBeLessThan(1e-12);
  });

  it('is exact with fewer examples than columns (a rank-deficient range)', async () => {
    // 15 digits: l = 15 columns for a centred rank of 14, so the range is
    // the whole row space and the randomized PCA is the exact one: the
    // eigen-decomposition of the 15×15 Gram matrix CCᵀ = U·S²·Uᵀ.
    const n = 15;
    const [start] = stream.range;
    const rows = tf.tidy(() => {
      const [a] = executor.forward(
        inputBatch(stream.dataset, [start, start + n], stream.fit, true),
        [{ layer: 'conv2d' }]
      );
      return a.dataSync();
    });
    const mu = new Float64Array(width);
    rows.forEach((v, i) => (mu[i % width] += v / n));
    const c = matrix(
      n,
      width,
      Float64Array.from(rows, (v, i) => v - mu[i % width])
    );
    const gram = matrix(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < width; k++) {
          dot += c.data[i * width + k] * c.data[j * width + k];
        }
        gram.data[i * n + j] = dot;
      }
    }
    const { values, vectors } = symmetricEigen(gram);
    const tensors = tf.memory().numTensors;
    const outcome = await streamingPca(
      { ...stream, range: [start, start + n] },
      width,
      { components: 2, seed: 0 }
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect(outcome.solver).toBe('randomized');
    for (let k = 0; k < 2; k++) {
      expect(outcome.explainedVariance[k] / (values[k] / (n - 1))).toBeCloseTo(
        1,
        4
      );
      // Coordinates U·S, up to sign.
      const want = Array.from(
        { length: n },
        (_, r) => vectors.data[r * n + k] * Math.sqrt(values[k])
      );
      const got = Array.from(
        { length: n },
        (_, r) => outcome.coordinates[r * 2 + k]
      );
      const sign = Math.sign(got[0] * want[0]) || 1;
      expect(
        relativeError(
          got.map(v => v * sign),
          want
        )
      ).toBeLessThan(1e-4);
    }
  });
});
