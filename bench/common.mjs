/**
 * What every benchmark script shares: the checkout's paths, its options, the
 * Python that runs the PyTorch yardstick, bundling an engine entry for Node,
 * reading the checkout's files through a fetch, the figures (median, min,
 * max) and writing a results file. Each script keeps only its workload.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD = join(ROOT, 'bench', '.build');
export const require = createRequire(import.meta.url);

const args = process.argv.slice(2);

/** The value after `--name` on the command line, or `fallback`. */
export const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

/** What `--skip a,b` names. */
export const skipped = () =>
  new Set((option('skip', '') || '').split(',').filter(Boolean));

/** The checkout's own virtual environment's Python when it has one. */
export const python =
  process.env.PYTHON ||
  (existsSync(join(ROOT, '.venv/bin/python'))
    ? join(ROOT, '.venv/bin/python')
    : 'python3');

/** The folder of tfjs's WebAssembly binaries, ending in a separator. */
export const wasmDir = () =>
  dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;

/** Bundles a TypeScript entry of the benchmark for Node; returns its path. */
/**
 * Runs a bundled pool benchmark once per pool size (one process each, so
 * that each peak RSS is that pool's alone), with the Node pool worker
 * bundled beside it; returns the JSON line each size printed.
 */
export async function runPerPoolSize(bundle, workload, sizes) {
  const workerBundle = await bundleForNode(
    'src/engine/testing/node-share-worker.ts',
    'node-share-worker.cjs'
  );
  return sizes.map(size =>
    runJson(process.execPath, [
      bundle,
      JSON.stringify(workload),
      ROOT,
      wasmDir(),
      workerBundle,
      String(size)
    ])
  );
}

/** The machine's cores and load average, for a benchmark's header. */
export const machineLine = () =>
  `${cpus().length} cores, load ${loadavg()
    .map(l => l.toFixed(2))
    .join(' ')}`;

export async function bundleForNode(entry, outName) {
  const esbuild = await import('esbuild');
  mkdirSync(BUILD, { recursive: true });
  const outfile = join(BUILD, outName);
  await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    logLevel: 'warning',
    sourcemap: false,
    target: 'es2020',
    platform: 'node',
    format: 'cjs',
    // Node loads tfjs's own CommonJS builds (the same single copy).
    external: ['@tensorflow/*']
  });
  return outfile;
}

/** fetch for file:// URLs (the Node runs read the checkout's files). */
export async function fileFetch(url) {
  const path = fileURLToPath(url);
  const ok = existsSync(path);
  const body = ok ? readFileSync(path) : Buffer.alloc(0);
  return {
    ok,
    status: ok ? 200 : 404,
    statusText: ok ? 'OK' : 'Not Found',
    json: async () => JSON.parse(body.toString('utf8')),
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)
  };
}

/** Median (the mean of the middle two for an even count), min and max. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    median:
      sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    min: sorted[0],
    max: sorted[sorted.length - 1]
  };
}

/** stats() rounded to `decimals`, with every value kept (rounded too). */
export function roundedStats(values, decimals) {
  const scale = 10 ** decimals;
  const round = v => Math.round(v * scale) / scale;
  const { median, min, max } = stats(values);
  return {
    median: round(median),
    min: round(min),
    max: round(max),
    values: values.map(round)
  };
}

/**
 * Runs a script of bench/reference and parses the one JSON object it prints;
 * null (and the reason printed) when it fails, so the engine's rows stay.
 */
export function runPython(script, argv = [], env = {}) {
  const run = spawnSync(python, [join(ROOT, script), ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, ...env }
  });
  process.stderr.write(run.stderr ?? '');
  if (run.status !== 0) {
    console.log(`[pytorch] ${script} failed: no yardstick`);
    return null;
  }
  return JSON.parse(run.stdout);
}

/** Runs a command and parses the one JSON object it prints (stderr shown). */
export function runJson(command, argv, options = {}) {
  return JSON.parse(
    execFileSync(command, argv, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      ...options
    })
  );
}

/** Writes bench/results/<name> (pretty JSON) and says so. */
export function writeResults(name, value) {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results', name),
    JSON.stringify(value, null, 1) + '\n'
  );
  console.log(`\nwrote bench/results/${name}`);
}

/**
 * A pool size's row (bench/pool.mjs, pool-atlas.mjs): its rates' stats, its
 * speed-up over one worker's median, its ratio to PyTorch's (null without
 * a yardstick), `check` (whether its result agrees), and its memory.
 */
export function poolRow(run, { unit, single, pytorch, check }) {
  const round = v => Math.round(v * 100) / 100;
  const row = roundedStats(run.values, 1);
  return {
    workers: run.workers,
    backend: `node-${run.backend}`,
    unit,
    ...row,
    speedup: round(row.median / single),
    vsPytorch: pytorch ? round(row.median / pytorch) : null,
    ...check,
    maxRssMB: Math.round(run.maxRssMB),
    wasmHeapMB: run.wasmHeapMB,
    workerTensors: run.workerTensors
  };
}

/** Prints a pool size's row; `check` says what its check is called. */
export function printPoolRow(row, check) {
  const [name, value] = Object.entries(check)[0];
  console.log(
    `${`${row.backend} × ${row.workers}`.padEnd(22)} ${String(row.median).padStart(8)} ${row.unit} (min ${row.min}, max ${row.max}); ${row.speedup}× one worker${row.vsPytorch === null ? '' : `, ${row.vsPytorch}× PyTorch`}; peak RSS ${row.maxRssMB} MB (WASM heaps ${row.wasmHeapMB.join(' + ')} MB); ${name}: ${value}`
  );
}
