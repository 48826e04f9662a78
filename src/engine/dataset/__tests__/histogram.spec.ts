/**
 * The unit's histogram over a dataset (issue 16), against an oracle the
 * engine's code plays no part in: tfjs-layers' own `predict` of the model cut
 * at the unit's layer gives every example's activation, reduced here as the
 * spec says, and counted into bins by comparison with NumPy's edges
 * (`linspace(min, max, bins + 1)`, the last bin closed). Also: the pool's
 * shares join their scores into the single pass's, a job without
 * `histogram` keeps nothing, and a PCA coloured by a unit (`colorBy`)
 * carries every example's value, in order, as the oracle computes it.
 */
import * as tf from '@tensorflow/tfjs';
import { type ILoadedLayersModel, loadModel } from '../../model/load';
import { EngineCore } from '../../runtime/core';
import type {
  ITopExamplesResult,
  JobResult,
  JobRequestOf,
  JobSummaryOf
} from '../../runtime/protocol';
import { fileFetch, fileUrl } from '../../testing/files';
import { decodePng } from '../../testing/png';
import { LayersExecutor } from '../../model/executor';
import { activationPass, resolveUnit } from '../activation-pass';
import { arrayDataset, fitTo } from '../dataset';
import { HISTOGRAM_BINS, histogramOf } from '../histogram';
import { type IImageDataset, loadIdxDataset } from '../images';
import { mergePasses, splitBatches } from '../pass-shares';
import { WASM_PATH } from '../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const MNIST = fileUrl('assets/datasets/mnist/mnist.json');
// The bundled test split is digits 8000–9999 of the file.
const FIRST = 8000;
const COUNT = 400;

/** NumPy's histogram: edges from min to max, each bin [lo, hi), the last [lo, hi]. */
function numpyHistogram(values: number[], bins: number): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const edges = Array.from(
    { length: bins + 1 },
    (_, i) => min + ((max - min) * i) / bins
  );
  return edges.slice(0, -1).map((low, i) => {
    const high = edges[i + 1];
    const last = i === bins - 1;
    return values.filter(v => v >= low && (last ? v <= high : v < high)).length;
  });
}

describe('the unit histogram', () => {
  let core: EngineCore;
  let digits: IImageDataset;
  let loaded: ILoadedLayersModel;

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
  });

  afterAll(() => core.cancelAll());

  function run(
    request: Omit<JobRequestOf<'top-examples'>, 'kind' | 'model'>
  ): Promise<{
    summary: JobSummaryOf<'top-examples'>;
    result: ITopExamplesResult;
  }> {
    return new Promise((resolve, reject) => {
      core.submit({ kind: 'top-examples', model: MODEL, ...request }, event => {
        if (event.type === 'done') {
          resolve({
            summary: event.summary as JobSummaryOf<'top-examples'>,
            result: event.result as ITopExamplesResult
          });
        } else if (event.type === 'failed' || event.type === 'cancelled') {
          reject(new Error(event.type));
        }
      });
    });
  }

  /** Every example's value by tfjs-layers' predict of the cut model. */
  function oracle(
    layer: string,
    channel: number,
    reduce: 'max' | { y: number; x: number } | 'flat'
  ): number[] {
    const cut = tf.model({
      inputs: loaded.model.inputs,
      outputs: loaded.model.getLayer(layer).output as tf.SymbolicTensor
    });
    const activation = tf.tidy(() =>
      (
        cut.predict(
          tf.div(
            tf.tensor4d(
              digits.pixels.subarray(FIRST * 784, (FIRST + COUNT) * 784),
              [COUNT, 28, 28, 1],
              'float32'
            ),
            255
          )
        ) as tf.Tensor
      ).arraySync()
    );
    if (reduce === 'flat') {
      return (activation as number[][]).map(row => row[channel]);
    }
    return (activation as number[][][][]).map(image => {
      if (reduce !== 'max') {
        return image[reduce.y][reduce.x][channel];
      }
      return Math.max(...image.flat().map(cell => cell[channel]));
    });
  }

  const data = {
    source: 'bundled',
    url: MNIST,
    split: 'test',
    limit: COUNT
  } as const;

  it.each([
    [
      'a channel (max)',
      { type: 'channel', layer: 'conv2d_1', channel: 5 } as const,
      'max' as const
    ],
    [
      'a neuron at the centre',
      { type: 'neuron', layer: 'conv2d', channel: 3, x: 13, y: 13 } as const,
      { y: 13, x: 13 }
    ],
    ['a logit', { type: 'logit', index: 8 } as const, 'flat' as const]
  ])('bins %s as NumPy would', async (_, target, reduce) => {
    const { summary, result } = await run({
      target,
      data,
      k: 8,
      histogram: true
    });
    const layer =
      target.type === 'logit' ? loaded.model.layers.at(-1)?.name : target.layer;
    const channel = target.type === 'logit' ? target.index : target.channel;
    const values = oracle(layer as string, channel, reduce);
    const histogram = summary.histogram;
    expect(histogram).toBeDefined();
    expect(result.histogram).toEqual(histogram);
    if (!histogram) {
      return;
    }
    expect(histogram.count).toBe(COUNT);
    expect(histogram.min).toBeCloseTo(Math.min(...values), 4);
    expect(histogram.max).toBeCloseTo(Math.max(...values), 4);
    expect(histogram.mean).toBeCloseTo(
      values.reduce((a, b) => a + b, 0) / COUNT,
      4
    );
    expect(histogram.zeros).toBe(values.filter(v => v === 0).length);
    expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(COUNT);
    // Within one example per edge: the engine and the oracle round an
    // activation on an edge the same way only up to float32 noise.
    const expected = numpyHistogram(values, HISTOGRAM_BINS);
    histogram.counts.forEach((n, i) =>
      expect(Math.abs(n - expected[i])).toBeLessThanOrEqual(1)
    );
    const sorted = [...values].sort((a, b) => b - a);
    expect(histogram.threshold).toBeCloseTo(sorted[7], 4);
  });

  it('says how many values are exactly zero after a ReLU', async () => {
    // The corner neuron of conv2d sees only background: zero for most digits.
    const target = {
      type: 'neuron',
      layer: 'conv2d',
      channel: 0,
      x: 0,
      y: 0
    } as const;
    const { summary } = await run({ target, data, k: 4, histogram: true });
    const values = oracle('conv2d', 0, { y: 0, x: 0 });
    const zeros = values.filter(v => v === 0).length;
    expect(zeros).toBeGreaterThan(COUNT / 2);
    expect(summary.histogram?.zeros).toBe(zeros);
    // Keeping the scores holds no tensor: a second run ends where it began.
    const baseline = core.memory().numTensors;
    await run({ target, data, k: 4, histogram: true });
    expect(core.memory().numTensors).toBe(baseline);
  });

  it("colours a PCA's examples by the unit's values, in order", async () => {
    const outcome = await new Promise<JobResult>((resolve, reject) =>
      core.submit(
        {
          kind: 'pca',
          model: MODEL,
          layer: 'conv2d_1',
          data,
          colorBy: { type: 'channel', layer: 'conv2d_1', channel: 5 }
        },
        event => {
          if (event.type === 'done' && event.result) {
            expect(event.summary).toMatchObject({
              colorBy: 'channel 5 of conv2d_1 (max over positions)'
            });
            resolve(event.result);
          } else if (event.type === 'failed' || event.type === 'cancelled') {
            reject(new Error(event.type));
          }
        }
      )
    );
    const values = oracle('conv2d_1', 5, 'max');
    if (outcome.kind !== 'pca' || !outcome.unitValues) {
      throw new Error('no unit values');
    }
    expect(outcome.unitValues).toHaveLength(COUNT);
    outcome.unitValues.forEach((v, i) => expect(v).toBeCloseTo(values[i], 4));
  });

  it('names a bad unit to colour by before the PCA runs', async () => {
    const failed = await new Promise<string>(resolve =>
      core.submit(
        {
          kind: 'pca',
          model: MODEL,
          layer: 'conv2d_1',
          data,
          colorBy: { type: 'channel', layer: 'conv2d_1', channel: 99 }
        },
        event => {
          if (event.type === 'failed') {
            resolve(event.error.message);
          } else if (event.type === 'done') {
            resolve('done');
          }
        }
      )
    );
    expect(failed).toMatch(/conv2d_1.*99|99.*conv2d_1/);
  });

  it('keeps no scores and no histogram unless asked', async () => {
    const { summary, result } = await run({
      target: { type: 'logit', index: 3 },
      data,
      k: 4
    });
    expect(summary.histogram).toBeUndefined();
    expect(result.histogram).toBeUndefined();
  });

  it("joins the pool's shares into the single pass's scores", async () => {
    const executor = new LayersExecutor(loaded.model);
    const dataset = arrayDataset(
      'digits',
      { shape: [COUNT, 28, 28], data: digits.pixels.subarray(0, COUNT * 784) },
      null
    );
    const fit = fitTo(dataset, executor.inputShape, [0, 1]);
    const unit = resolveUnit(executor, {
      type: 'channel',
      layer: 'conv2d_1',
      channel: 2
    });
    const pass = (range: [number, number]) =>
      activationPass({
        executor,
        dataset,
        range,
        fit,
        unit,
        k: 4,
        bottom: false,
        keepScores: true,
        batchSize: 64
      });
    const whole = await pass([0, COUNT]);
    const shares = await Promise.all(
      splitBatches([0, COUNT], 64, 3).map(range => pass(range))
    );
    const merged = mergePasses(shares, 4, false, true);
    expect(merged.scores).toEqual(whole.scores);
    expect(histogramOf(merged.scores ?? [])).toEqual(
      histogramOf(whole.scores ?? [])
    );
    executor.dispose();
  });

  it('bins equal values into one bin and nothing into none', () => {
    expect(histogramOf([2, 2, 2])).toEqual({
      count: 3,
      min: 2,
      max: 2,
      counts: [3],
      mean: 2,
      zeros: 0
    });
    expect(histogramOf([]).counts).toEqual([]);
  });
});
