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
import { EngineCore } from '../src/engine/runtime/core';
import { wasmHeapBytes } from '../src/engine/runtime/pool/share-worker-api';
import { fileFetch } from '../src/engine/testing/files';
import { nodePoolHost } from '../src/engine/testing/node-pool';
import {
  type ITopExamplesWorkload,
  timedTopExamples
} from './top-examples-job';

async function main(): Promise<void> {
  const [spec, root, wasmDir, bundle, count] = process.argv.slice(2);
  const work = JSON.parse(spec) as ITopExamplesWorkload;
  const workers = Number(count);
  const url = (relative: string) => new URL(relative, `file://${root}/`).href;
  const core = new EngineCore({
    candidates: ['wasm'],
    wasmPaths: wasmDir,
    fetch: fileFetch(),
    maxWorkers: workers,
    // As many "cores" as asked for, plus the page's: oversubscribed at 4.
    pool: workers > 1 ? nodePoolHost(bundle, workers + 1) : undefined
  });
  const status = await core.start();
  // The first run loads the model and digits and starts the workers.
  const { first, rates } = await timedTopExamples(core, work, url);
  const states = (await core.pool?.states()) ?? [];
  const heaps = [wasmHeapBytes() ?? 0, ...states.map(s => s.peakBytes)];
  core.close();
  process.stdout.write(
    JSON.stringify({
      backend: status.backend,
      workers: status.workers,
      count: first.count,
      batchSize: first.batchSize,
      top: first.top.indices,
      values: rates,
      wasmHeapMB: heaps.map(b => Math.round(b / 1e4) / 100),
      // What the workers hold between jobs: the cached model's weights.
      workerTensors: states.reduce((a, s) => a + s.numTensors, 0),
      maxRssMB: process.resourceUsage().maxRSS / 1024
    }) + '\n'
  );
}

main().then(
  () => process.exit(0),
  reason => {
    process.stderr.write(String(reason?.stack ?? reason));
    process.exit(1);
  }
);
