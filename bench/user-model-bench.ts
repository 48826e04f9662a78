/**
 * The user-model benchmark's TensorFlow.js side (bundled and run by
 * bench/user-model.mjs in Node on WASM): the page's part of receiving a
 * model converted in the kernel — the comm's two buffers decoded
 * (src/kernel/wire.ts), put into the engine and loaded through its kernel
 * model store and loader, the executor built — timed per repetition; then
 * gradient ascent on one channel of a middle layer through the engine's own
 * job (plain preset, no frames until the end), in steps per second. Prints
 * one JSON line; figures, not a test.
 *
 *   node user-model.cjs '<workload JSON>' <model folder> <wasm dir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { LayersExecutor } from '../src/engine/model/executor';
import {
  KernelModelStore,
  kernelModelUrl
} from '../src/engine/model/kernel-models';
import { loadModel } from '../src/engine/model/load';
import { EngineCore } from '../src/engine/runtime/core';
import type { JobRequest } from '../src/engine/runtime/protocol';
import { decodeArrays } from '../src/kernel/wire';

interface IWorkload {
  readonly layer: string;
  readonly channel: number;
  readonly steps: number;
  readonly warmup: number;
  readonly repetitions: number;
}

const KEY = 'b'.repeat(64);

function buffers(folder: string) {
  const json = fs.readFileSync(path.join(folder, 'model.json'));
  const weights = fs.readFileSync(path.join(folder, 'group1-shard1of1.bin'));
  // Compact, as the kernel sends it.
  const compact = Buffer.from(JSON.stringify(JSON.parse(json.toString())));
  return {
    described: [
      { name: 'model.json', dtype: 'uint8', shape: [compact.length] },
      { name: 'weights', dtype: 'uint8', shape: [weights.length] }
    ],
    views: [new Uint8Array(compact), new Uint8Array(weights)]
  };
}

async function receive(folder: string): Promise<number> {
  const { described, views } = buffers(folder);
  const start = performance.now();
  const arrays = decodeArrays(described, views);
  const store = new KernelModelStore();
  store.put(KEY, arrays);
  const loaded = await loadModel(kernelModelUrl(KEY), {
    fetch: store.fetch(),
    format: 'layers'
  });
  if (loaded.format !== 'layers') {
    throw new Error('a converted model is a Layers model');
  }
  const executor = new LayersExecutor(loaded.model);
  const elapsed = performance.now() - start;
  executor.dispose();
  loaded.model.dispose();
  return elapsed;
}

function ascent(core: EngineCore, work: IWorkload, steps: number) {
  const request: JobRequest = {
    kind: 'gradient-ascent',
    model: { url: kernelModelUrl(KEY), format: 'layers' },
    objective: {
      type: 'channel',
      layer: work.layer,
      channel: work.channel,
      reduce: 'mean'
    },
    optimization: { preset: 'plain', steps, frameEvery: steps }
  };
  return new Promise<number>((resolve, reject) => {
    let first = 0;
    core.submit(request, event => {
      if (event.type === 'frame' && event.frame.step === 0) {
        first = performance.now();
      } else if (event.type === 'done') {
        resolve(steps / ((performance.now() - first) / 1000));
      } else if (event.type === 'failed') {
        reject(new Error(event.error.message));
      }
    });
  });
}

async function main(): Promise<void> {
  const [spec, folder, wasmDir] = process.argv.slice(2);
  const work = JSON.parse(spec) as IWorkload;
  const core = new EngineCore({ candidates: ['wasm'], wasmPaths: wasmDir });
  await core.start();
  const receiveMs: number[] = [];
  for (let i = 0; i <= work.repetitions; i++) {
    receiveMs.push(await receive(folder));
  }
  const { described, views } = buffers(folder);
  core.putArrays(KEY, decodeArrays(described, views));
  await ascent(core, work, work.warmup);
  const rates: number[] = [];
  for (let i = 0; i < work.repetitions; i++) {
    rates.push(await ascent(core, work, work.steps));
  }
  process.stdout.write(
    JSON.stringify({
      backend: core.status().backend,
      receiveMs: receiveMs.slice(1),
      stepsPerSecond: rates
    })
  );
}

main().catch(reason => {
  console.error(reason);
  process.exit(1);
});
