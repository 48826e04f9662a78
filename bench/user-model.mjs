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
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(ROOT, 'bench', '.build');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const at = args.indexOf('--repetitions');
const repetitions = at >= 0 ? Number(args[at + 1]) : 3;
const python =
  process.env.PYTHON ||
  (existsSync(join(ROOT, '.venv/bin/python'))
    ? join(ROOT, '.venv/bin/python')
    : 'python3');

const workload = {
  id: 'resnet18/from-torch',
  size: 224,
  layer: 'layer3.1.conv2',
  channel: 42,
  steps: 8,
  warmup: 2,
  repetitions
};

const stats = values => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = v => Math.round(v * 100) / 100;
  return {
    median: round(median),
    min: round(sorted[0]),
    max: round(sorted.at(-1)),
    values: values.map(round)
  };
};

const esbuild = await import('esbuild');
mkdirSync(BUILD, { recursive: true });
await esbuild.build({
  entryPoints: [join(ROOT, 'bench/user-model-bench.ts')],
  outfile: join(BUILD, 'user-model.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'es2020',
  logLevel: 'warning',
  external: ['@tensorflow/*']
});

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
  const wasmDir =
    dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
  const engine = json(process.execPath, [
    join(BUILD, 'user-model.cjs'),
    JSON.stringify(workload),
    folder,
    wasmDir
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
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/user-model.json'),
    JSON.stringify(
      {
        workload,
        date: new Date().toISOString(),
        cpus: cpus().length,
        torch: torch.torch,
        weightBytes: torch.weightBytes,
        ratio,
        ...rows
      },
      null,
      2
    ) + '\n'
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
