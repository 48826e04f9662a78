/**
 * The PCA benchmark's TensorFlow.js side (bundled and run by bench/pca.mjs
 * in Node on WASM): the engine's PCA job over the bundled 10,000 digits at
 * conv2d (26·26·32 = 21,632 values each: the randomized solver), timed end to
 * end as the page runs it (EngineCore, the layer recomputed on each of its
 * passes), with the process's peak RSS and the pass's peak tensors, on the
 * engine's pool of `workers` (this thread and worker threads, each its own
 * WASM instance, as a browser's nested Web Workers are; the process's peak
 * RSS holds them all). Prints one JSON line; figures, not a test.
 *
 *   node pca.cjs '<workload JSON>' <repo root> <wasm dir> [<worker bundle> <workers>]
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineCore } from '../src/engine/runtime/core';
import type {
  JobRequest,
  JobResultOf,
  JobSummaryOf
} from '../src/engine/runtime/protocol';
import { closeWithMemory, pooledCore, runMain } from './pool-core';

interface IPcaWorkload {
  readonly model: string;
  readonly data: string;
  readonly layer: string;
  readonly components: number;
  readonly limit: number;
  readonly repetitions: number;
}

function job(core: EngineCore, request: JobRequest) {
  return new Promise<{
    summary: JobSummaryOf<'pca'>;
    result: JobResultOf<'pca'>;
  }>((resolve, reject) => {
    core.submit(request, event => {
      if (event.type === 'done') {
        resolve({
          summary: event.summary as JobSummaryOf<'pca'>,
          result: event.result as JobResultOf<'pca'>
        });
      } else if (event.type === 'failed') {
        reject(new Error(event.error.message));
      }
    });
  });
}

async function main(): Promise<void> {
  const [spec, root, wasmDir, bundle, count] = process.argv.slice(2);
  const work = JSON.parse(spec) as IPcaWorkload;
  const workers = Number(count ?? 1);
  const url = (relative: string) => new URL(relative, `file://${root}/`).href;
  const core = pooledCore(wasmDir, bundle, workers);
  const status = await core.start();
  const request: JobRequest = {
    kind: 'pca',
    model: { url: url(work.model) },
    layer: work.layer,
    components: work.components,
    data: {
      source: 'bundled',
      url: url(work.data),
      split: 'all',
      limit: work.limit
    }
  };
  // This thread's own peaks, sampled between batches: what its RSS holds.
  const peaks: Record<string, number> = {};
  const sampler = setInterval(() => {
    for (const [key, bytes] of Object.entries(process.memoryUsage())) {
      peaks[key] = Math.max(peaks[key] ?? 0, Math.round(bytes / 1e6));
    }
  }, 20);
  const before = tf.memory().numTensors;
  const seconds: number[] = [];
  let last: {
    summary: JobSummaryOf<'pca'>;
    result: JobResultOf<'pca'>;
  } | null = null;
  for (let rep = 0; rep < work.repetitions; rep++) {
    const start = performance.now();
    last = await job(core, request);
    seconds.push((performance.now() - start) / 1000);
  }
  if (!last) {
    throw new Error('no repetitions');
  }
  clearInterval(sampler);
  // The pool's worker threads that started (a share runs in the core where
  // one cannot).
  const threads = (await core.pool?.states())?.length ?? 0;
  const leaked = tf.memory().numTensors - before;
  const { wasmHeapMB, maxRssMB } = await closeWithMemory(core);
  process.stdout.write(
    JSON.stringify({
      backend: last.summary.backend,
      workers: status.workers,
      threads,
      count: last.summary.count,
      width: last.summary.width,
      solver: last.summary.solver,
      passes: last.summary.passes,
      batchSize: last.summary.batchSize,
      ratio: last.summary.explainedVarianceRatio,
      coordinates: Array.from(last.result.coordinates),
      values: seconds,
      // The model and digits stay loaded in the engine (as on a page).
      leaked,
      wasmHeapMB,
      maxRssMB,
      coreMemoryMB: peaks
    }) + '\n'
  );
}

// The JSON line is long (every coordinate): runMain exits once it is written.
runMain(main);
