/**
 * The benchmark's TensorFlow.js side, bundled by bench/run.mjs for Node and
 * for headless Chromium. It times the engine's own code (executor, objectives,
 * parameterizations, transforms, render loop) on the workloads of
 * bench/workloads.json.
 */
import * as tf from '@tensorflow/tfjs';
import { LayersExecutor } from '../src/engine/model/executor';
import { type FetchLike, loadModel } from '../src/engine/model/load';
import { runGradientAscent, runLayerAtlas } from '../src/engine/optvis/ascent';
import type { IFrame } from '../src/engine/optvis/render';
import {
  type WasmPaths,
  activateBackend,
  probeBackends
} from '../src/engine/runtime/backends';
import type { BackendName } from '../src/engine/runtime/capabilities';
import type { Objective } from '../src/spec/types.generated';

/**
 * The workloads pin what the PyTorch reference does: the 'plain' preset (a
 * random start, no regularizers, a channel's mean over positions), with the
 * parameterization, transforms and steps each workload names. The product's
 * default recipe (optvis/recipe.ts) would otherwise zoom conv channels on a
 * centre neuron and add scaled penalties.
 */
const PINNED = { preset: 'plain' } as const;

export interface IWorkload {
  id: string;
  network: string;
  objective: Objective;
  param: 'pixel' | 'fourier';
  decorrelate: boolean;
  transforms: 'none' | 'small' | 'standard';
  batch: number;
  steps: number;
  warmup: number;
}

export interface IAtlasWorkload {
  id: string;
  network: string;
  layer: string;
  channels: number;
  param: 'pixel' | 'fourier';
  transforms: 'none' | 'small' | 'standard';
  steps: number;
}

export interface IBenchConfig {
  backend: BackendName;
  wasmPaths?: WasmPaths;
  fetch?: FetchLike;
  /** URL of the repository root, where the networks' model.json live. */
  base: string;
  networks: Record<string, { model: string }>;
  workloads: IWorkload[];
  atlas?: IAtlasWorkload;
  repetitions: number;
  /** Channels timed one by one (the rest is extrapolated). */
  atlasSample?: number;
  leakRuns?: number;
}

export interface IMeasure {
  workload: string;
  backend: string;
  unit: string;
  values: number[];
  note?: string;
}

const now = (): number => performance.now();

async function timeRun(
  frames: AsyncGenerator<IFrame, IFrame, undefined>,
  from: number,
  to: number
): Promise<number> {
  let start = NaN;
  let end = NaN;
  for await (const frame of frames) {
    if (frame.step === from) {
      start = now();
    }
    if (frame.step === to) {
      end = now();
    }
  }
  return end - start;
}

export async function runBench(
  config: IBenchConfig,
  log: (line: string) => void = () => undefined
): Promise<IMeasure[]> {
  if (!(await activateBackend(config.backend, config.wasmPaths))) {
    throw new Error(`backend ${config.backend} did not start`);
  }
  const results: IMeasure[] = [];
  const executors = new Map<string, LayersExecutor>();
  const executorOf = async (network: string): Promise<LayersExecutor> => {
    let executor = executors.get(network);
    if (!executor) {
      const url = new URL(
        config.networks[network].model,
        config.base
      ).toString();
      const loaded = await loadModel(url, { fetch: config.fetch });
      if (loaded.format !== 'layers') {
        throw new Error(`${url} is not a Layers model`);
      }
      executor = new LayersExecutor(loaded.model);
      executors.set(network, executor);
    }
    return executor;
  };

  for (const w of config.workloads) {
    const executor = await executorOf(w.network);
    const values: number[] = [];
    for (let rep = 0; rep < config.repetitions; rep++) {
      const total = w.warmup + w.steps;
      const ms = await timeRun(
        runGradientAscent(
          w.objective,
          {
            ...PINNED,
            param: w.param,
            decorrelate: w.decorrelate,
            transforms: w.transforms,
            batch: w.batch,
            steps: total,
            seed: rep,
            frameEvery: total + 1,
            thresholds: [w.warmup]
          },
          { executor }
        ),
        w.warmup,
        total
      );
      values.push(w.steps / (ms / 1000));
    }
    log(
      `${config.backend} ${w.id}: ${values.map(v => v.toFixed(1)).join(', ')} steps/s`
    );
    results.push({
      workload: w.id,
      backend: config.backend,
      unit: 'steps/s',
      values
    });
  }

  if (config.atlas) {
    const a = config.atlas;
    const executor = await executorOf(a.network);
    const channels = Array.from({ length: a.channels }, (_, i) => i);
    const options = {
      ...PINNED,
      param: a.param,
      transforms: a.transforms,
      steps: a.steps + 1,
      frameEvery: a.steps + 2,
      thresholds: [1]
    };
    const batched: number[] = [];
    const sequential: number[] = [];
    const sample = Math.min(config.atlasSample ?? 8, a.channels);
    for (let rep = 0; rep < config.repetitions; rep++) {
      const ms = await timeRun(
        runLayerAtlas(
          a.layer,
          channels,
          { ...options, seed: rep },
          { executor }
        ),
        1,
        a.steps + 1
      );
      batched.push(a.channels / (ms / 1000));
      let one = 0;
      for (const c of channels.slice(0, sample)) {
        one += await timeRun(
          runGradientAscent(
            { type: 'channel', layer: a.layer, channel: c },
            { ...options, seed: rep },
            { executor }
          ),
          1,
          a.steps + 1
        );
      }
      sequential.push(sample / (one / 1000));
    }
    log(
      `${config.backend} atlas: batched ${batched.map(v => v.toFixed(0)).join(', ')}; one by one ${sequential.map(v => v.toFixed(1)).join(', ')} channels/s`
    );
    results.push({
      workload: `${a.id}-batched`,
      backend: config.backend,
      unit: 'channels/s',
      values: batched
    });
    results.push({
      workload: `${a.id}-sequential`,
      backend: config.backend,
      unit: 'channels/s',
      values: sequential,
      note: `${sample} of ${a.channels} channels timed, extrapolated`
    });
  }

  if (config.leakRuns) {
    const w = config.workloads[0];
    const executor = await executorOf(w.network);
    const once = () =>
      timeRun(
        runGradientAscent(
          w.objective,
          {
            ...PINNED,
            param: w.param,
            transforms: w.transforms,
            steps: 2,
            seed: 1
          },
          { executor }
        ),
        0,
        2
      );
    await once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < config.leakRuns; i++) {
      await once();
    }
    const leaked = tf.memory().numTensors - before;
    log(
      `${config.backend} tensors leaked after ${config.leakRuns} runs: ${leaked}`
    );
    results.push({
      workload: `leak/${config.leakRuns}-runs`,
      backend: config.backend,
      unit: 'tensors',
      values: [leaked]
    });
  }

  for (const executor of executors.values()) {
    executor.dispose();
  }
  return results;
}

/**
 * Cold start: from nothing to the first frame after one optimization step
 * (backend start, WASM or shader compilation, model download, first step).
 */
export async function coldFirstFrame(
  config: IBenchConfig,
  workload: IWorkload
): Promise<number> {
  const start = now();
  if (!(await activateBackend(config.backend, config.wasmPaths))) {
    throw new Error(`backend ${config.backend} did not start`);
  }
  const url = new URL(
    config.networks[workload.network].model,
    config.base
  ).toString();
  const loaded = await loadModel(url, { fetch: config.fetch });
  const executor = new LayersExecutor(loaded.model as tf.LayersModel);
  let firstFrame = NaN;
  for await (const frame of runGradientAscent(
    workload.objective,
    {
      ...PINNED,
      param: workload.param,
      decorrelate: workload.decorrelate,
      transforms: workload.transforms,
      steps: 1,
      frameEvery: 1
    },
    { executor }
  )) {
    if (frame.step === 1) {
      firstFrame = now() - start;
    }
  }
  executor.dispose();
  return firstFrame;
}

export { probeBackends, tf };
