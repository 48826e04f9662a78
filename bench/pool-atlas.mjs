#!/usr/bin/env node
/**
 * The pooled layer atlas benchmark (docs/architecture.md, "Memory and
 * speed"): channels per second of bench/workloads.json's atlas (the bundled
 * MNIST CNN's conv2d_1, 64 channels, Fourier, small transforms, 16 timed
 * steps) with the engine's pool of 1, 2 and 4 workers (Node worker threads,
 * each its own WASM instance; bench/pool-atlas-bench.ts, one process per
 * size so that each peak RSS is that pool's alone; the sizes run in turn,
 * `rounds` times, so that another process's load spreads over every size),
 * beside PyTorch with 2
 * threads doing the same atlas in the same run (bench/reference/
 * torch_bench.py's batched atlas). Prints each size's median, min and max,
 * its speed-up over one worker and its ratio to PyTorch, and writes
 * bench/results/pool-atlas.json.
 *
 * With --frame-every K the atlas also streams a frame every K steps, as
 * the product's runs do (a frame every steps / 64 by default), and the
 * figures go to bench/results/pool-atlas-frames.json: each frame of a
 * worker's share crosses to the core to be merged.
 *
 *   node bench/pool-atlas.mjs [--repetitions N] [--rounds R] [--workers 1,2,4]
 *                             [--frame-every K]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  bundleForNode,
  machineLine,
  option,
  poolRow,
  printPoolRow,
  roundedStats,
  runPerPoolSize,
  runPython,
  writeResults
} from './common.mjs';

const repetitions = Number(option('repetitions', 5));
const rounds = Number(option('rounds', 2));
const sizes = option('workers', '1,2,4').split(',').map(Number);
const frameEvery = option('frame-every', null);
const spec = JSON.parse(
  readFileSync(join(ROOT, 'bench/workloads.json'), 'utf8')
);
const { atlas } = spec;
const workload = {
  id: `${atlas.id} (pool)`,
  model: spec.networks[atlas.network].model,
  layer: atlas.layer,
  channels: atlas.channels,
  param: atlas.param,
  transforms: atlas.transforms,
  steps: atlas.steps,
  repetitions,
  ...(frameEvery ? { frameEvery: Number(frameEvery) } : {})
};
const stats = values => roundedStats(values, 1);

const bundle = await bundleForNode(
  'bench/pool-atlas-bench.ts',
  'pool-atlas.cjs'
);
console.log(
  `${workload.id}: ${rounds} rounds of ${repetitions} repetitions after a warm-up run; ${machineLine()}`
);
const runs = [];
for (let round = 0; round < rounds; round++) {
  (await runPerPoolSize(bundle, workload, sizes)).forEach((run, i) => {
    runs[i] = runs[i]
      ? { ...run, values: [...runs[i].values, ...run.values] }
      : run;
  });
}
const torch = runPython(
  'bench/reference/torch_bench.py',
  [
    '--only',
    `${atlas.id}-batched`,
    '--threads',
    '2',
    '--repetitions',
    String(repetitions),
    '--quiet'
  ],
  { OMP_NUM_THREADS: '2' }
);
const torchRow = torch?.[`${atlas.id}-batched`];
const pytorch = torchRow && {
  backend: `pytorch-cpu (${torch.threads} threads)`,
  unit: 'channels/s',
  ...stats(torchRow.values)
};
const single = stats(runs[0].values).median;
const rows = runs.map(run =>
  poolRow(run, {
    unit: 'channels/s',
    single,
    pytorch: pytorch?.median,
    // The pooled atlas equals one worker's: the seed-0 run's values.
    check: {
      sameAsOneWorker:
        JSON.stringify(run.perImage) === JSON.stringify(runs[0].perImage)
    }
  })
);
for (const row of rows) {
  printPoolRow(row, { 'equals one worker': row.sameAsOneWorker });
}
if (pytorch) {
  console.log(
    `${pytorch.backend.padEnd(22)} ${String(pytorch.median).padStart(8)} ${pytorch.unit} (min ${pytorch.min}, max ${pytorch.max})`
  );
}
writeResults(frameEvery ? 'pool-atlas-frames.json' : 'pool-atlas.json', {
  workload,
  date: new Date().toISOString(),
  cpus: cpus().length,
  load: loadavg(),
  runner: 'Node worker_threads (one WASM instance per thread)',
  engine: rows,
  pytorch: pytorch ?? null
});
