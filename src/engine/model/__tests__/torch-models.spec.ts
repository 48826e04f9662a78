/**
 * Real architectures converted in the kernel (fv.Model.from_torch), run by
 * the engine on CPU and WASM and checked against PyTorch on the same weights
 * and inputs (tests/python/torch_models_oracle.py writes PyTorch's answers):
 * forward passes at named layers within 1e-4 relative, the input gradient
 * of a channel objective within 1e-3 relative (autograd), and a 16-step
 * gradient ascent that raises its objective. Each model reaches the engine
 * as the kernel sends it (two byte arrays put under a content key), through
 * the engine's own loader and caps.
 *
 * The oracle runs with `$FEATUREVIZ_ORACLE_PYTHON` (else `python`). A
 * network whose Python lacks torchvision is skipped, with the reason in the
 * test's name, except in CI (which installs torchvision from
 * requirements-dev.txt), where the oracle fails instead. vgg11_bn (530 MB of weights) and densenet121 run only with
 * FEATUREVIZ_HEAVY_NETS=1.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  type TestBackend,
  TEST_BACKENDS,
  useBackend,
  WASM_PATH
} from '../../testing/backends';
import { EngineCore } from '../../runtime/core';
import type { JobEvent } from '../../runtime/protocol';
import { LayersExecutor } from '../executor';
import { KernelModelStore, kernelModelUrl } from '../kernel-models';
import { loadModel } from '../load';

const LIGHT = ['residual-concat', 'resnet18', 'mobilenet_v2', 'squeezenet1_1'];
const HEAVY = ['vgg11_bn', 'densenet121'];
const NETS =
  process.env.FEATUREVIZ_NETS?.split(',') ??
  (process.env.FEATUREVIZ_HEAVY_NETS === '1' ? [...LIGHT, ...HEAVY] : LIGHT);

interface IMeta {
  readonly skipped?: string;
  readonly inputShape: [number, number, number, number];
  readonly layers: { name: string; shape: number[] }[];
  readonly gradient: { layer: string; channel: number; objective: number };
}

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'featureviz-torch-'));
execFileSync(
  process.env.FEATUREVIZ_ORACLE_PYTHON ?? 'python',
  [
    path.join(__dirname, '../../../../tests/python/torch_models_oracle.py'),
    OUT,
    ...NETS
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600000 }
);

function f32(file: string): Float32Array {
  const bytes = fs.readFileSync(file);
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  );
}

/** max|a − b| / max|b|: the error relative to the layer's scale. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** The folder's model as the kernel sends it: its bytes under a content key. */
function kernelArrays(folder: string) {
  const json = fs.readFileSync(path.join(folder, 'model.json'));
  const weights = fs.readFileSync(path.join(folder, 'group1-shard1of1.bin'));
  return [
    { name: 'model.json', shape: [json.length], data: new Uint8Array(json) },
    { name: 'weights', shape: [weights.length], data: new Uint8Array(weights) }
  ];
}

afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

for (const net of NETS) {
  const folder = path.join(OUT, net);
  const meta = JSON.parse(
    fs.readFileSync(path.join(folder, 'meta.json'), 'utf8')
  ) as IMeta;
  if (meta.skipped) {
    describe.skip(`${net} (skipped: ${meta.skipped})`, () => {
      it('is not built here', () => undefined);
    });
    continue;
  }
  const key = net
    .replace(/[^a-z0-9]/g, '')
    .padEnd(64, '0')
    .slice(0, 64);

  describe(`${net} converted from PyTorch`, () => {
    const store = new KernelModelStore();
    store.put(key, kernelArrays(folder));
    let model: LayersModel;
    // The executor picks its input-gradient strategy from the backend.
    const executors = new Map<string, LayersExecutor>();
    const executorOn = async (backend: TestBackend) => {
      await useBackend(backend);
      let executor = executors.get(backend);
      if (!executor) {
        executor = new LayersExecutor(model);
        executors.set(backend, executor);
      }
      return executor;
    };

    beforeAll(async () => {
      await useBackend('cpu');
      const loaded = await loadModel(kernelModelUrl(key), {
        fetch: store.fetch(),
        format: 'layers'
      });
      if (loaded.format !== 'layers') {
        throw new Error('a converted model is a Layers model');
      }
      model = loaded.model;
    });
    afterAll(() => {
      executors.forEach(e => e.dispose());
      model?.dispose();
    });

    for (const backend of TEST_BACKENDS) {
      it(`computes PyTorch's activations at named layers on ${backend}`, async () => {
        const executor = await executorOn(backend);
        const x = tf.tensor4d(
          f32(path.join(folder, 'inputs.f32')),
          meta.inputShape
        );
        const refs = meta.layers.map(l => ({ layer: l.name }));
        // Once first: the executor keeps what it computes once from the weights.
        tf.dispose(tf.tidy(() => executor.forward(x, refs)));
        const before = tf.memory().numTensors;
        const outputs = tf.tidy(() => executor.forward(x, refs));
        for (const [i, layer] of meta.layers.entries()) {
          expect([layer.name, outputs[i].shape]).toEqual([
            layer.name,
            layer.shape
          ]);
          const expected = f32(path.join(folder, `act-${i}.f32`));
          const error = relativeError(await outputs[i].data(), expected);
          expect([layer.name, error < 1e-4, error]).toEqual([
            layer.name,
            true,
            error
          ]);
        }
        tf.dispose(outputs);
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
      });

      it(`takes autograd's input gradient of a channel on ${backend}`, async () => {
        const executor = await executorOn(backend);
        const { layer, channel } = meta.gradient;
        const x = tf.tensor4d(
          f32(path.join(folder, 'inputs.f32')),
          meta.inputShape
        );
        const grad = tf.grad((input: tf.Tensor) => {
          const [a] = executor.forward(input as tf.Tensor4D, [
            { layer, channels: [channel] }
          ]);
          return tf.sum(tf.mean(a, [1, 2]));
        })(x);
        const error = relativeError(
          await grad.data(),
          f32(path.join(folder, 'grad.f32'))
        );
        tf.dispose([x, grad]);
        expect(error).toBeLessThan(1e-3);
      });
    }
  });

  describe(`${net}: gradient ascent in the engine`, () => {
    for (const backend of TEST_BACKENDS) {
      it(`raises a middle layer's channel in 16 steps on ${backend}`, async () => {
        const core = new EngineCore({
          candidates: [backend],
          choice: backend,
          wasmPaths: WASM_PATH
        });
        await core.start();
        core.putArrays(key, kernelArrays(folder));
        const events: JobEvent[] = [];
        const done = new Promise<void>(resolve => {
          core.submit(
            {
              kind: 'gradient-ascent',
              model: { url: kernelModelUrl(key), format: 'layers' },
              objective: {
                type: 'channel',
                layer: meta.gradient.layer,
                channel: meta.gradient.channel
              },
              optimization: { preset: 'plain', steps: 16, frameEvery: 16 }
            },
            event => {
              events.push(event);
              if (['done', 'failed', 'cancelled'].includes(event.type)) {
                resolve();
              }
            }
          );
        });
        await done;
        const last = events[events.length - 1];
        expect(last.type === 'failed' ? last.error.message : last.type).toBe(
          'done'
        );
        expect(core.status().backend).toBe(backend);
        expect(events.some(e => e.type === 'fallback')).toBe(false);
        const frames = events.flatMap(e =>
          e.type === 'frame' ? [e.frame] : []
        );
        expect(frames[0].step).toBe(0);
        expect(frames[frames.length - 1].step).toBe(16);
        expect(frames[frames.length - 1].value).toBeGreaterThan(
          frames[0].value
        );
      });
    }
  });
}
