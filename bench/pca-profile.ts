/**
 * Where one PCA pass's time goes (bundled and run by bench/pca-profile.mjs in
 * Node on WASM, one thread): the parts of a pass over the bundled digits at a
 * layer, batch by batch, each part timed on its own (WASM kernels run
 * synchronously, so a part's time is its kernels'): the input batch, the
 * forward pass to the layer, the moments, X·Z, Xᵀ·Y (as the kept transpose
 * Yᵀ·X and as matMul(transposeA)), and the readback. Prints one JSON line of
 * per-pass totals in ms; figures, not a test.
 *
 *   node pca-profile.cjs <repo root> <wasm dir> <layer> <count> <batch> <l>
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { DatasetStore } from '../src/engine/dataset/store';
import { fitTo, inputBatch } from '../src/engine/dataset/dataset';
import { LayersExecutor } from '../src/engine/model/executor';
import { type ILoadedLayersModel, loadModel } from '../src/engine/model/load';
import { fileFetch } from '../src/engine/testing/files';
import { runMain } from './pool-core';

async function main(): Promise<void> {
  const [root, wasmDir, layer, countText, batchText, lText] =
    process.argv.slice(2);
  const count = Number(countText);
  const batchSize = Number(batchText);
  const l = Number(lText);
  setWasmPaths(wasmDir);
  await tf.setBackend('wasm');
  await tf.ready();
  const url = (relative: string) => new URL(relative, `file://${root}/`).href;
  const loaded = (await loadModel(url('assets/models/mnist-cnn/model.json'), {
    fetch: fileFetch()
  })) as ILoadedLayersModel;
  const executor = new LayersExecutor(loaded.model);
  const store = new DatasetStore({ fetch: fileFetch() });
  const { dataset, range } = await store.load(
    {
      source: 'bundled',
      url: url('assets/datasets/mnist/mnist.json'),
      split: 'all',
      limit: count
    },
    [28, 28, 1]
  );
  const fit = fitTo(dataset, executor.inputShape, loaded.metadata.inputRange);
  const times: Record<string, number> = {};
  const time = <T>(part: string, f: () => T): T => {
    const start = performance.now();
    const out = f();
    times[part] = (times[part] ?? 0) + performance.now() - start;
    return out;
  };
  const width = executor
    .outputShape(layer)
    .slice(1)
    .reduce<number>((a, d) => a * (d ?? 1), 1);
  const z = tf.randomNormal([width, l]) as tf.Tensor2D;
  for (let rep = 0; rep < 2; rep++) {
    // The first run warms the kernels up; the second is reported.
    for (const key of Object.keys(times)) {
      delete times[key];
    }
    const total = performance.now();
    for (let first = range[0]; first < range[0] + count; first += batchSize) {
      const last = Math.min(range[0] + count, first + batchSize);
      tf.tidy(() => {
        const input = time('input', () =>
          inputBatch(dataset, [first, last], fit, true)
        );
        const x = time('forward', () => {
          const [a] = executor.forward(input, [{ layer }]);
          return tf.reshape(a, [last - first, -1]) as tf.Tensor2D;
        });
        time('moments (sum, mean, Σ(x−m)²)', () => {
          const m = tf.mean(x, 0);
          tf.sum(tf.square(tf.sub(x, m)));
          tf.sum(x, 0);
        });
        time('sum only', () => tf.sum(x, 0));
        const y = time('X·Z', () => tf.matMul(x, z));
        time('Yᵀ·X (kept transpose)', () => tf.matMul(tf.transpose(y), x));
        time('matMul(Y, X, transposeA)', () => tf.matMul(y, x, true));
        const xt = time('transpose X (d×b)', () => tf.transpose(x));
        time('sum(Xᵀ, 1)', () => tf.sum(xt, 1));
        const m = tf.div(tf.sum(xt, 1), last - first);
        time('Σ(x−m)² (squaredDifference, full sum)', () =>
          tf.sum(tf.squaredDifference(x, m))
        );
        time('Xᵀ·Y (Xᵀ kept, d×b · b×l)', () => tf.matMul(xt, y));
        time('readback (X·Z, sums)', () => y.dataSync());
      });
    }
    times.total = performance.now() - total;
  }
  const rounded = Object.fromEntries(
    Object.entries(times).map(([k, v]) => [k, Math.round(v)])
  );
  process.stdout.write(
    JSON.stringify({ layer, count, batchSize, l, width, ms: rounded }) + '\n'
  );
  executor.dispose();
}

runMain(main);
