/**
 * The top-examples benchmark's TensorFlow.js side (bundled and run by
 * bench/top-examples.mjs in Node on WASM): the engine's own top-examples job
 * over the bundled 10,000 digits up to a conv layer, timed end to end as the
 * page runs it (EngineCore), then one activation pass with its peak tensors
 * and bytes. Prints one JSON line; figures, not a test.
 *
 *   node top-examples.cjs '<workload JSON>' <repo root> <wasm dir>
 */
import * as tf from '@tensorflow/tfjs';
import {
  activationPass,
  resolveUnit
} from '../src/engine/dataset/activation-pass';
import { arrayDataset, fitTo } from '../src/engine/dataset/dataset';
import { loadIdxDataset } from '../src/engine/dataset/images';
import { LayersExecutor } from '../src/engine/model/executor';
import { type ILoadedLayersModel, loadModel } from '../src/engine/model/load';
import { EngineCore } from '../src/engine/runtime/core';
import { fileFetch } from '../src/engine/testing/files';
import { runMain } from './pool-core';
import {
  type ITopExamplesWorkload,
  timedTopExamples
} from './top-examples-job';

async function main(): Promise<void> {
  const [spec, root, wasmDir] = process.argv.slice(2);
  const work = JSON.parse(spec) as ITopExamplesWorkload;
  const url = (relative: string) => new URL(relative, `file://${root}/`).href;
  const fetch = fileFetch();
  const core = new EngineCore({
    candidates: ['wasm'],
    wasmPaths: wasmDir,
    fetch
  });
  await core.start();
  const { first, rates } = await timedTopExamples(core, work, url);

  // Peak memory of the pass itself, at the job's batch size.
  const loaded = (await loadModel(url(work.model), {
    fetch
  })) as ILoadedLayersModel;
  const digits = await loadIdxDataset(url(work.data), { fetch });
  const executor = new LayersExecutor(loaded.model);
  const dataset = arrayDataset(
    'digits',
    { shape: [digits.count, 28, 28], data: digits.pixels },
    null
  );
  let peakTensors = 0;
  let peakBytes = 0;
  const before = tf.memory().numTensors;
  await activationPass({
    executor,
    dataset,
    range: [0, digits.count],
    fit: fitTo(dataset, executor.inputShape, [0, 1]),
    unit: resolveUnit(executor, work.target),
    k: work.k,
    bottom: false,
    batchSize: first.batchSize,
    onPeak: m => {
      peakTensors = Math.max(peakTensors, m.numTensors);
      peakBytes = Math.max(peakBytes, m.numBytes);
    }
  });
  executor.dispose();
  process.stdout.write(
    JSON.stringify({
      backend: first.backend,
      count: first.count,
      batchSize: first.batchSize,
      top: first.top.indices,
      values: rates,
      peakTensors,
      peakTensorBytes: peakBytes,
      leaked: tf.memory().numTensors - before,
      maxRssMB: process.resourceUsage().maxRSS / 1024
    }) + '\n'
  );
}

runMain(main);
