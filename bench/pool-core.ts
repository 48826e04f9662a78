/**
 * What the benchmarks' TensorFlow.js sides in Node share (bench/pool-bench.ts,
 * pool-atlas-bench.ts, pca-bench.ts, top-examples-bench.ts): an engine core
 * on WASM with a pool of `workers` (this thread and Node worker threads,
 * each its own WASM instance, as a browser's nested Web Workers are), the
 * pool's memory once the runs are done, and an entry's main run to its exit
 * code.
 */
import { EngineCore } from '../src/engine/runtime/core';
import { wasmHeapBytes } from '../src/engine/runtime/pool/share-worker-api';
import { fileFetch } from '../src/engine/testing/files';
import { nodePoolHost } from '../src/engine/testing/node-pool';

/** A core on WASM whose pool has `workers` (no pool for one). */
export function pooledCore(
  wasmDir: string,
  bundle: string | undefined,
  workers: number
): EngineCore {
  return new EngineCore({
    candidates: ['wasm'],
    wasmPaths: wasmDir,
    fetch: fileFetch(),
    maxWorkers: workers,
    // As many "cores" as asked for, plus the page's: oversubscribed at 4.
    pool: workers > 1 && bundle ? nodePoolHost(bundle, workers + 1) : undefined
  });
}

/** The pool's memory (each WASM heap's size is its peak), then closes it. */
export async function closeWithMemory(core: EngineCore): Promise<{
  wasmHeapMB: number[];
  workerTensors: number;
  maxRssMB: number;
}> {
  const states = (await core.pool?.states()) ?? [];
  const heaps = [wasmHeapBytes() ?? 0, ...states.map(s => s.peakBytes)];
  core.close();
  return {
    wasmHeapMB: heaps.map(b => Math.round(b / 1e4) / 100),
    // What the workers hold between jobs: the cached model's weights.
    workerTensors: states.reduce((a, s) => a + s.numTensors, 0),
    // The process's peak RSS holds every worker thread.
    maxRssMB: process.resourceUsage().maxRSS / 1024
  };
}

/** Runs an entry's main: exit 0 once its output is written, 1 on failure. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.stdout.write('', () => process.exit(0)),
    reason => {
      process.stderr.write(String(reason?.stack ?? reason));
      process.exit(1);
    }
  );
}
