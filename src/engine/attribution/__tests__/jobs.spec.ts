/**
 * The attribution jobs through the engine core, as the page submits them: a
 * bundled digit by index or an array sent with the job, progress events, the
 * summary and result, Cancel, and clear errors for bad inputs, each leaving
 * no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import { fileFetch, fileUrl } from '../../testing/files';
import { loadIdxDataset } from '../../dataset/images';
import { EngineCore } from '../../runtime/core';
import type {
  IJobSummary,
  JobEvent,
  JobRequest,
  JobResult
} from '../../runtime/protocol';
import type { ExampleRequest } from '../types';
import { WASM_PATH } from '../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const DATASET = fileUrl('assets/datasets/mnist/mnist.json');
const digit = (index: number): ExampleRequest => ({
  source: 'data',
  data: { source: 'bundled', url: DATASET, split: 'test' },
  index
});

interface IRun {
  readonly events: JobEvent[];
  readonly done: Promise<{ summary: IJobSummary; result?: JobResult }>;
  readonly id: string;
}

describe('attribution jobs', () => {
  let core: EngineCore;
  let baseline = 0;

  beforeAll(async () => {
    core = new EngineCore({
      candidates: ['wasm'],
      wasmPaths: WASM_PATH,
      fetch: fileFetch(),
      cachedProbes: [{ backend: 'wasm', ok: true, msPerStep: 1 }]
    });
    await core.start();
    // The model and digits are loaded and kept by the first job, and the
    // executor keeps what it computes once from the weights.
    await result(
      run({
        kind: 'saliency',
        model: MODEL,
        input: digit(1),
        methods: ['gradient', 'guided-backprop', 'grad-cam']
      })
    );
    baseline = tf.memory().numTensors;
  });

  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  function run(request: JobRequest): IRun {
    const events: JobEvent[] = [];
    let id = '';
    const done = new Promise<{ summary: IJobSummary; result?: JobResult }>(
      (resolve, reject) => {
        id = core.submit(request, event => {
          events.push(event);
          if (event.type === 'done') {
            resolve({ summary: event.summary, result: event.result });
          } else if (event.type === 'failed') {
            reject(new Error(event.error.message));
          } else if (event.type === 'cancelled') {
            reject(new Error('cancelled'));
          }
        });
      }
    );
    return { events, done, id };
  }

  async function result(r: IRun) {
    return r.done;
  }

  it('occludes a digit, with progress and the prediction per position', async () => {
    const r = run({
      kind: 'occlusion',
      model: MODEL,
      input: digit(2),
      target: { type: 'logit', index: 8 },
      size: 7
    });
    const { summary, result: out } = await r.done;
    expect(summary.kind).toBe('occlusion');
    if (summary.kind !== 'occlusion' || out?.kind !== 'occlusion') {
      throw new Error('not an occlusion');
    }
    expect(summary).toMatchObject({
      example: 'mnist test #2',
      unit: 'logit 8',
      label: 8,
      predicted: 8,
      size: 7,
      stride: 7,
      fill: 0,
      rows: 4,
      cols: 4
    });
    expect(summary.largestDrop?.percent).toBeLessThan(0);
    expect(out.values).toHaveLength(16);
    expect(out.change).toHaveLength(16);
    expect(out.map).toHaveLength(784);
    expect(out.predictions).toHaveLength(16);
    expect(summary.changedPrediction).toBe(
      Array.from(out.predictions ?? []).filter(c => c !== 8).length
    );
    expect(out.input).toMatchObject({ height: 28, width: 28, channels: 1 });
    expect(out.input.range).toEqual([0, 1]);
    const progress = r.events.filter(e => e.type === 'progress');
    expect(progress[0]).toMatchObject({
      done: 0,
      total: 16,
      unit: 'positions'
    });
    expect(progress[progress.length - 1]).toMatchObject({
      done: 16,
      total: 16
    });
    // Summaries are written into notebooks: plain JSON.
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('explains the predicted class with every method, side by side', async () => {
    const { summary, result: out } = await run({
      kind: 'saliency',
      model: MODEL,
      input: digit(5),
      methods: [
        'gradient',
        'smoothgrad',
        'integrated-gradients',
        'guided-backprop',
        'deconvnet',
        'grad-cam'
      ],
      samples: 4,
      steps: 8
    }).done;
    if (summary.kind !== 'saliency' || out?.kind !== 'saliency') {
      throw new Error('not a saliency');
    }
    expect(summary.unit).toBe('logit 2');
    expect(out.maps.map(m => m.method)).toEqual([
      'gradient',
      'smoothgrad',
      'integrated-gradients',
      'guided-backprop',
      'deconvnet',
      'grad-cam'
    ]);
    for (const map of out.maps) {
      expect(map.map).toHaveLength(784);
      expect(Math.max(...Array.from(map.map, Math.abs))).toBeGreaterThan(0);
    }
    const cam = out.maps[5];
    expect(cam).toMatchObject({ signed: false, camLayer: 'conv2d_1' });
    expect(cam.lowShape).toEqual([24, 24]);
    const ig = summary.methods[2].completeness;
    expect(ig?.error).toBeLessThan(0.05);
    expect(summary.methods[5].camLayer).toBe('conv2d_1');
  });

  it('takes an array sent with the job like the same digit from the dataset', async () => {
    const dataset = await loadIdxDataset(DATASET, { fetch: fileFetch() });
    const [start] = dataset.splits.test;
    const pixels = dataset.pixels.slice((start + 2) * 784, (start + 3) * 784);
    const request = (input: ExampleRequest): JobRequest => ({
      kind: 'saliency',
      model: MODEL,
      input,
      target: { type: 'channel', layer: 'conv2d_1', channel: 3, reduce: 'mean' }
    });
    const fromArray = await run(
      request({
        source: 'array',
        name: 'kernel array',
        shape: [28, 28, 1],
        pixels,
        label: 8
      })
    ).done;
    const fromDataset = await run(request(digit(2))).done;
    if (
      fromArray.result?.kind !== 'saliency' ||
      fromDataset.result?.kind !== 'saliency'
    ) {
      throw new Error('not a saliency');
    }
    expect(Array.from(fromArray.result.maps[0].map)).toEqual(
      Array.from(fromDataset.result.maps[0].map)
    );
    expect(fromArray.summary).toMatchObject({
      example: 'kernel array',
      unit: 'channel 3 of conv2d_1 (mean over positions)',
      label: 8
    });
  });

  it('draws the filters of the first convolution, or of any', async () => {
    const first = await run({ kind: 'filters', model: MODEL }).done;
    const second = await run({
      kind: 'filters',
      model: MODEL,
      layer: 'conv2d_1'
    }).done;
    if (first.result?.kind !== 'filters' || second.result?.kind !== 'filters') {
      throw new Error('not filters');
    }
    expect(first.result).toMatchObject({
      layer: 'conv2d',
      kernelShape: [3, 3, 1, 32],
      readsInput: true
    });
    expect(second.result).toMatchObject({
      layer: 'conv2d_1',
      kernelShape: [3, 3, 32, 64],
      readsInput: false
    });
    expect(first.result.weights).toHaveLength(288);
    expect(first.result.scale).toBe(
      Math.max(...Array.from(first.result.weights, Math.abs))
    );
  });

  it.each([
    [
      'an example out of range',
      { kind: 'occlusion', model: MODEL, input: digit(5000) },
      /Example 5000 is out of range: mnist test has 2000 examples \(0 to 1999\)/
    ],
    [
      'an array of the wrong shape',
      {
        kind: 'saliency',
        model: MODEL,
        input: {
          source: 'array',
          name: 'kernel array',
          shape: [27, 28, 1],
          pixels: new Float32Array(27 * 28),
          label: null
        }
      },
      /The input is 27×28×1 \(height × width × channels\) but the model takes 28×28×1 images/
    ],
    [
      'a Grad-CAM layer that is not spatial',
      {
        kind: 'saliency',
        model: MODEL,
        input: digit(0),
        methods: ['grad-cam'],
        camLayer: 'dense'
      },
      /Grad-CAM needs a layer with a spatial output .*"dense" has shape \[128\]\. Layers it can use: conv2d, conv2d_1, max_pooling2d/
    ],
    [
      'a square larger than the input',
      { kind: 'occlusion', model: MODEL, input: digit(0), size: 30 },
      /larger than the 28×28 input/
    ],
    [
      'a stride larger than the square',
      { kind: 'occlusion', model: MODEL, input: digit(0), size: 4, stride: 5 },
      /A stride of 5 is larger than the square/
    ],
    [
      'a class the model does not have',
      {
        kind: 'occlusion',
        model: MODEL,
        input: digit(0),
        target: { type: 'logit', index: 12 }
      },
      /10 classes \(0 to 9\); class 12 is out of range/
    ],
    [
      'filters of a layer that is not a convolution',
      { kind: 'filters', model: MODEL, layer: 'dense' },
      /"dense" is a Dense layer; filters are drawn for Conv2D layers: conv2d, conv2d_1/
    ]
  ] as [string, JobRequest, RegExp][])(
    'refuses %s, saying why',
    async (_, request, message) => {
      await expect(run(request).done).rejects.toThrow(message);
    }
  );

  it('cancels between batches and leaves nothing behind', async () => {
    const r = run({
      kind: 'saliency',
      model: MODEL,
      input: digit(0),
      methods: ['integrated-gradients'],
      steps: 1024
    });
    await new Promise<void>(resolve => {
      const check = () =>
        r.events.some(e => e.type === 'progress' && e.done > 0)
          ? resolve()
          : setTimeout(check, 5);
      check();
    });
    core.cancel(r.id);
    await expect(r.done).rejects.toThrow('cancelled');
  });
});
