/**
 * The top-examples job end to end in the engine core (WASM, as in the
 * browser): rankings against brute force over the whole activation tensor,
 * every data source, patches, bad input named, and memory that neither
 * grows with the dataset nor leaks after runs, cancels and failures. The
 * NumPy oracle is tests/python/test_top_examples.py.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LayersExecutor } from '../../model/executor';
import { type ILoadedLayersModel, loadModel } from '../../model/load';
import { EngineCore } from '../../runtime/core';
import type {
  ITopExamplesResult,
  JobEvent,
  JobRequestOf,
  JobSummaryOf
} from '../../runtime/protocol';
import { fileFetch, fileUrl } from '../../testing/files';
import { decodePng, encodePng } from '../../testing/png';
import { activationPass, resolveUnit } from '../activation-pass';
import { arrayDataset, fitTo } from '../dataset';
import { type IImageDataset, loadIdxDataset } from '../images';
import type { DataRequest } from '../store';
import { WASM_PATH } from '../../testing/backends';

const MODEL = { url: fileUrl('assets/models/mnist-cnn/model.json') };
const MNIST = fileUrl('assets/datasets/mnist/mnist.json');
const TEST_DIGITS: DataRequest = {
  source: 'bundled',
  url: MNIST,
  split: 'test',
  limit: 300
};

type Outcome = {
  events: JobEvent[];
  summary: JobSummaryOf<'top-examples'>;
  result: ITopExamplesResult;
};

describe('top examples', () => {
  let core: EngineCore;
  let digits: IImageDataset;
  let loaded: ILoadedLayersModel;
  let tmp: string;

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
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fv-top-'));
  });

  afterAll(() => {
    core.cancelAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function run(
    request: Omit<JobRequestOf<'top-examples'>, 'kind' | 'model'>,
    signal?: (events: JobEvent[]) => boolean
  ): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const events: JobEvent[] = [];
      let id = '';
      id = core.submit(
        { kind: 'top-examples', model: MODEL, ...request },
        event => {
          events.push(event);
          if (signal?.(events)) {
            core.cancel(id);
          }
          if (event.type === 'done') {
            resolve({
              events,
              summary: event.summary as JobSummaryOf<'top-examples'>,
              result: event.result as ITopExamplesResult
            });
          } else if (event.type === 'failed') {
            reject(new Error(event.error.message));
          } else if (event.type === 'cancelled') {
            reject(new Error('cancelled'));
          }
        }
      );
    });
  }

  /**
   * The oracle: every example's value from the whole activation tensor of
   * one forward pass, sorted by value with ties by index.
   */
  function bruteForce(
    layer: string,
    channel: number,
    reduce: 'max' | 'mean' | { y: number; x: number },
    [start, end]: [number, number]
  ): { order: number[]; bottom: number[]; values: Float32Array } {
    const executor = new LayersExecutor(loaded.model);
    const values = tf.tidy(() => {
      const x = tf.div(
        tf.tensor4d(
          digits.pixels.subarray(start * 784, end * 784),
          [end - start, 28, 28, 1],
          'int32'
        ),
        255
      ) as tf.Tensor4D;
      const act = executor.forward(x, [{ layer }])[0];
      const all = act.dataSync() as Float32Array;
      const [n, ...rest] = act.shape;
      const per = rest.reduce((a, b) => a * b, 1);
      const channels = rest[rest.length - 1];
      return Float32Array.from({ length: n }, (_, i) => {
        const unit: number[] = [];
        for (let j = channel; j < per; j += channels) {
          unit.push(all[i * per + j]);
        }
        if (typeof reduce === 'object') {
          return unit[reduce.y * (rest[1] as number) + reduce.x];
        }
        return reduce === 'max'
          ? Math.max(...unit)
          : unit.reduce((a, b) => a + b, 0) / unit.length;
      });
    });
    executor.dispose();
    const indices = Array.from(values, (_, i) => i);
    const order = [...indices].sort((a, b) => values[b] - values[a] || a - b);
    const bottom = [...indices].sort((a, b) => values[a] - values[b] || a - b);
    return {
      order: order.map(i => i + start),
      bottom: bottom.map(i => i + start),
      values
    };
  }

  it('ranks test digits by a channel (max) as brute force does, with progress', async () => {
    const { events, summary, result } = await run({
      target: { type: 'channel', layer: 'conv2d_1', channel: 5 },
      data: TEST_DIGITS,
      k: 12,
      bottom: true
    });
    const oracle = bruteForce('conv2d_1', 5, 'max', [8000, 8300]);
    expect(Array.from(result.top.indices)).toEqual(oracle.order.slice(0, 12));
    expect(Array.from(result.bottom?.indices ?? [])).toEqual(
      oracle.bottom.slice(0, 12)
    );
    result.top.indices.forEach((index, n) =>
      expect(result.top.values[n]).toBeCloseTo(oracle.values[index - 8000], 4)
    );
    expect(summary).toMatchObject({
      kind: 'top-examples',
      backend: 'wasm',
      count: 300,
      k: 12,
      skipped: 0,
      unit: 'channel 5 of conv2d_1 (max over positions)'
    });
    expect(summary.top.indices).toEqual(Array.from(result.top.indices));
    // Labels from the dataset; predictions from the model's logits.
    expect(summary.top.labels).toEqual(
      Array.from(result.top.indices, i => digits.labels?.[i])
    );
    expect(result.top.predictions.every(p => p >= 0 && p < 10)).toBe(true);
    expect(result.top.rgba.length).toBe(12 * 28 * 28 * 4);
    const progress = events.filter(e => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toMatchObject({
      done: 300,
      total: 300,
      unit: 'images'
    });
    expect(events.map(e => e.type)).toEqual(
      expect.arrayContaining(['queued', 'running', 'progress', 'done'])
    );
  });

  it('ranks by mean, by a neuron and by a logit as brute force does', async () => {
    for (const [target, layer, channel, reduce] of [
      [
        { type: 'channel', layer: 'conv2d', channel: 7, reduce: 'mean' },
        'conv2d',
        7,
        'mean'
      ],
      [
        { type: 'neuron', layer: 'conv2d_1', channel: 3, x: 4, y: 9 },
        'conv2d_1',
        3,
        { y: 9, x: 4 }
      ],
      [{ type: 'logit', index: 8 }, 'logits', 8, 'max']
    ] as const) {
      const { result } = await run({
        target,
        data: { ...TEST_DIGITS, limit: 200 },
        k: 8,
        bottom: true
      });
      const oracle = bruteForce(layer, channel, reduce, [8000, 8200]);
      expect([target.type, Array.from(result.top.indices)]).toEqual([
        target.type,
        oracle.order.slice(0, 8)
      ]);
      expect(Array.from(result.bottom?.indices ?? [])).toEqual(
        oracle.bottom.slice(0, 8)
      );
    }
  });

  it("draws each example's receptive field: the box and the patch", async () => {
    const { result } = await run({
      target: { type: 'channel', layer: 'max_pooling2d', channel: 2 },
      data: { ...TEST_DIGITS, limit: 100 },
      k: 4,
      patches: true
    });
    expect([result.patchHeight, result.patchWidth]).toEqual([6, 6]);
    expect(result.top.boxes.length).toBe(16);
    for (let n = 0; n < 4; n++) {
      const [top, left, bottom, right] = result.top.boxes.subarray(
        n * 4,
        n * 4 + 4
      );
      // Pooled positions are 2 apart; the field is 6 wide, inside 28×28.
      expect([bottom - top, right - left]).toEqual([6, 6]);
      expect(top % 2).toBe(0);
      // The patch is the image's pixels in the box.
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 6; x++) {
          const from = (n * 784 + (top + y) * 28 + left + x) * 4;
          const to = (n * 36 + y * 6 + x) * 4;
          expect(result.top.patches[to]).toBe(result.top.rgba[from]);
        }
      }
    }
    // A flat unit sees the whole image.
    const flat = await run({
      target: { type: 'logit', index: 3 },
      data: { ...TEST_DIGITS, limit: 20 },
      k: 2,
      patches: true
    });
    expect(Array.from(flat.result.top.boxes.subarray(0, 4))).toEqual([
      0, 0, 28, 28
    ]);
  });

  it('reads kernel arrays by content key: uint8 and float, labels', async () => {
    const images = new Uint8Array(5 * 28 * 28);
    images.fill(255, 3 * 784, 4 * 784); // image 3 is white
    core.putArrays('a'.repeat(64), [
      { name: 'images', shape: [5, 28, 28], data: images },
      { name: 'labels', shape: [5], data: Int32Array.from([0, 1, 2, 3, 4]) }
    ]);
    expect(core.hasArrays('a'.repeat(64))).toBe(true);
    const { result, summary } = await run({
      target: { type: 'channel', layer: 'conv2d', channel: 0, reduce: 'mean' },
      data: { source: 'kernel', key: 'a'.repeat(64) },
      k: 5
    });
    expect(summary.count).toBe(5);
    expect(Array.from(result.top.labels)).toEqual(
      Array.from(result.top.indices)
    );
    // Float values go to the model as they are: 255 × image 3 ranks the same.
    core.putArrays('b'.repeat(64), [
      {
        name: 'images',
        shape: [5, 28, 28, 1],
        data: Float32Array.from(images, v => v / 255)
      }
    ]);
    const floats = await run({
      target: { type: 'channel', layer: 'conv2d', channel: 0, reduce: 'mean' },
      data: { source: 'kernel', key: 'b'.repeat(64) },
      k: 5
    });
    expect(Array.from(floats.result.top.indices)).toEqual(
      Array.from(result.top.indices)
    );
    expect(Array.from(floats.result.top.labels)).toEqual([-1, -1, -1, -1, -1]);
  });

  it('reads .npy and .npz files with labels from the server', async () => {
    const fixtures = 'src/engine/dataset/__tests__/fixtures';
    // 3 images of 4×5: resized to the model's 28×28.
    const npy = await run({
      target: { type: 'logit', index: 1 },
      data: {
        source: 'npy',
        url: fileUrl(`${fixtures}/images_u8.npy`),
        name: 'images_u8.npy',
        labels: {
          url: fileUrl(`${fixtures}/labels_i8.npy`),
          name: 'labels_i8.npy'
        }
      },
      k: 3
    });
    expect(npy.summary.count).toBe(3);
    expect(npy.result.top.labels.slice().sort()).toEqual(
      Int32Array.from([-2, 7, 1000000]).sort()
    );
    const npz = await run({
      target: { type: 'logit', index: 1 },
      data: {
        source: 'npy',
        url: fileUrl(`${fixtures}/data_compressed.npz`),
        name: 'data_compressed.npz',
        key: 'images',
        labels: { key: 'labels' }
      },
      k: 3
    });
    expect(Array.from(npz.result.top.indices)).toEqual(
      Array.from(npy.result.top.indices)
    );
  });

  function imageFolder(): {
    url: string;
    name: string;
    label: string;
    size: number;
  }[] {
    const files: { url: string; name: string; label: string; size: number }[] =
      [];
    for (const [label, shade] of [
      ['dark', 20],
      ['light', 230]
    ] as const) {
      fs.mkdirSync(path.join(tmp, label), { recursive: true });
      for (let i = 0; i < 3; i++) {
        // 14×14 RGBA: resized to 28×28 and made grey.
        const rgba = new Uint8Array(14 * 14 * 4).fill(shade + i);
        rgba.forEach((_, j) => j % 4 === 3 && (rgba[j] = 255));
        const file = path.join(tmp, label, `${i}.png`);
        fs.writeFileSync(file, encodePng(14, 14, rgba));
        files.push({
          url: `file://${file}`,
          name: `${label}/${i}.png`,
          label,
          size: fs.statSync(file).size
        });
      }
    }
    const corrupt = path.join(tmp, 'light', 'broken.png');
    fs.writeFileSync(corrupt, 'not an image');
    files.push({
      url: `file://${corrupt}`,
      name: 'light/broken.png',
      label: 'light',
      size: 12
    });
    return files;
  }

  it('reads a folder of images: labels from subfolders, a corrupt file skipped and counted', async () => {
    const files = imageFolder();
    const { summary, result } = await run({
      target: { type: 'channel', layer: 'conv2d', channel: 0, reduce: 'mean' },
      data: { source: 'folder', name: 'shapes/', files },
      k: 6,
      bottom: true
    });
    expect(summary).toMatchObject({
      count: 6,
      skipped: 1,
      labelNames: ['dark', 'light']
    });
    expect(result.labelNames).toEqual(['dark', 'light']);
    // The example images are grey, resized to 28×28.
    expect(result.width).toBe(28);
    const top = Array.from(result.top.indices);
    expect(top.slice().sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.each([
    [
      'a channel count the model does not take',
      (): DataRequest => {
        core.putArrays('c'.repeat(64), [
          {
            name: 'images',
            shape: [2, 28, 28, 3],
            data: new Uint8Array(2 * 784 * 3)
          }
        ]);
        return { source: 'kernel', key: 'c'.repeat(64) };
      },
      /The model takes images with 1 channel; the kernel arrays has 3/
    ],
    [
      'a kernel key the page does not hold',
      (): DataRequest => ({ source: 'kernel', key: 'd'.repeat(64) }),
      /not in the page: run the cell again/
    ],
    [
      'a file over the cap',
      (): DataRequest => ({
        source: 'npy',
        url: fileUrl('src/engine/dataset/__tests__/fixtures/images_u8.npy'),
        name: 'images_u8.npy',
        maxBytes: 100
      }),
      /images_u8.npy is 0.0 MB, over the 0 MB cap of the "Largest dataset" setting/
    ],
    [
      'a missing .npz key',
      (): DataRequest => ({
        source: 'npy',
        url: fileUrl('src/engine/dataset/__tests__/fixtures/data.npz'),
        name: 'data.npz',
        key: 'pixels'
      }),
      /data.npz has no array "pixels"; it has images, labels/
    ],
    [
      'a folder of corrupt files only',
      (): DataRequest => ({
        source: 'folder',
        name: 'broken/',
        files: imageFolder().filter(f => f.name.endsWith('broken.png'))
      }),
      /broken\/ holds no readable images: all 1 files failed to decode/
    ]
  ])('fails on %s with a message naming it', async (_, data, message) => {
    await expect(
      run({ target: { type: 'logit', index: 0 }, data: data() })
    ).rejects.toThrow(message);
  });

  it('names a bad unit before reading any data', async () => {
    await expect(
      run({
        target: { type: 'channel', layer: 'conv2d_1', channel: 64 },
        data: TEST_DIGITS
      })
    ).rejects.toThrow(
      /Layer "conv2d_1" has 64 channels \(0 to 63\); channel 64/
    );
    await expect(
      run({
        target: { type: 'neuron', layer: 'dense', channel: 2, x: 1 },
        data: TEST_DIGITS
      })
    ).rejects.toThrow(/"dense" is flat .*give the unit only/);
    await expect(
      run({ target: { type: 'logit', index: 10 }, data: TEST_DIGITS })
    ).rejects.toThrow(/Layer "logits" has 10 units \(0 to 9\); unit 10/);
  });

  it('peaks at the same tensors and bytes for 1,000 and 10,000 digits', async () => {
    const executor = new LayersExecutor(loaded.model);
    const dataset = arrayDataset(
      'digits',
      { shape: [10000, 28, 28], data: digits.pixels },
      null
    );
    const fit = fitTo(dataset, executor.inputShape, [0, 1]);
    const unit = resolveUnit(executor, {
      type: 'channel',
      layer: 'conv2d_1',
      channel: 5
    });
    const peak = async (count: number) => {
      let tensors = 0;
      let bytes = 0;
      await activationPass({
        executor,
        dataset,
        range: [0, count],
        fit,
        unit,
        k: 16,
        bottom: true,
        batchSize: 250,
        onPeak: m => {
          tensors = Math.max(tensors, m.numTensors);
          bytes = Math.max(bytes, m.numBytes);
        }
      });
      return { tensors, bytes };
    };
    const small = await peak(1000);
    const large = await peak(10000);
    expect(large).toEqual(small);
    executor.dispose();
  });

  it('leaves no tensors behind after runs, cancels and failures', async () => {
    const job = {
      target: { type: 'channel', layer: 'conv2d_1', channel: 1 } as const,
      data: TEST_DIGITS,
      k: 4,
      patches: true,
      bottom: true
    };
    await run(job); // the model and digits are loaded and kept from here
    const baseline = core.memory().numTensors;
    await run(job);
    expect(core.memory().numTensors).toBe(baseline);
    await expect(
      run({ ...job, data: { ...TEST_DIGITS, limit: 2000 } }, events =>
        events.some(e => e.type === 'progress')
      )
    ).rejects.toThrow('cancelled');
    expect(core.memory().numTensors).toBe(baseline);
    // A non-finite activation fails the pass midway. (The arrays are checked
    // when put; this one is spoiled afterwards, in place.)
    const spoiled = new Float32Array(600 * 784);
    core.putArrays('e'.repeat(64), [
      { name: 'images', shape: [600, 28, 28], data: spoiled }
    ]);
    spoiled.fill(NaN, 450 * 784, 451 * 784);
    await expect(
      run({ ...job, data: { source: 'kernel', key: 'e'.repeat(64) } })
    ).rejects.toThrow(/Layer "conv2d_1" gives NaN for example 450/);
    expect(core.memory().numTensors).toBe(baseline);
  });
});
