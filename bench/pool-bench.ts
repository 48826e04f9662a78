/**
 * The pool benchmark's TensorFlow.js side (bundled and run by bench/pool.mjs
 * in Node, once per pool size): the engine's top-examples job over the
 * bundled 10,000 digits up to conv2d_1 on WASM, with the engine's pool of
 * `workers` (this thread and worker threads, each its own WASM instance, as
 * a browser's nested Web Workers are). Prints one JSON line: digits per
 * second per repetition, the ranking, and the pool's memory (the process's
 * peak RSS holds every worker thread; each WASM heap's size is its peak).
 *
 *   node pool.cjs '<workload JSON>' <repo root> <wasm dir> <worker bundle> <workers>
 */
import { closeWithMemory, pooledCore, runMain } from './pool-core';
import {
  type ITopExamplesWorkload,
  timedTopExamples
} from './top-examples-job';

async function main(): Promise<void> {
  const [spec, root, wasmDir, bundle, count] = process.argv.slice(2);
  const work = JSON.parse(spec) as ITopExamplesWorkload;
  const workers = Number(count);
  const url = (relative: string) => new URL(relative, `file://${root}/`).href;
  const core = pooledCore(wasmDir, bundle, workers);
  const status = await core.start();
  // The first run loads the model and digits and starts the workers.
  const { first, rates } = await timedTopExamples(core, work, url);
  const memory = await closeWithMemory(core);
  process.stdout.write(
    JSON.stringify({
      backend: status.backend,
      workers: status.workers,
      count: first.count,
      batchSize: first.batchSize,
      top: first.top.indices,
      values: rates,
      ...memory
    }) + '\n'
  );
}

runMain(main);
