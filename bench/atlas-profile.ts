/**
 * Where an atlas step's time goes at each batch size (bundled and run by
 * bench/atlas-profile.mjs in Node on WASM, one thread): the bundled MNIST
 * CNN's conv2d_1 atlas (bench/workloads.json's recipe) over the first
 * `batch` channels, its steps profiled kernel by kernel (WASM kernels run
 * synchronously, so a kernel's time is its own). Prints one JSON line per
 * batch: ms per step in all, in kernels, and the kernels that cost most,
 * with their calls per step. Figures, not a test: a share of a pooled atlas
 * is a smaller batch, and what does not shrink with the batch caps the
 * pool's speed-up.
 *
 * TRANSFORMS (JSON: a preset or a list of the spec's transforms; "small"
 * by default) changes the recipe's transforms; ATLAS_PROFILE=0 times the
 * runs only (the profile holds every kernel's record, which changes how
 * the garbage collector works: run with node --trace-gc to count its
 * collections).
 *
 *   node atlas-profile.cjs <repo root> <wasm dir> <steps> <batch,batch,...>
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { LayersExecutor } from '../src/engine/model/executor';
import { type ILoadedLayersModel, loadModel } from '../src/engine/model/load';
import { runLayerAtlas } from '../src/engine/optvis/ascent';
import { fileFetch } from '../src/engine/testing/files';
import { runMain } from './pool-core';

async function main(): Promise<void> {
  const [root, wasmDir, stepsText, batchesText] = process.argv.slice(2);
  const steps = Number(stepsText);
  setWasmPaths(wasmDir);
  await tf.setBackend('wasm');
  await tf.ready();
  const url = new URL('assets/models/mnist-cnn/model.json', `file://${root}/`);
  const loaded = (await loadModel(url.href, {
    fetch: fileFetch()
  })) as ILoadedLayersModel;
  const executor = new LayersExecutor(loaded.model);
  const run = async (batch: number) => {
    const frames = runLayerAtlas(
      'conv2d_1',
      Array.from({ length: batch }, (_, i) => i),
      {
        preset: 'plain',
        param: 'fourier',
        transforms: JSON.parse(process.env.TRANSFORMS ?? '"small"'),
        steps,
        frameEvery: steps + 1,
        thresholds: [],
        seed: 0
      },
      { executor, inputRange: loaded.metadata.inputRange }
    );
    const started = performance.now();
    for await (const frame of frames) {
      void frame;
    }
    return performance.now() - started;
  };
  for (const batch of batchesText.split(',').map(Number)) {
    await run(batch);
    const wall = await run(batch);
    // ATLAS_PROFILE=0: timings only (the profile holds every kernel's record).
    const profile =
      process.env.ATLAS_PROFILE === '0'
        ? { kernels: [] }
        : await tf.profile(() => run(batch));
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const kernel of profile.kernels) {
      const ms = await kernel.kernelTimeMs;
      const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
      entry.ms += typeof ms === 'number' ? ms : 0;
      entry.calls += 1;
      byKernel.set(kernel.name, entry);
    }
    const inKernels = [...byKernel.values()].reduce((a, k) => a + k.ms, 0);
    const top = [...byKernel.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, Number(process.env.TOP ?? 14))
      .map(([name, k]) => [
        name,
        Math.round((k.ms / steps) * 100) / 100,
        Math.round((k.calls / steps) * 10) / 10
      ]);
    const perStep = (ms: number) => Math.round((ms / steps) * 100) / 100;
    process.stdout.write(
      JSON.stringify({
        batch,
        msPerStep: perStep(wall),
        msPerChannelStep: Math.round((wall / steps / batch) * 1000) / 1000,
        kernelMsPerStep: perStep(inKernels),
        kernelCallsPerStep: Math.round(profile.kernels.length / steps),
        top
      }) + '\n'
    );
  }
  executor.dispose();
}

runMain(main);
