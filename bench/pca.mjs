#!/usr/bin/env node
/**
 * The PCA benchmark, in one run:
 *
 * - seconds and peak memory of the engine's PCA job on the 10,000 bundled
 *   digits at conv2d (10,000 × 26·26·32 activations, the randomized solver;
 *   Node on WASM, bench/pca-bench.ts: the layer recomputed on each pass)
 *   beside scikit-learn's randomized PCA of the same activations held in
 *   memory (bench/reference/sklearn_pca.py), and how well they agree; with
 *   the engine's pool of 1, 2 and 4 workers (Node worker threads, each its
 *   own WASM instance; one process per size, so each peak RSS is that
 *   pool's), each pass split by example (projection/pca-shares.ts);
 * - frames per second while a drag pans 100,000 and 1,000,000 points
 *   (and 1,000: the frame rate this browser reaches at all, the ceiling)
 *   through the view's navigator, and while the camera is moved every
 *   frame (each frame a full redraw by regl-scatterplot on the view's shared
 *   renderer), in headless Chromium on software WebGL (SwiftShader); the
 *   time from the drag's end to the redrawn plot; the time of a lasso
 *   selection (bench/scatter-entry.ts).
 *
 * Prints a table and writes bench/results/pca.json.
 *
 *   node bench/pca.mjs [--repetitions N] [--limit N] [--workers 1,2,4]
 *                      [--skip engine,browser]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  BUILD,
  ROOT,
  bundleForNode,
  machineLine,
  option,
  python,
  roundedStats,
  runPerPoolSize,
  skipped,
  writeResults
} from './common.mjs';

const repetitions = Number(option('repetitions', 3));
const sizes = option('workers', '1,2,4').split(',').map(Number);
const skip = skipped();

const workload = {
  id: 'mnist-cnn/pca-conv2d',
  model: 'assets/models/mnist-cnn/model.json',
  data: 'assets/datasets/mnist/mnist.json',
  layer: 'conv2d',
  components: 2,
  limit: Number(option('limit', 10000)),
  repetitions
};

const stats = values => roundedStats(values, 2);

/** |correlation| of column c of two row-major n × k arrays. */
const correlation = (a, b, k, c) => {
  const n = a.length / k;
  let [ma, mb, ab, aa, bb] = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    ma += a[i * k + c] / n;
    mb += b[i * k + c] / n;
  }
  for (let i = 0; i < n; i++) {
    const [x, y] = [a[i * k + c] - ma, b[i * k + c] - mb];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return Math.abs(ab / Math.sqrt(aa * bb));
};

const json = (command, argv, options = {}) =>
  JSON.parse(
    execFileSync(command, argv, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 28,
      ...options
    })
  );

const results = {
  workload,
  date: new Date().toISOString(),
  cpus: cpus().length
};

if (!skip.has('engine')) {
  const bundle = await bundleForNode('bench/pca-bench.ts', 'pca.cjs');
  console.log(
    `${workload.id}: ${workload.limit} digits, ${repetitions} repetitions each; workers ${sizes.join(', ')}; ${machineLine()}`
  );
  const pools = await runPerPoolSize(bundle, workload, sizes);
  const engine = pools[0];
  const sklearn = json(
    python,
    [join(ROOT, 'bench/reference/sklearn_pca.py'), JSON.stringify(workload)],
    {
      env: { ...process.env, PYTHONPATH: join(ROOT, 'bench/reference') }
    }
  );
  const k = workload.components;
  const engineRow = run => ({
    backend: `node-${run.backend}`,
    workers: run.workers,
    unit: 's',
    ...stats(run.values),
    solver: run.solver,
    passes: run.passes,
    batchSize: run.batchSize,
    maxRssMB: Math.round(run.maxRssMB),
    wasmHeapMB: run.wasmHeapMB,
    threads: run.threads,
    coreMemoryMB: run.coreMemoryMB,
    leakedTensors: run.leaked,
    explainedVarianceRatio: run.ratio
  });
  results.engine = engineRow(engine);
  results.pool = pools.map(engineRow);
  results.sklearn = {
    backend: `scikit-learn randomized (${sklearn.threads} threads)`,
    unit: 's',
    ...stats(sklearn.values),
    activationsSeconds: Math.round(sklearn.activationsSeconds * 100) / 100,
    shape: sklearn.shape,
    maxRssMB: Math.round(sklearn.maxRssMB),
    explainedVarianceRatio: sklearn.ratio
  };
  results.agreement = {
    ratioDifference: engine.ratio.map((r, c) => Math.abs(r - sklearn.ratio[c])),
    coordinateCorrelation: Array.from({ length: k }, (_, c) =>
      correlation(engine.coordinates, sklearn.coordinates, k, c)
    )
  };
  results.ratio =
    Math.round((results.engine.median / results.sklearn.median) * 100) / 100;
  const round = x => Math.round(x * 100) / 100;
  for (const [i, row] of results.pool.entries()) {
    row.speedup = round(results.engine.median / row.median);
    row.vsSklearn = round(row.median / results.sklearn.median);
    // Each size's PCA against the single worker's: the same projection.
    row.correlationWithOneWorker = Array.from(
      { length: k },
      (_, c) =>
        round(
          correlation(pools[i].coordinates, engine.coordinates, k, c) * 1e6
        ) / 1e6
    );
    console.log(
      `${`${row.backend} × ${row.workers}`.padEnd(36)} ${String(row.median).padStart(8)} s (min ${row.min}, max ${row.max}); ${row.speedup}× one worker, ${row.vsSklearn}× scikit-learn's time; peak RSS ${row.maxRssMB} MB (WASM heaps ${row.wasmHeapMB.join(' + ')} MB)`
    );
  }
  console.log(
    `${results.sklearn.backend.padEnd(36)} ${String(results.sklearn.median).padStart(8)} s (min ${results.sklearn.min}, max ${results.sklearn.max}), peak RSS ${results.sklearn.maxRssMB} MB`
  );
  console.log(
    `engine / scikit-learn: ${results.ratio}× (scikit-learn's time excludes computing the activations: ${results.sklearn.activationsSeconds} s in PyTorch); agreement: ${JSON.stringify(results.agreement)}`
  );
}

if (!skip.has('browser')) {
  const esbuild = await import('esbuild');
  mkdirSync(BUILD, { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, 'bench/scatter-entry.ts')],
    outfile: join(BUILD, 'scatter.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    logLevel: 'warning'
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist'
    ]
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', error => console.log(`[page error] ${error}`));
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: join(BUILD, 'scatter.js') });
    results.scatter = [];
    for (const points of [1_000, 100_000, 1_000_000]) {
      const runs = [];
      for (let rep = 0; rep < repetitions; rep++) {
        runs.push(
          await page.evaluate(n => window.scatterBench.measure(n, 3), points)
        );
      }
      const row = {
        backend: 'chromium-swiftshader',
        points,
        webgl: runs[0].webgl,
        navigatorFps: stats(runs.map(r => r.navigatorFps)),
        navigatorRedraws: stats(runs.map(r => r.navigatorRedraws)),
        settleMs: stats(runs.map(r => r.settleMs)),
        fps: stats(runs.map(r => r.fps)),
        drawMs: stats(runs.map(r => r.drawMs)),
        lassoMs: stats(runs.map(r => r.lassoMs)),
        selected: runs[0].selected
      };
      results.scatter.push(row);
      console.log(
        `${String(points).padStart(9)} points: ${row.navigatorFps.median} fps dragging (min ${row.navigatorFps.min}, max ${row.navigatorFps.max}; ${row.navigatorRedraws.median} full redraws in ${3} s; drawn ${row.settleMs.median} ms after the drag ends); ${row.fps.median} fps redrawing every frame (min ${row.fps.min}, max ${row.fps.max}); first draw ${row.drawMs.median} ms; lasso ${row.lassoMs.median} ms (min ${row.lassoMs.min}, max ${row.lassoMs.max}) selecting ${row.selected}`
      );
    }
  } finally {
    await browser.close();
  }
}

writeResults('pca.json', results);
