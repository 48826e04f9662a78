/**
 * Job estimates against independent oracles: multiply-adds counted from the
 * model's own configuration with the textbook formulas, and memory against
 * the peak that tf.profile measures while the real job runs.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import type { Objective } from '../../../spec/types.generated';
import { JobTooLargeError } from '../../errors';
import { LayersExecutor } from '../../model/executor';
import { describeLayers } from '../../model/inspect';
import { type ILoadedLayersModel, loadModel } from '../../model/load';
import { runGradientAscent, runLayerAtlas } from '../../optvis/ascent';
import { useBackend } from '../../testing/backends';
import { ROOT, fileFetch, fileUrl } from '../../testing/files';
import {
  checkLimits,
  estimateJob,
  layersUpTo,
  objectiveLayers
} from '../estimate';

const MODEL_JSON = 'assets/models/mnist-cnn/model.json';

interface IKerasLayer {
  class_name: string;
  config: {
    name: string;
    filters?: number;
    kernel_size?: number[];
    units?: number;
    batch_input_shape?: (number | null)[];
  };
}

/**
 * Multiply-adds per image of each layer, from model.json alone: a valid 3×3
 * convolution maps H×W to (H−2)×(W−2) and costs (k·k·c_in + 1)·filters per
 * output position (the +1 is the bias); a dense layer (in + 1)·units; 2×2
 * pooling halves each side; the other layers cost one per output element.
 */
function textbookMacs(): Map<string, number> {
  const json = JSON.parse(fs.readFileSync(`${ROOT}/${MODEL_JSON}`, 'utf8'));
  const layers = json.modelTopology.config.layers as IKerasLayer[];
  let [h, w, c] = [28, 28, 1];
  let flat = 0;
  const macs = new Map<string, number>();
  for (const { class_name: kind, config } of layers) {
    if (kind === 'Conv2D') {
      const [kh, kw] = config.kernel_size as number[];
      const filters = config.filters as number;
      [h, w] = [h - kh + 1, w - kw + 1];
      macs.set(config.name, h * w * (kh * kw * c + 1) * filters);
      c = filters;
    } else if (kind === 'MaxPooling2D') {
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
      macs.set(config.name, h * w * c);
    } else if (kind === 'Dropout') {
      macs.set(config.name, h * w * c);
    } else if (kind === 'Flatten') {
      flat = h * w * c;
      macs.set(config.name, flat);
    } else if (kind === 'Dense') {
      const units = config.units as number;
      macs.set(config.name, (flat + 1) * units);
      flat = units;
    }
  }
  return macs;
}

// tf.profile over three real runs: seconds on WASM (the backend of machines
// without a GPU, and the one measured here; the peak is the engine's tensor
// bookkeeping, not the backend's), minutes on the plain-JavaScript CPU one.
jest.setTimeout(600000);

describe('job estimates', () => {
  let loaded: ILoadedLayersModel;

  beforeAll(async () => {
    await useBackend('wasm');
    loaded = (await loadModel(fileUrl(MODEL_JSON), {
      fetch: fileFetch()
    })) as ILoadedLayersModel;
  });
  afterAll(() => loaded.model.dispose());

  it("counts a step's multiply-adds as the textbook formulas do", () => {
    const oracle = textbookMacs();
    const layers = describeLayers(loaded);
    for (const [deepest, batch] of [
      ['conv2d', 1],
      ['conv2d_1', 3],
      ['logits', 10]
    ] as const) {
      const through = layersUpTo(layers, [deepest]);
      const expected =
        batch * through.reduce((n, l) => n + (oracle.get(l.name) as number), 0);
      const estimate = estimateJob({
        batch,
        image: [28, 28, 1],
        steps: 1,
        param: 'pixel',
        layers: through
      });
      expect(estimate.macsPerStep).toBe(expected);
    }
  });

  it("scales the probe's measured time by the job's multiply-adds", () => {
    const layers = layersUpTo(describeLayers(loaded), ['conv2d']);
    const job = {
      batch: 2,
      image: [28, 28, 1] as const,
      steps: 100,
      param: 'pixel' as const,
      layers
    };
    const macs = estimateJob(job).macsPerStep;
    // A probe that does exactly one step's work in 3 ms: 100 steps, 300 ms.
    expect(estimateJob(job, { macs, ms: 3 }).ms).toBeCloseTo(300, 9);
    expect(estimateJob(job).ms).toBeNull();
  });

  it('reads the layers an objective tree names, the logits by default', () => {
    const tree: Objective = {
      type: 'sum',
      terms: [
        { type: 'channel', layer: 'conv2d_1', channel: 3 },
        {
          type: 'scale',
          factor: -0.1,
          term: { type: 'logit', index: 2 }
        },
        { type: 'total-variation' }
      ]
    };
    expect(objectiveLayers(tree, 'logits')).toEqual(['conv2d_1', 'logits']);
    expect(
      layersUpTo(describeLayers(loaded), ['conv2d_1']).map(l => l.name)
    ).toEqual(['conv2d', 'conv2d_1']);
  });

  /**
   * Peak bytes tf.profile sees over two steps of a real run, above what was
   * held before it. A first run keeps what the executor computes once from
   * the weights; the second is measured.
   */
  async function measuredPeak(
    run: () => AsyncGenerator<unknown, unknown, undefined>
  ): Promise<number> {
    const drain = async () => {
      for await (const _ of run()) {
        // Frames are plain data; the run frees its tensors itself.
      }
    };
    await drain();
    const before = tf.memory().numBytes;
    const profile = await tf.profile(drain);
    expect(tf.memory().numBytes).toBe(before);
    return profile.peakBytes - before;
  }

  it('estimates peak memory within a factor of two of the measured peak', async () => {
    const executor = new LayersExecutor(loaded.model);
    const layers = describeLayers(loaded);
    try {
      const cases = [
        {
          name: 'ten logits, pixels',
          shape: { batch: 10, size: 28, param: 'pixel' as const },
          read: ['logits'],
          run: () =>
            runGradientAscent(
              { type: 'logit', index: 3 },
              { preset: 'lucid', steps: 2, batch: 10, param: 'pixel' },
              { executor }
            )
        },
        {
          name: 'an atlas of conv2d_1, Fourier',
          shape: { batch: 16, size: 28, param: 'fourier' as const },
          read: ['conv2d_1'],
          run: () =>
            runLayerAtlas(
              'conv2d_1',
              Array.from({ length: 16 }, (_, i) => i * 4),
              { preset: 'lucid', steps: 2 },
              { executor }
            )
        },
        {
          name: 'one 96-pixel image of conv2d',
          shape: { batch: 1, size: 96, param: 'fourier' as const },
          read: ['conv2d'],
          run: () =>
            runGradientAscent(
              { type: 'channel', layer: 'conv2d', channel: 1 },
              { preset: 'lucid', steps: 2, size: [96, 96] },
              { executor }
            )
        }
      ];
      const ratios: number[] = [];
      for (const c of cases) {
        const measured = await measuredPeak(c.run);
        const estimate = estimateJob({
          batch: c.shape.batch,
          image: [c.shape.size, c.shape.size, 1],
          steps: 2,
          param: c.shape.param,
          layers: layersUpTo(layers, c.read)
        });
        const ratio = estimate.bytes / measured;
        console.log(
          `${c.name}: estimated ${estimate.bytes} bytes, measured peak ${measured} (×${ratio.toFixed(2)})`
        );
        ratios.push(ratio);
      }
      for (const ratio of ratios) {
        expect(ratio).toBeGreaterThan(0.5);
        expect(ratio).toBeLessThan(2);
      }
    } finally {
      executor.dispose();
    }
  });

  it('refuses a job over the caps, with the estimate in the message', () => {
    const shape = {
      batch: 1024,
      image: [1024, 1024, 3] as const,
      steps: 100000,
      param: 'fourier' as const,
      layers: layersUpTo(describeLayers(loaded), ['conv2d'])
    };
    const estimate = estimateJob(shape, { macs: 1e7, ms: 2 });
    expect(() => checkLimits(estimate, { maxBytes: 1024e6 }, shape)).toThrow(
      JobTooLargeError
    );
    expect(() => checkLimits(estimate, { maxBytes: 1024e6 }, shape)).toThrow(
      /^This job would need about \d+(\.\d+)? GB of memory \(1024 images of 1024×1024×3 and the activations of 1 layer\), over the 1024 MB limit\. .*"Largest job \(MB of memory\)"/
    );
    const small = { ...shape, batch: 1, image: [28, 28, 1] as const };
    expect(() =>
      checkLimits(
        estimateJob(small, { macs: 1e5, ms: 2 }),
        { maxMs: 60000 },
        small
      )
    ).toThrow(
      /^This job would need about [\d.]+ (minutes|hours) on this backend \(100000 steps of 1 image of 28×28×1, [\d.]+( million| billion)? multiply-adds each\), over the 1 minute limit/
    );
    expect(() =>
      checkLimits(
        estimateJob(small, { macs: 1e9, ms: 2 }),
        { maxBytes: 1e9, maxMs: 600000 },
        small
      )
    ).not.toThrow();
  });
});
