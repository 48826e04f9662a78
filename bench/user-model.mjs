#!/usr/bin/env node
/**
 * The user-model benchmark: torchvision's resnet18 passed as an object.
 * Kernel side (bench/reference/torch_user_model.py): fv.Model.from_torch's
 * conversion time (trace, convert, hash, hold). Page side
 * (bench/user-model-bench.ts, Node on WASM): decoding the comm's buffers,
 * loading and building the executor. Then gradient-ascent steps per second
 * on one channel of layer3.1.conv2 at 224 px: the engine beside PyTorch on
 * the CPU in the same run. Prints a table and writes
 * bench/results/user-model.json.
 *
 *   PYTHON=<python with torchvision> node bench/user-model.mjs [--repetitions N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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

const repetitions = Number(option('repetitions', 3));

const workload = {
  id: 'resnet18/from-torch',
  size: 224,
  layer: 'layer3.1.conv2',
  channel: 42,
  steps: 8,
  warmup: 2,
  repetitions
};

const stats = values => roundedStats(values, 2);

const bundle = await bundleForNode(
  'bench/user-model-bench.ts',
  'user-model.cjs'
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

const folder = mkdtempSync(join(tmpdir(), 'featureviz-user-model-'));
try {
  console.log(`${workload.id}: ${repetitions} repetitions after a warm-up`);
  const torch = json(
    python,
    [
      join(ROOT, 'bench/reference/torch_user_model.py'),
      folder,
      JSON.stringify(workload)
    ],
    { env: { ...process.env, PYTHONPATH: ROOT } }
  );
  const engine = json(process.execPath, [
    bundle,
    JSON.stringify(workload),
    folder,
    wasmDir()
  ]);
  const rows = {
    convert: {
      side: 'kernel',
      what: 'from_torch (trace, convert, hash, hold)',
      unit: 'ms',
      ...stats(torch.convertMs)
    },
    receive: {
      side: 'page',
      what: 'decode buffers, load, build executor (node-wasm)',
      unit: 'ms',
      ...stats(engine.receiveMs)
    },
    engine: {
      side: 'page',
      what: `ascent steps at ${workload.size} px (node-${engine.backend})`,
      unit: 'steps/s',
      ...stats(engine.stepsPerSecond)
    },
    pytorch: {
      side: 'kernel',
      what: `ascent steps at ${workload.size} px (pytorch-cpu, ${torch.threads} threads)`,
      unit: 'steps/s',
      ...stats(torch.stepsPerSecond)
    }
  };
  for (const row of Object.values(rows)) {
    console.log(
      `${row.side.padEnd(7)} ${row.what.padEnd(58)} ${String(row.median).padStart(9)} ${row.unit} (min ${row.min}, max ${row.max})`
    );
  }
  const ratio =
    Math.round((rows.engine.median / rows.pytorch.median) * 100) / 100;
  console.log(
    `engine / PyTorch steps: ${ratio}×; weights ${(torch.weightBytes / 1e6).toFixed(1)} MB`
  );
  writeResults('user-model.json', {
    workload,
    date: new Date().toISOString(),
    cpus: cpus().length,
    torch: torch.torch,
    weightBytes: torch.weightBytes,
    ratio,
    ...rows
  });
} finally {
  rmSync(folder, { recursive: true, force: true });
}
