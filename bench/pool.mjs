#!/usr/bin/env node
/**
 * The pool benchmark (docs/architecture.md, "Memory and speed"): digits per
 * second of the top-examples activation pass over the bundled 10,000 digits
 * up to conv2d_1 with the engine's pool of 1, 2 and 4 workers (Node worker
 * threads, each its own WASM instance, as nested Web Workers are in a
 * browser; bench/pool-bench.ts, one process per size so that each peak RSS
 * is that pool's alone), beside PyTorch with 2 threads in the same run
 * (bench/reference/torch_top_examples.py). Prints a table with each size's
 * speed-up over one worker and ratio to PyTorch, and writes
 * bench/results/pool.json.
 *
 *   node bench/pool.mjs [--repetitions N] [--workers 1,2,4]
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  bundleForNode,
  machineLine,
  option,
  poolRow,
  printPoolRow,
  python,
  roundedStats,
  runJson,
  runPerPoolSize,
  writeResults
} from './common.mjs';

const repetitions = Number(option('repetitions', 5));
const sizes = option('workers', '1,2,4').split(',').map(Number);

const workload = {
  id: 'mnist-cnn/top-examples (pool)',
  model: 'assets/models/mnist-cnn/model.json',
  data: 'assets/datasets/mnist/mnist.json',
  target: { type: 'channel', layer: 'conv2d_1', channel: 5, reduce: 'max' },
  k: 9,
  repetitions
};

const stats = values => roundedStats(values, 1);
const json = runJson;

const bundle = await bundleForNode('bench/pool-bench.ts', 'pool.cjs');
console.log(
  `${workload.id}: ${repetitions} repetitions after a warm-up run; ${machineLine()}`
);
const engine = {};
(await runPerPoolSize(bundle, workload, sizes)).forEach((run, i) => {
  engine[sizes[i]] = run;
});
const torch = json(
  python,
  [
    join(ROOT, 'bench/reference/torch_top_examples.py'),
    JSON.stringify(workload),
    String(engine[sizes[0]].batchSize)
  ],
  {
    env: {
      ...process.env,
      PYTHONPATH: join(ROOT, 'bench/reference'),
      OMP_NUM_THREADS: '2'
    }
  }
);
const pytorch = {
  backend: `pytorch-cpu (${torch.threads} threads)`,
  unit: 'digits/s',
  ...stats(torch.values),
  maxRssMB: Math.round(torch.maxRssMB)
};
const single = stats(engine[sizes[0]].values).median;
const rows = sizes.map(size =>
  poolRow(engine[size], {
    unit: 'digits/s',
    single,
    pytorch: pytorch.median,
    check: {
      sameRanking:
        JSON.stringify(engine[size].top) === JSON.stringify(torch.top)
    }
  })
);
for (const row of rows) {
  printPoolRow(row, { 'same ranking': row.sameRanking });
}
console.log(
  `${pytorch.backend.padEnd(22)} ${String(pytorch.median).padStart(8)} ${pytorch.unit} (min ${pytorch.min}, max ${pytorch.max}); peak RSS ${pytorch.maxRssMB} MB`
);
writeResults('pool.json', {
  workload,
  date: new Date().toISOString(),
  cpus: cpus().length,
  load: loadavg(),
  runner: 'Node worker_threads (one WASM instance per thread)',
  engine: rows,
  pytorch,
  layerAtlas:
    'split over the pool: node bench/pool-atlas.mjs (bench/results/pool-atlas.json)'
});
