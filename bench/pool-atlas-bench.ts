/**
 * The pooled atlas benchmark's TensorFlow.js side (bundled and run by
 * bench/pool-atlas.mjs in Node, once per pool size): the engine's
 * layer-atlas job on WASM, with the engine's pool of `workers` (this thread
 * and worker threads, each its own WASM instance, as a browser's nested Web
 * Workers are). The workload is bench/workloads.json's atlas (the same one
 * bench/run.mjs times on one worker and PyTorch times in
 * bench/reference/torch_bench.py): its first step untimed, channels per
 * second over the next `steps` (from the merged frame of step 1 to the
 * last's). Prints one JSON line: the rates, the last frame's per-image
 * values (to compare sizes), and the pool's memory.
 *
 *   node pool-atlas.cjs '<workload JSON>' <repo root> <wasm dir> <worker bundle> <workers>
 */
import type { EngineCore } from '../src/engine/runtime/core';
import type {
  JobEvent,
  JobRequest,
  JobSummaryOf
} from '../src/engine/runtime/protocol';
import { closeWithMemory, pooledCore, runMain } from './pool-core';

interface IAtlasWorkload {
  readonly model: string;
  readonly layer: string;
  readonly channels: number;
  readonly param: 'pixel' | 'fourier';
  readonly transforms: 'none' | 'small' | 'standard';
  readonly steps: number;
  readonly repetitions: number;
  /** Stream a frame every this many steps too (the product's cadence). */
  readonly frameEvery?: number;
}

/** Runs the atlas; resolves with ms from step 1's frame to the last's. */
function timedAtlas(
  core: EngineCore,
  request: JobRequest,
  last: number
): Promise<{ ms: number; perImage: number[] }> {
  return new Promise((resolve, reject) => {
    let start = NaN;
    let end = NaN;
    core.submit(request, (event: JobEvent) => {
      if (event.type === 'frame') {
        if (event.frame.step === 1) {
          start = performance.now();
        } else if (event.frame.step === last) {
          end = performance.now();
        }
      } else if (event.type === 'done') {
        resolve({
          ms: end - start,
          // The request's kind is the atlas: so is its summary.
          perImage: [...(event.summary as JobSummaryOf<'layer-atlas'>).perImage]
        });
      } else if (event.type === 'failed' || event.type === 'cancelled') {
        reject(new Error(JSON.stringify(event)));
      }
    });
  });
}

async function main(): Promise<void> {
  const [spec, root, wasmDir, bundle, count] = process.argv.slice(2);
  const work = JSON.parse(spec) as IAtlasWorkload;
  const workers = Number(count);
  const core = pooledCore(wasmDir, bundle, workers);
  const status = await core.start();
  const request = (seed: number): JobRequest => ({
    kind: 'layer-atlas',
    model: { url: new URL(work.model, `file://${root}/`).href },
    layer: work.layer,
    channels: Array.from({ length: work.channels }, (_, i) => i),
    // As bench/engine-bench.ts pins it: PyTorch's recipe, frames at 0, 1
    // and the last step only (unless the workload asks for more).
    optimization: {
      preset: 'plain',
      param: work.param,
      transforms: work.transforms,
      steps: work.steps + 1,
      frameEvery: work.frameEvery ?? work.steps + 2,
      thresholds: [1],
      seed
    }
  });
  // The first run loads the model and starts the workers.
  const first = await timedAtlas(core, request(0), work.steps + 1);
  const values: number[] = [];
  for (let rep = 0; rep < work.repetitions; rep++) {
    const { ms } = await timedAtlas(core, request(rep), work.steps + 1);
    values.push(work.channels / (ms / 1000));
  }
  const memory = await closeWithMemory(core);
  process.stdout.write(
    JSON.stringify({
      backend: status.backend,
      workers: status.workers,
      values,
      perImage: first.perImage,
      ...memory
    }) + '\n'
  );
}

runMain(main);
