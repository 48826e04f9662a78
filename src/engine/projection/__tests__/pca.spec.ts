/**
 * Streaming PCA against scikit-learn (the fixture tests/python/pca_oracle.py
 * writes from the same weights with PyTorch and scikit-learn's exact PCA;
 * tests/python/test_pca_oracle.py checks that the fixture is what it
 * computes): explained-variance ratios within 1e-3, coordinates equal up to
 * sign, on WASM as in the browser. Also: the exact and randomized solvers
 * agree, a seed reproduces a run, memory does not grow with the dataset, and
 * runs, cancels and failures leave no tensors behind.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LayersExecutor } from '../../model/executor';
import { type ILoadedLayersModel, loadModel } from '../../model/load';
import { EngineCore } from '../../runtime/core';
import type {
  IPcaResult,
  JobEvent,
  JobRequestOf,
  JobSummaryOf
} from '../../runtime/protocol';
import { fileFetch, fileUrl } from '../../testing/files';
import { decodePng } from '../../testing/png';
import { arrayDataset, fitTo } from '../../dataset/dataset';
import { type IImageDataset, loadIdxDataset } from '../../dataset/images';
import type { DataRequest } from '../../dataset/store';
import { type IPcaOptions, type IPcaOutcome, streamingPca } from '../pca';
import { layerWidth } from '../passes';
import { WASM_PATH } from '../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const MNIST = fileUrl('assets/datasets/mnist/mnist.json');

interface IOracleLayer {
  readonly width: number;
  readonly explainedVariance: number[];
  readonly explainedVarianceRatio: number[];
  readonly coordinates: number[];
}
const ORACLE = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '../../../../tests/fixtures/pca/oracle.json'),
    'utf-8'
  )
) as {
  count: number;
  components: number;
  layers: Record<string, IOracleLayer>;
};

/** Pearson correlation of column c of two row-major count × k matrices. */
function correlation(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  k: number,
  c: number
): number {
  const n = a.length / k;
  let [ma, mb] = [0, 0];
  for (let i = 0; i < n; i++) {
    ma += a[i * k + c] / n;
    mb += b[i * k + c] / n;
  }
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [x, y] = [a[i * k + c] - ma, b[i * k + c] - mb];
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('streaming PCA', () => {
  let core: EngineCore;
  let digits: IImageDataset;
  let loaded: ILoadedLayersModel;
  let executor: LayersExecutor;

  beforeAll(async () => {
    core = new EngineCore({
      candidates: ['wasm', 'cpu'],
      wasmPaths: WASM_PATH,
      fetch: fileFetch(),
      decode: decodePng
    });
    await core.start();
    digits = await loadIdxDataset(MNIST, { fetch: fileFetch() });
    loaded = (await loadModel(MODEL.url, {
      fetch: fileFetch()
    })) as ILoadedLayersModel;
    executor = new LayersExecutor(loaded.model);
  });

  afterAll(() => {
    core.cancelAll();
    executor.dispose();
  });

  /** The engine's PCA of the first `count` test digits at `layer`. */
  function pca(
    layer: string,
    options: Partial<IPcaOptions> & { count?: number; batchSize?: number } = {}
  ): Promise<IPcaOutcome> {
    const [start] = digits.splits.test;
    const count = options.count ?? ORACLE.count;
    const dataset = arrayDataset(
      'digits',
      { shape: [digits.count, 28, 28], data: digits.pixels },
      null
    );
    const fit = fitTo(dataset, executor.inputShape, [0, 1]);
    return streamingPca(
      {
        executor,
        dataset,
        range: [start, start + count],
        fit,
        layer,
        batchSize: options.batchSize ?? 64
      },
      layerWidth(executor, layer),
      { components: ORACLE.components, seed: 0, ...options }
    );
  }

  function expectOracle(outcome: IPcaOutcome, oracle: IOracleLayer): void {
    const k = ORACLE.components;
    expect(outcome.width).toBe(oracle.width);
    outcome.explainedVarianceRatio.forEach((ratio, c) =>
      expect(Math.abs(ratio - oracle.explainedVarianceRatio[c])).toBeLessThan(
        1e-3
      )
    );
    outcome.explainedVariance.forEach((variance, c) =>
      expect(variance / oracle.explainedVariance[c]).toBeCloseTo(1, 2)
    );
    for (let c = 0; c < k; c++) {
      const r = correlation(outcome.coordinates, oracle.coordinates, k, c);
      expect(Math.abs(r)).toBeGreaterThan(0.999);
    }
  }

  it.each(Object.keys(ORACLE.layers))(
    'matches scikit-learn at %s (ratios within 1e-3, coordinates up to sign)',
    async layer => {
      const outcome = await pca(layer);
      expect(outcome.solver).toBe(
        ORACLE.layers[layer].width > 2048 ? 'randomized' : 'exact'
      );
      expectOracle(outcome, ORACLE.layers[layer]);
    }
  );

  it('gives the same answer with the exact and the randomized solver', async () => {
    const exact = await pca('dense', { solver: 'exact' });
    const randomized = await pca('dense', { solver: 'randomized' });
    expect(randomized.passes).toBe(3);
    expect(exact.passes).toBe(2);
    expectOracle(exact, ORACLE.layers.dense);
    expectOracle(randomized, ORACLE.layers.dense);
    for (let c = 0; c < ORACLE.components; c++) {
      expect(
        Math.abs(correlation(exact.coordinates, randomized.coordinates, 5, c))
      ).toBeGreaterThan(0.999);
    }
  });

  it('follows scikit-learn’s sign rule: each component’s largest entry is positive', async () => {
    const outcome = await pca('logits');
    for (let c = 0; c < outcome.components; c++) {
      const axis = outcome.axes.subarray(
        c * outcome.width,
        (c + 1) * outcome.width
      );
      const largest = axis.reduce((m, v) =>
        Math.abs(v) > Math.abs(m) ? v : m
      );
      expect(largest).toBeGreaterThan(0);
    }
  });

  it('is deterministic for a seed, whatever the batch size', async () => {
    const a = await pca('conv2d', { count: 120, batchSize: 50 });
    const b = await pca('conv2d', { count: 120, batchSize: 50 });
    expect(Array.from(b.coordinates)).toEqual(Array.from(a.coordinates));
    const c = await pca('conv2d', { count: 120, batchSize: 32 });
    for (let i = 0; i < 2; i++) {
      // Float32 sums in another order: equal to rounding.
      expect(c.explainedVarianceRatio[i]).toBeCloseTo(
        a.explainedVarianceRatio[i],
        4
      );
    }
  });

  it('peaks at the same tensors and bytes for 1,000 and 10,000 digits', async () => {
    const dataset = arrayDataset(
      'digits',
      { shape: [10000, 28, 28], data: digits.pixels },
      null
    );
    const fit = fitTo(dataset, executor.inputShape, [0, 1]);
    const peak = async (count: number) => {
      let tensors = 0;
      let bytes = 0;
      await streamingPca(
        {
          executor,
          dataset,
          range: [0, count],
          fit,
          layer: 'conv2d',
          batchSize: 250,
          onPeak: m => {
            tensors = Math.max(tensors, m.numTensors);
            bytes = Math.max(bytes, m.numBytes);
          }
        },
        21632,
        { components: 2, seed: 0 }
      );
      return { tensors, bytes };
    };
    const small = await peak(1000);
    const large = await peak(10000);
    expect(large).toEqual(small);
  }, 300_000);

  describe('as a job', () => {
    type Outcome = {
      events: JobEvent[];
      summary: JobSummaryOf<'pca'>;
      result: IPcaResult;
    };
    const TEST_DIGITS: DataRequest = {
      source: 'bundled',
      url: MNIST,
      split: 'test',
      limit: 300
    };

    function run(
      request: Omit<JobRequestOf<'pca'>, 'kind' | 'model'>,
      cancelWhen?: (events: JobEvent[]) => boolean
    ): Promise<Outcome> {
      return new Promise((resolve, reject) => {
        const events: JobEvent[] = [];
        let id = '';
        id = core.submit({ kind: 'pca', model: MODEL, ...request }, event => {
          events.push(event);
          if (cancelWhen?.(events)) {
            core.cancel(id);
          }
          if (event.type === 'done') {
            resolve({
              events,
              summary: event.summary as JobSummaryOf<'pca'>,
              result: event.result as IPcaResult
            });
          } else if (event.type === 'failed') {
            reject(new Error(event.error.message));
          } else if (event.type === 'cancelled') {
            reject(new Error('cancelled'));
          }
        });
      });
    }

    it('projects the test digits with labels, thumbnails and progress over every pass', async () => {
      const { events, summary, result } = await run({
        layer: 'conv2d_1',
        data: TEST_DIGITS,
        components: 3
      });
      expect(summary).toMatchObject({
        kind: 'pca',
        backend: 'wasm',
        count: 300,
        layer: 'conv2d_1',
        width: 24 * 24 * 64,
        components: 3,
        solver: 'randomized',
        passes: 3
      });
      expect(summary.explainedVarianceRatio).toHaveLength(3);
      expect(result.coordinates).toHaveLength(900);
      expect(result.first).toBe(digits.splits.test[0]);
      expect(Array.from(result.labels)).toEqual(
        Array.from(
          digits.labels?.subarray(result.first, result.first + 300) ?? []
        )
      );
      expect(result.images).toHaveLength(300 * 784);
      expect(result.images[100]).toBe(digits.pixels[result.first * 784 + 100]);
      const progress = events.filter(e => e.type === 'progress');
      expect(progress[progress.length - 1]).toMatchObject({
        done: 900,
        total: 900,
        unit: 'images'
      });
    });

    it("gives a job's examples as bytes on demand (thumbnails): the digits' own, floats scaled to 0–255", async () => {
      const first = digits.splits.test[0];
      const asked = [first + 3, first + 1, first + 299];
      const examples = await core.examplePixels({
        data: TEST_DIGITS,
        shape: [28, 28, 1],
        indices: asked
      });
      expect(examples.imageShape).toEqual([28, 28, 1]);
      asked.forEach((index, k) =>
        expect(examples.pixels.subarray(k * 784, (k + 1) * 784)).toEqual(
          digits.pixels.subarray(index * 784, (index + 1) * 784)
        )
      );
      // Floats: (v − min) / (max − min) × 255, rounded.
      const values = Float32Array.from(
        { length: 2 * 784 },
        (_, j) => j / 10 - 5
      );
      core.putArrays('e'.repeat(64), [
        { name: 'images', shape: [2, 28, 28], data: values }
      ]);
      const floats = await core.examplePixels({
        data: { source: 'kernel', key: 'e'.repeat(64) },
        shape: [28, 28, 1],
        indices: [1]
      });
      const [low, high] = [-5, (2 * 784 - 1) / 10 - 5];
      expect(Array.from(floats.pixels.subarray(0, 3))).toEqual(
        [784, 785, 786].map(j =>
          Math.round(((j / 10 - 5 - low) / (high - low)) * 255)
        )
      );
      await expect(
        core.examplePixels({
          data: { source: 'kernel', key: 'e'.repeat(64) },
          shape: [28, 28, 1],
          indices: [2]
        })
      ).rejects.toThrow(/Example 2 is not in .*, which has examples 0 to 1/);
      await expect(
        core.examplePixels({
          data: TEST_DIGITS,
          shape: [28, 28, 1],
          indices: Array.from({ length: 257 }, (_, i) => first + i)
        })
      ).rejects.toThrow('At most 256 examples at a time (257 asked for).');
    });

    it('names bad input: an unknown layer, too many components, too few examples', async () => {
      await expect(run({ layer: 'conv9', data: TEST_DIGITS })).rejects.toThrow(
        /conv9/
      );
      await expect(
        run({ layer: 'logits', data: TEST_DIGITS, components: 12 })
      ).rejects.toThrow(
        'Layer "logits" has 10 values per example: at most 10 components, not 12.'
      );
      await expect(
        run({ layer: 'dense', data: { ...TEST_DIGITS, limit: 2 } })
      ).rejects.toThrow(
        'PCA of 2 examples has at most 1 component, not 2: use more examples or fewer components.'
      );
    });

    it('leaves no tensors behind after runs, cancels and failures', async () => {
      const job = { layer: 'conv2d', data: TEST_DIGITS };
      // The model, the digits and what the executor keeps per layer from
      // the weights are loaded and kept from here.
      await run(job);
      await run({ ...job, layer: 'dense' });
      const baseline = core.memory().numTensors;
      await run(job);
      await run({ ...job, layer: 'dense' });
      expect(core.memory().numTensors).toBe(baseline);
      await expect(
        run(job, events => events.filter(e => e.type === 'progress').length > 3)
      ).rejects.toThrow('cancelled');
      expect(core.memory().numTensors).toBe(baseline);
      // A non-finite activation fails a pass midway.
      const spoiled = new Float32Array(600 * 784);
      core.putArrays('f'.repeat(64), [
        { name: 'images', shape: [600, 28, 28], data: spoiled }
      ]);
      spoiled.fill(NaN, 450 * 784, 451 * 784);
      await expect(
        run({ ...job, data: { source: 'kernel', key: 'f'.repeat(64) } })
      ).rejects.toThrow(/Layer "conv2d" gives non-finite values/);
      expect(core.memory().numTensors).toBe(baseline);
      expect(tf.memory().numTensors).toBeGreaterThan(0);
    });
  });
});
