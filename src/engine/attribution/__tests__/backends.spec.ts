/**
 * Every attribution method gives the same map on CPU and WASM, on a small
 * conv → max-pool → conv(ReLU) → dense model whose pooled values are
 * negative (a linear convolution before the pool) and tied (a blank patch of
 * the input): what WASM's own MaxPoolGrad gets wrong. And guided
 * backpropagation and deconvnet against a two-layer network whose guided
 * gradient is known in closed form.
 */
import * as tf from '@tensorflow/tfjs';
import { LayersExecutor } from '../../model/executor';
import { type TestBackend, useBackend } from '../../testing/backends';
import { gradCam } from '../grad-cam';
import {
  gradient,
  integratedGradients,
  modifiedGradient,
  seededNormals,
  smoothGrad
} from '../gradients';
import { occlude } from '../occlusion';
import { unitOf } from '../unit';

/** Deterministic weights, the same on every backend. */
function weights(count: number, seed: number): Float32Array {
  return Float32Array.from(
    { length: count },
    (_, i) => Math.sin((i + 1) * 12.9898 + seed * 78.233) * 0.6
  );
}

function poolModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [10, 10, 2],
        filters: 4,
        kernelSize: 3,
        activation: 'linear',
        name: 'conv_a'
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.conv2d({
        filters: 5,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv_b'
      }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 3, name: 'logits' })
    ]
  });
  model.layers.forEach((layer, n) =>
    tf.tidy(() =>
      layer.setWeights(
        layer
          .getWeights()
          .map((w, k) => tf.tensor(weights(w.size, 10 * n + k), w.shape))
      )
    )
  );
  return model;
}

/** An input with a blank patch (tied, negative pooled values after the bias). */
function poolInput(): tf.Tensor4D {
  const values = weights(200, 99).map((v, i) => {
    const row = Math.floor(i / 20);
    const col = Math.floor((i % 20) / 2);
    return row < 5 && col < 5 ? 0 : v;
  });
  return tf.tensor4d(values, [1, 10, 10, 2]);
}

type Maps = Record<string, Float32Array>;

async function allMethods(backend: TestBackend): Promise<Maps> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const model = poolModel();
  const executor = new LayersExecutor(model);
  const x = poolInput();
  try {
    const pooled = tf.tidy(() =>
      executor.forward(x, [{ layer: 'pool' }])[0].dataSync()
    );
    // The case this test is for: pooled windows at or below zero.
    expect(Math.min(...pooled)).toBeLessThan(0);
    const unit = unitOf(executor, { type: 'logit', index: 1 });
    const occlusion = await occlude(executor, unit, x, {
      size: 3,
      stride: 2,
      fill: 0,
      predict: true
    });
    const ig = await integratedGradients(executor, unit, x, {
      steps: 16,
      baseline: 0
    });
    const cam = await gradCam(executor, unit, x, 'conv_b');
    const maps: Maps = {
      gradient: await gradient(executor, unit, x),
      smoothgrad: await smoothGrad(executor, unit, x, {
        noise: 0.2,
        samples: 6,
        normals: seededNormals(3)
      }),
      ig: ig.attribution,
      guided: await modifiedGradient(model, 'guided', unit, x),
      deconvnet: await modifiedGradient(model, 'deconvnet', unit, x),
      camLow: cam.low,
      cam: cam.map,
      occlusionValues: occlusion.values,
      occlusionMap: occlusion.map,
      predictions: Float32Array.from(occlusion.predicted ?? [])
    };
    return maps;
  } finally {
    x.dispose();
    executor.dispose();
    model.dispose();
    // Nothing left behind by any method.
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe('attribution on CPU and WASM', () => {
  it('gives the same maps for every method', async () => {
    const cpu = await allMethods('cpu');
    const wasm = await allMethods('wasm');
    for (const [name, map] of Object.entries(cpu)) {
      const other = wasm[name];
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < map.length; i++) {
        diff = Math.max(diff, Math.abs(map[i] - other[i]));
        scale = Math.max(scale, Math.abs(map[i]));
      }
      expect([
        name,
        other.length,
        diff <= 1e-4 * Math.max(scale, 1e-6)
      ]).toEqual([name, map.length, true]);
      // Not a vacuous comparison: every map has something in it.
      if (name !== 'predictions') {
        expect([name, scale > 0]).toEqual([name, true]);
      }
    }
  });
});

describe.each(['cpu', 'wasm'] as const)(
  'guided backpropagation and deconvnet on %s',
  backend => {
    beforeAll(() => useBackend(backend));

    it('equal the closed form of a two-layer ReLU network', async () => {
      // y = w2 · relu(W1 x). Gradient: W1ᵀ (m ⊙ w2), m = 1[W1 x > 0];
      // guided: W1ᵀ (m ⊙ relu(w2)); deconvnet: W1ᵀ relu(w2).
      const W1 = [
        [1, -2, 0.5],
        [-1, 1, 1],
        [2, 0, -1],
        [0.5, 0.5, 0.5]
      ];
      const w2 = [1.5, -1, 2, -0.5];
      const x = [1, 0.5, -1];
      const m = W1.map(row =>
        row.reduce((s, w, j) => s + w * x[j], 0) > 0 ? 1 : 0
      );
      const back = (coefficients: number[]) =>
        x.map((_, j) =>
          W1.reduce((s, row, i) => s + row[j] * coefficients[i], 0)
        );
      const relu = (v: number) => Math.max(v, 0);
      const expected = {
        standard: back(w2.map((w, i) => m[i] * w)),
        guided: back(w2.map((w, i) => m[i] * relu(w))),
        deconvnet: back(w2.map(relu))
      };
      const model = tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [1, 1, 3], name: 'flatten' }),
          tf.layers.dense({
            units: 4,
            activation: 'relu',
            useBias: false,
            name: 'hidden',
            weights: [tf.tensor2d(W1).transpose()]
          }),
          tf.layers.dense({
            units: 1,
            useBias: false,
            name: 'out',
            weights: [tf.tensor2d(w2, [4, 1])]
          })
        ]
      });
      const executor = new LayersExecutor(model);
      const input = tf.tensor4d(x, [1, 1, 1, 3]);
      try {
        const unit = unitOf(executor, { type: 'logit', index: 0 });
        const close = (a: Float32Array, b: number[]) =>
          Array.from(a).every((v, i) => Math.abs(v - b[i]) < 1e-5);
        expect(
          close(await gradient(executor, unit, input), expected.standard)
        ).toBe(true);
        expect(
          close(
            await modifiedGradient(model, 'guided', unit, input),
            expected.guided
          )
        ).toBe(true);
        expect(
          close(
            await modifiedGradient(model, 'deconvnet', unit, input),
            expected.deconvnet
          )
        ).toBe(true);
        // The example tells the three rules apart.
        expect(expected.guided).not.toEqual(expected.deconvnet);
        expect(expected.guided).not.toEqual(expected.standard);
      } finally {
        input.dispose();
        executor.dispose();
        model.dispose();
      }
    });
  }
);
