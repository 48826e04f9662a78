/**
 * PCA's passes and occlusion over the pool of engine workers
 * (docs/architecture.md, "Memory and speed"), with real Node worker threads:
 * each PCA pass split over three workers and merged equals the same pass
 * run here on one worker (the oracle; that engine's PCA is itself checked
 * against scikit-learn in projection/__tests__/pca.spec.ts), the PCA and
 * occlusion jobs give the single-worker engine's results, and Cancel
 * mid-job leaves no running share and no leaked tensor. Tiny ranges and
 * small batches keep it quick.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineCore } from '../../core';
import type { JobRequestOf } from '../../protocol';
import type { DataRequest } from '../../../dataset/store';
import { DatasetStore } from '../../../dataset/store';
import { fitTo } from '../../../dataset/dataset';
import { LayersExecutor } from '../../../model/executor';
import { type ILoadedLayersModel, loadModel } from '../../../model/load';
import { gaussian } from '../../../projection/linalg';
import {
  foldMoments,
  layerWidth,
  type IStream
} from '../../../projection/passes';
import { streamingPca } from '../../../projection/pca';
import { localPasses, pooledPasses } from '../../../projection/pca-shares';
import { fileFetch, fileUrl } from '../../../testing/files';
import { doneJob, expectCleanCancel, runJob } from '../../../testing/jobs';
import { nodePoolHost } from '../../../testing/node-pool';
import { bundleShareWorker } from '../../../testing/node-pool-bundle';
import { WASM_PATH, relativeError } from '../../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const MNIST = fileUrl('assets/datasets/mnist/mnist.json');
const DIGITS: DataRequest = {
  source: 'bundled',
  url: MNIST,
  split: 'test',
  limit: 300
};

/**
 * Equal within 1e-6 of the largest entry: the shares' sums are added in
 * another order than one worker's running sum, and worker threads' WASM
 * convolution differs from the main thread's in the last bits (see
 * pool.spec.ts); an entry near zero (X·Z with a Gaussian Z) has no
 * relative precision of its own.
 */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(relativeError(got, want)).toBeLessThanOrEqual(1e-6);
}

describe('PCA passes and occlusion over the pool of engine workers', () => {
  let pooled: EngineCore;
  let single: EngineCore;
  let executor: LayersExecutor;
  let streamAt: (layer: string, batchSize: number, count?: number) => IStream;

  beforeAll(async () => {
    const bundle = await bundleShareWorker();
    pooled = new EngineCore({
      candidates: ['wasm'],
      wasmPaths: WASM_PATH,
      fetch: fileFetch(),
      // Three workers (this core and two threads), whatever this machine has.
      pool: nodePoolHost(bundle, 4)
    });
    single = new EngineCore({
      candidates: ['wasm'],
      wasmPaths: WASM_PATH,
      fetch: fileFetch()
    });
    // One after the other: two backend probes at once in one process can
    // leave one core on the CPU backend.
    await single.start();
    await pooled.start();
    expect([single.status().backend, pooled.status().backend]).toEqual([
      'wasm',
      'wasm'
    ]);
    const loaded = (await loadModel(MODEL.url, {
      fetch: fileFetch()
    })) as ILoadedLayersModel;
    executor = new LayersExecutor(loaded.model);
    // The digits as a worker loads them: the same store, request and fit.
    const store = new DatasetStore({ fetch: fileFetch() });
    const { dataset, range } = await store.load(DIGITS, [28, 28, 1]);
    const fit = fitTo(dataset, executor.inputShape, loaded.metadata.inputRange);
    streamAt = (layer, batchSize, count = 300) => ({
      executor,
      dataset,
      range: [range[0], range[0] + count],
      fit,
      layer,
      batchSize
    });
    // A first job starts the pool (its workers start on their first share).
    doneJob(
      await runJob(pooled, {
        kind: 'pca',
        model: MODEL,
        layer: 'dense',
        data: { ...DIGITS, limit: 20 },
        components: 2
      })
    );
  }, 120000);

  afterAll(() => {
    pooled.close();
    single.close();
    executor.dispose();
  });

  const pooledAt = (stream: IStream) => {
    expect(pooled.pool?.size).toBe(3);
    return pooledPasses(stream, {
      pool: pooled.pool ?? undefined,
      share: { model: MODEL, data: DIGITS }
    });
  };

  it('splits the Gram passes and X·Z and merges them as one worker', async () => {
    // conv2d: 21,632 values per digit (the randomized solver's layer).
    const stream = streamAt('conv2d', 50);
    const width = layerWidth(executor, 'conv2d');
    const z = gaussian(width, 4, 1);
    const single = localPasses(stream);
    const split = pooledAt(stream);
    const tensors = tf.memory().numTensors;

    // The first pass: each batch centred by its own mean, with the moments.
    const want = await single.gram(z, null);
    const got = await split.gram(z, null);
    const wanted = foldMoments(want.batches!, width);
    const moments = foldMoments(got.batches!, width);
    expect(moments.count).toBe(300);
    expect(moments.batchSizes).toEqual(wanted.batchSizes);
    expectClose(moments.mean, wanted.mean);
    expectClose([moments.scatter], [wanted.scatter]);
    expectClose(got.rows.data, want.rows.data);
    expect([got.gram.rows, got.gram.cols]).toEqual([width, 4]);
    expectClose(got.gram.data, want.gram.data);
    // A later pass: centred by a given μᵀZ, no moments.
    const centre = Float64Array.from([0.5, -1, 2, 0]);
    const later = await split.gram(z, centre);
    const oracle = await single.gram(z, centre);
    expect(later.batches).toBeNull();
    expectClose(later.rows.data, oracle.rows.data);
    expectClose(later.gram.data, oracle.gram.data);
    expectClose((await split.product(z)).data, (await single.product(z)).data);
    expect(tf.memory().numTensors).toBe(tensors);
    const states = await pooled.pool!.states();
    expect(states.map(s => s.running)).toEqual([0, 0]);
  }, 120000);

  it('splits the covariance pass of a narrow layer and merges it as one worker', async () => {
    const stream = streamAt('dense', 40);
    const width = layerWidth(executor, 'dense');
    // The oracle first: the executor's first run at a layer keeps tensors.
    const want = await localPasses(stream).covariance(width);
    const tensors = tf.memory().numTensors;
    const got = await pooledAt(stream).covariance(width);
    try {
      expectClose(await got.covariance.data(), await want.covariance.data());
      expectClose(got.moments.mean, want.moments.mean);
      expectClose([got.moments.scatter], [want.moments.scatter]);
    } finally {
      got.covariance.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors);
    want.covariance.dispose();
  }, 120000);

  it('runs the PCA job over the pool and projects as one worker', async () => {
    const outcome = await runJob(pooled, {
      kind: 'pca',
      model: MODEL,
      layer: 'conv2d',
      data: { ...DIGITS, limit: 600 },
      components: 3
    });
    const { summary, result } = doneJob<'pca'>(outcome);
    expect(summary.solver).toBe('randomized');
    // At least three batches (PCA_MAX_BATCH, 128, on WASM): a share each.
    expect(Math.ceil(600 / summary.batchSize)).toBeGreaterThanOrEqual(3);
    const want = await streamingPca(
      streamAt('conv2d', summary.batchSize, 600),
      layerWidth(executor, 'conv2d'),
      { components: 3, seed: 0 }
    );
    expectClose(result.explainedVariance, want.explainedVariance);
    expectClose(result.explainedVarianceRatio, want.explainedVarianceRatio);
    expectClose(result.coordinates, want.coordinates);
    // One queue: progress counts every share's digits over the three passes.
    const progress = outcome.events.filter(e => e.type === 'progress');
    expect(progress[progress.length - 1]).toMatchObject({
      done: 1800,
      total: 1800
    });
  }, 120000);

  it('Cancel stops every share of a PCA pass: no running work, no leaked tensors', async () => {
    await expectCleanCancel(pooled, {
      kind: 'pca',
      model: MODEL,
      layer: 'conv2d',
      data: { ...DIGITS, limit: 2000 },
      components: 2
    });
  }, 120000);

  const occlusion = (index: number): JobRequestOf<'occlusion'> => ({
    kind: 'occlusion',
    model: MODEL,
    input: {
      source: 'data',
      data: { source: 'bundled', url: MNIST, split: 'test' },
      index
    },
    // No target: the predicted class, resolved once and sent to each share.
    size: 5,
    stride: 1
  });

  it('splits occlusion by positions and puts them back in order', async () => {
    const want = doneJob<'occlusion'>(await runJob(single, occlusion(3)));
    const outcome = await runJob(pooled, occlusion(3));
    const got = doneJob<'occlusion'>(outcome);
    // 24 × 24 positions, three shares of 192.
    expect(got.result.values).toHaveLength(576);
    expect(got.summary.unit).toBe(want.summary.unit);
    expect(Array.from(got.result.predictions ?? [])).toEqual(
      Array.from(want.result.predictions ?? [])
    );
    expectClose(got.result.values, want.result.values);
    expectClose(got.result.map, want.result.map);
    expect(got.summary.largestDrop).toEqual(want.summary.largestDrop);
    const progress = outcome.events.filter(e => e.type === 'progress');
    expect(progress[progress.length - 1]).toMatchObject({
      done: 576,
      total: 576
    });
  }, 120000);

  it('Cancel stops every share of an occlusion: no running work, no leaked tensors', async () => {
    await expectCleanCancel(pooled, { ...occlusion(4), size: 3 });
  }, 120000);

  it('splits SmoothGrad and Integrated Gradients by samples and sums them as one worker', async () => {
    const request: JobRequestOf<'saliency'> = {
      kind: 'saliency',
      model: MODEL,
      input: occlusion(7).input,
      methods: ['smoothgrad', 'integrated-gradients'],
      samples: 24,
      steps: 24,
      seed: 5
    };
    const want = doneJob<'saliency'>(await runJob(single, request));
    const outcome = await runJob(pooled, request);
    const got = doneJob<'saliency'>(outcome);
    want.result.maps.forEach((map, i) => {
      expect(got.result.maps[i].method).toBe(map.method);
      expectClose(got.result.maps[i].attribution, map.attribution);
    });
    const [, ig] = got.summary.methods;
    const [, igWant] = want.summary.methods;
    expectClose([ig.completeness!.sum], [igWant.completeness!.sum]);
    expect(ig.completeness!.delta).toBe(igWant.completeness!.delta);
    const progress = outcome.events.filter(e => e.type === 'progress');
    const last = progress[progress.length - 1];
    expect(last.type === 'progress' && last.done === last.total).toBe(true);
  }, 120000);

  it('Cancel stops every share of the samples: no running work, no leaked tensors', async () => {
    await expectCleanCancel(pooled, {
      kind: 'saliency',
      model: MODEL,
      input: occlusion(8).input,
      methods: ['smoothgrad'],
      samples: 3000
    });
  }, 120000);
});
