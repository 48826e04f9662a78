/**
 * Every attribution method on the bundled MNIST model against the PyTorch
 * oracle (tests/python/attribution_oracle.py writes tests/fixtures/
 * attribution; a pytest checks the fixture is what PyTorch computes), on the
 * WASM backend for three digits and on the CPU backend for one: gradients, SmoothGrad (with the oracle's noise),
 * Integrated Gradients and Grad-CAM within 1e-4 of the map's largest value,
 * occlusion within float32 rounding (1e-5 of the unit), IG's completeness
 * within 1 %, and no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { DatasetStore } from '../../dataset/store';
import { LayersExecutor } from '../../model/executor';
import { type ILoadedLayersModel, loadModel } from '../../model/load';
import { TEST_BACKENDS, useBackend } from '../../testing/backends';
import { ROOT, fileFetch, fileUrl } from '../../testing/files';
import { gradCam } from '../grad-cam';
import {
  gradient,
  integratedGradients,
  modifiedGradient,
  smoothGrad
} from '../gradients';
import { loadInput } from '../input';
import { occlude } from '../occlusion';
import { type IUnit, unitOf } from '../unit';

interface IManifest {
  readonly smoothgrad: { noise: number; samples: number };
  readonly integratedGradients: { steps: number; baseline: number };
  readonly occlusions: { size: number; stride: number; fill: number }[];
  readonly camLayer: string;
  readonly channel: { layer: string; channel: number };
  readonly neuron: { layer: string; channel: number; x: number; y: number };
  readonly digits: {
    index: number;
    label: number;
    predicted: number;
    igSum: number;
    igDelta: number;
    occlusions: { base: number }[];
  }[];
  readonly arrays: Record<string, { offset: number; shape: number[] }>;
}

const FOLDER = path.join(ROOT, 'tests/fixtures/attribution');
const manifest = JSON.parse(
  fs.readFileSync(path.join(FOLDER, 'manifest.json'), 'utf8')
) as IManifest;
const bytes = fs.readFileSync(path.join(FOLDER, 'arrays.f32'));
const flat = new Float32Array(
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
);

function fixture(name: string): Float32Array {
  const entry = manifest.arrays[name];
  const size = entry.shape.reduce((a, b) => a * b, 1);
  return flat.subarray(entry.offset, entry.offset + size);
}

/** max |ours − oracle| / max |oracle|. */
function relativeError(ours: ArrayLike<number>, oracle: ArrayLike<number>) {
  expect(ours.length).toBe(oracle.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < oracle.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - oracle[i]));
    scale = Math.max(scale, Math.abs(oracle[i]));
  }
  return diff / Math.max(scale, 1e-12);
}

// Integrated Gradients' 64 passes on the bundled model take minutes on a
// busy 2-core machine's CPU backend.
jest.setTimeout(600000);

describe.each(TEST_BACKENDS)('attribution against PyTorch on %s', backend => {
  let loaded: ILoadedLayersModel;
  let executor: LayersExecutor;
  const fetch = fileFetch();
  const datasetUrl = fileUrl('assets/datasets/mnist/mnist.json');
  const store = new DatasetStore({ fetch });
  let before = 0;

  beforeAll(async () => {
    await useBackend(backend);
    loaded = (await loadModel(fileUrl('assets/models/mnist-cnn/model.json'), {
      fetch
    })) as ILoadedLayersModel;
    executor = new LayersExecutor(loaded.model);
    before = tf.memory().numTensors;
  });

  afterAll(() => {
    executor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    loaded.model.dispose();
  });

  async function input(index: number): Promise<tf.Tensor4D> {
    const { tensor, image } = await loadInput(
      {
        source: 'data',
        data: { source: 'bundled', url: datasetUrl, split: 'test' },
        index
      },
      executor,
      loaded.metadata.inputRange,
      (data, shape) => store.load(data, shape)
    );
    expect(image.name).toBe(`mnist test #${index}`);
    return tensor;
  }

  // The CPU backend is ~50× slower here: one digit there, all on WASM.
  const digits =
    backend === 'cpu' ? manifest.digits.slice(-1) : manifest.digits;

  describe.each(digits)('digit $index (a $label)', digit => {
    const key = `digit${digit.index}`;
    let x: tf.Tensor4D;
    let unit: IUnit;

    beforeAll(async () => {
      x = await input(digit.index);
      unit = unitOf(executor, { type: 'logit', index: digit.label });
    });

    afterAll(() => x.dispose());

    it('has the gradient, for a logit, a channel and a neuron', async () => {
      expect(
        relativeError(
          await gradient(executor, unit, x),
          fixture(`${key}/gradient`)
        )
      ).toBeLessThan(1e-4);
      const channel = unitOf(executor, {
        type: 'channel',
        reduce: 'max',
        ...manifest.channel
      });
      expect(
        relativeError(
          await gradient(executor, channel, x),
          fixture(`${key}/channel-gradient`)
        )
      ).toBeLessThan(1e-4);
      const neuron = unitOf(executor, { type: 'neuron', ...manifest.neuron });
      expect(
        relativeError(
          await gradient(executor, neuron, x),
          fixture(`${key}/neuron-gradient`)
        )
      ).toBeLessThan(1e-4);
    });

    it('has guided backpropagation and deconvnet', async () => {
      for (const [rule, name] of [
        ['guided', 'guided-backprop'],
        ['deconvnet', 'deconvnet']
      ] as const) {
        const ours = await modifiedGradient(loaded.model, rule, unit, x);
        expect(relativeError(ours, fixture(`${key}/${name}`))).toBeLessThan(
          1e-4
        );
      }
    });

    it('has SmoothGrad, given the same noise', async () => {
      const noise = fixture(`${key}/smoothgrad-noise`);
      let used = 0;
      const ours = await smoothGrad(executor, unit, x, {
        ...manifest.smoothgrad,
        normals: count => {
          const part = noise.slice(used, used + count);
          used += count;
          return part;
        }
      });
      expect(used).toBe(noise.length);
      expect(relativeError(ours, fixture(`${key}/smoothgrad`))).toBeLessThan(
        1e-4
      );
    });

    it('has Integrated Gradients, complete within 1 %', async () => {
      const { attribution, completeness } = await integratedGradients(
        executor,
        unit,
        x,
        manifest.integratedGradients
      );
      expect(
        relativeError(attribution, fixture(`${key}/integrated-gradients`))
      ).toBeLessThan(1e-4);
      const [check] = completeness;
      expect(check.sum).toBeCloseTo(digit.igSum, 3);
      expect(check.delta).toBeCloseTo(digit.igDelta, 3);
      expect(check.error).toBeLessThan(0.01);
    });

    it('has Grad-CAM at the layer and upsampled to the input', async () => {
      const maps = await gradCam(executor, unit, x, manifest.camLayer);
      expect(maps.lowShape).toEqual([24, 24]);
      expect(
        relativeError(maps.low, fixture(`${key}/grad-cam-low`))
      ).toBeLessThan(1e-4);
      expect(relativeError(maps.map, fixture(`${key}/grad-cam`))).toBeLessThan(
        1e-4
      );
    });

    it.each(manifest.occlusions.map((o, n) => ({ ...o, n })))(
      'has the occlusion values and map (size $size, stride $stride, fill $fill)',
      async ({ n, ...options }) => {
        const maps = await occlude(executor, unit, x, options);
        const base = digit.occlusions[n].base;
        expect(Math.abs(maps.base - base)).toBeLessThan(1e-5 * Math.abs(base));
        const oracle = fixture(`${key}/occlusion${n}/values`);
        expect(relativeError(maps.values, oracle)).toBeLessThan(1e-5);
        expect(
          relativeError(maps.map, fixture(`${key}/occlusion${n}/map`))
        ).toBeLessThan(1e-4);
        maps.change.forEach((percent, i) =>
          expect(percent).toBeCloseTo((100 * (oracle[i] - base)) / base, 2)
        );
      }
    );
  });
});
