#!/usr/bin/env node
/**
 * The top-examples benchmark: digits per second of the batched activation
 * pass with top-k over the bundled 10,000 digits up to conv2d_1 — the
 * engine's top-examples job in Node on WASM (bench/top-examples-bench.ts)
 * beside the same work in PyTorch on the CPU in the same run
 * (bench/reference/torch_top_examples.py) — and their peak memory. Prints a
 * table and writes bench/results/top-examples.json (its own file: the
 * gradient-ascent figures in engine.json are left alone).
 *
 *   node bench/top-examples.mjs [--repetitions N]
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  bundleForNode,
  option,
  python,
  roundedStats,
  wasmDir,
  writeResults
} from './common.mjs';

const repetitions = Number(option('repetitions', 5));

const workload = {
  id: 'mnist-cnn/top-examples',
  model: 'assets/models/mnist-cnn/model.json',
  data: 'assets/datasets/mnist/mnist.json',
  target: { type: 'channel', layer: 'conv2d_1', channel: 5, reduce: 'max' },
  k: 9,
  repetitions
};

const stats = values => roundedStats(values, 1);

const bundle = await bundleForNode(
  'bench/top-examples-bench.ts',
  'top-examples.cjs'
);

const json = (command, argv, options = {}) =>
  JSON.parse(
    execFileSync(command, argv, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      ...options
    })
  );

console.log(`${workload.id}: ${repetitions} repetitions after a warm-up run`);
const engine = json(process.execPath, [
  bundle,
  JSON.stringify(workload),
  ROOT,
  wasmDir()
]);
const torch = json(
  python,
  [
    join(ROOT, 'bench/reference/torch_top_examples.py'),
    JSON.stringify(workload),
    String(engine.batchSize)
  ],
  { env: { ...process.env, PYTHONPATH: join(ROOT, 'bench/reference') } }
);
if (JSON.stringify(engine.top) !== JSON.stringify(torch.top)) {
  console.log(
    `[warn] the rankings differ: engine ${engine.top}, PyTorch ${torch.top}`
  );
}
const rows = {
  engine: {
    backend: `node-${engine.backend}`,
    unit: 'digits/s',
    ...stats(engine.values),
    batchSize: engine.batchSize,
    peakTensors: engine.peakTensors,
    peakTensorMB: Math.round(engine.peakTensorBytes / 1e4) / 100,
    maxRssMB: Math.round(engine.maxRssMB),
    leakedTensors: engine.leaked
  },
  pytorch: {
    backend: `pytorch-cpu (${torch.threads} threads)`,
    unit: 'digits/s',
    ...stats(torch.values),
    batchSize: engine.batchSize,
    maxRssMB: Math.round(torch.maxRssMB)
  }
};
const ratio =
  Math.round((rows.engine.median / rows.pytorch.median) * 100) / 100;
for (const row of Object.values(rows)) {
  console.log(
    `${row.backend.padEnd(26)} ${String(row.median).padStart(8)} ${row.unit} (min ${row.min}, max ${row.max}), peak RSS ${row.maxRssMB} MB`
  );
}
console.log(
  `engine / PyTorch: ${ratio}×; engine peak ${rows.engine.peakTensors} tensors, ${rows.engine.peakTensorMB} MB of tensors; same ranking: ${JSON.stringify(engine.top) === JSON.stringify(torch.top)}`
);
writeResults('top-examples.json', {
  workload,
  date: new Date().toISOString(),
  cpus: cpus().length,
  count: engine.count,
  sameRanking: JSON.stringify(engine.top) === JSON.stringify(torch.top),
  ratio,
  ...rows
});
