/**
 * The attribution benchmark's TensorFlow.js side, bundled by
 * bench/attribution.mjs for Node. It times the engine's own attribution code
 * (src/engine/attribution/) on the workloads of bench/attribution.json:
 * occlusion of one digit at every position (stride 1) and Integrated
 * Gradients with 64 steps, each as the jobs run them (batched, paced).
 */
import * as tf from '@tensorflow/tfjs';
import { loadInput } from '../src/engine/attribution/input';
import { integratedGradients } from '../src/engine/attribution/gradients';
import { occlude } from '../src/engine/attribution/occlusion';
import { unitOf } from '../src/engine/attribution/unit';
import { DatasetStore } from '../src/engine/dataset/store';
import { LayersExecutor } from '../src/engine/model/executor';
import { type FetchLike, loadModel } from '../src/engine/model/load';
import {
  type WasmPaths,
  activateBackend
} from '../src/engine/runtime/backends';
import type { BackendName } from '../src/engine/runtime/capabilities';

export interface IAttributionWorkload {
  id: string;
  method: 'occlusion' | 'integrated-gradients';
  size?: number;
  stride?: number;
  fill?: number;
  steps?: number;
  baseline?: number;
  unit: string;
}

export interface IAttributionBenchConfig {
  backend: BackendName;
  wasmPaths?: WasmPaths;
  fetch?: FetchLike;
  /** URL of the repository root. */
  base: string;
  model: string;
  dataset: string;
  digit: { split: string; index: number; logit: number };
  workloads: IAttributionWorkload[];
  warmup: number;
  repetitions: number;
}

export interface IAttributionMeasure {
  workload: string;
  backend: string;
  unit: string;
  /** Milliseconds per run of the whole workload. */
  values: number[];
  leakedTensors: number;
}

export async function runAttributionBench(
  config: IAttributionBenchConfig,
  log: (line: string) => void = () => undefined
): Promise<IAttributionMeasure[]> {
  if (!(await activateBackend(config.backend, config.wasmPaths))) {
    throw new Error(`backend ${config.backend} did not start`);
  }
  const url = (path: string) => new URL(path, config.base).toString();
  const loaded = await loadModel(url(config.model), { fetch: config.fetch });
  if (loaded.format !== 'layers') {
    throw new Error(`${config.model} is not a Layers model`);
  }
  const executor = new LayersExecutor(loaded.model);
  const store = new DatasetStore({ fetch: config.fetch });
  const { tensor: x } = await loadInput(
    {
      source: 'data',
      data: {
        source: 'bundled',
        url: url(config.dataset),
        split: config.digit.split
      },
      index: config.digit.index
    },
    executor,
    loaded.metadata.inputRange,
    (request, shape) => store.load(request, shape)
  );
  const unit = unitOf(executor, { type: 'logit', index: config.digit.logit });
  const run = async (w: IAttributionWorkload): Promise<void> => {
    if (w.method === 'occlusion') {
      await occlude(executor, unit, x, {
        size: w.size ?? 7,
        stride: w.stride ?? 1,
        fill: w.fill ?? 0
      });
    } else {
      await integratedGradients(executor, unit, x, {
        steps: w.steps ?? 64,
        baseline: w.baseline ?? 0
      });
    }
  };
  const results: IAttributionMeasure[] = [];
  try {
    for (const w of config.workloads) {
      for (let i = 0; i < config.warmup; i++) {
        await run(w);
      }
      const before = tf.memory().numTensors;
      const values: number[] = [];
      for (let rep = 0; rep < config.repetitions; rep++) {
        const start = performance.now();
        await run(w);
        values.push(performance.now() - start);
      }
      const leakedTensors = tf.memory().numTensors - before;
      log(
        `${config.backend} ${w.id}: ${values.map(v => v.toFixed(0)).join(', ')} ms; leaked tensors: ${leakedTensors}`
      );
      results.push({
        workload: w.id,
        backend: config.backend,
        unit: w.unit,
        values,
        leakedTensors
      });
    }
  } finally {
    x.dispose();
    executor.dispose();
    loaded.model.dispose();
  }
  return results;
}
