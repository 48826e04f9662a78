#!/usr/bin/env node
/**
 * `node bench/attribution.mjs`: times the engine's attribution lenses
 * (bench/attribution.json: occlusion of one digit at every position, Integrated
 * Gradients with 64 steps) in Node on WASM and CPU, and PyTorch on the CPU
 * doing the same work in the same run (bench/reference/torch_attribution.py).
 * Prints a table and writes bench/results/attribution.json. Figures, not a
 * test: nothing here fails on speed.
 *
 *   node bench/attribution.mjs [--repetitions N] [--skip cpu,reference]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(ROOT, 'bench', '.build');
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const skip = new Set((option('skip', '') || '').split(',').filter(Boolean));
const spec = JSON.parse(
  readFileSync(join(ROOT, 'bench', 'attribution.json'), 'utf8')
);
const repetitions = Number(option('repetitions', spec.repetitions));
const python =
  process.env.PYTHON ||
  (existsSync(join(ROOT, '.venv/bin/python'))
    ? join(ROOT, '.venv/bin/python')
    : 'python3');

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(BUILD, { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, 'bench/attribution-bench.ts')],
    outfile: join(BUILD, 'attribution.cjs'),
    bundle: true,
    logLevel: 'warning',
    target: 'es2020',
    platform: 'node',
    format: 'cjs',
    // Node loads tfjs's own CommonJS builds (the same single copy).
    external: ['@tensorflow/*']
  });
}

/** fetch for file:// URLs (the runs read the checkout's files). */
async function fileFetch(url) {
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

async function runNode() {
  const bench = require(join(BUILD, 'attribution.cjs'));
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const measures = [];
  for (const backend of ['wasm', 'cpu'].filter(b => !skip.has(b))) {
    const results = await bench.runAttributionBench(
      {
        ...spec,
        backend,
        wasmPaths: wasmDir + '/',
        fetch: fileFetch,
        base: pathToFileURL(ROOT + '/').toString(),
        repetitions
      },
      line => console.log(`[node] ${line}`)
    );
    measures.push(
      ...results.map(r => ({ ...r, backend: `node-${r.backend}` }))
    );
  }
  return measures;
}

function runReference() {
  const run = spawnSync(
    python,
    [
      join(ROOT, 'bench/reference/torch_attribution.py'),
      '--repetitions',
      String(repetitions)
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 }
  );
  process.stderr.write(run.stderr ?? '');
  if (run.status !== 0) {
    console.log('[pytorch] failed: no yardstick');
    return {};
  }
  return JSON.parse(run.stdout);
}

const stats = values => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    min: sorted[0],
    max: sorted[sorted.length - 1]
  };
};

await build();
const measures = await runNode();
const reference = skip.has('reference') ? {} : runReference();
const rows = measures.map(m => {
  const ref = reference[m.workload];
  const s = stats(m.values);
  return {
    workload: m.workload,
    backend: m.backend,
    unit: m.unit,
    ...s,
    leakedTensors: m.leakedTensors,
    pytorch_median: ref ? ref.median : null,
    // How many times PyTorch's time ours takes (lower is better).
    slower: ref ? s.median / ref.median : null
  };
});
for (const work of spec.workloads) {
  const ref = reference[work.id];
  if (ref) {
    rows.push({
      workload: work.id,
      backend: 'pytorch-cpu',
      unit: ref.unit,
      median: ref.median,
      min: ref.min,
      max: ref.max,
      pytorch_median: ref.median,
      slower: 1
    });
  }
}
const pad = (text, n) => String(text).padEnd(n);
const num = v =>
  v === null || v === undefined ? '-' : v.toFixed(v >= 100 ? 0 : 1);
console.log(
  '\n' +
    ['workload', 'backend', 'median ms', 'min', 'max', 'pytorch', '× pytorch']
      .map((t, i) => pad(t, [36, 14, 10, 8, 8, 8, 8][i]))
      .join(' ')
);
for (const r of rows) {
  console.log(
    [
      pad(r.workload, 36),
      pad(r.backend, 14),
      pad(num(r.median), 10),
      pad(num(r.min), 8),
      pad(num(r.max), 8),
      pad(num(r.pytorch_median), 8),
      r.slower === null ? '-' : r.slower.toFixed(1)
    ].join(' ')
  );
}
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/attribution.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      torch: reference.torch ?? null,
      threads: reference.threads ?? null,
      repetitions,
      rows
    },
    null,
    1
  ) + '\n'
);
console.log('\nwrote bench/results/attribution.json');
