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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ROOT,
  bundleForNode,
  fileFetch,
  option,
  require,
  runPython,
  skipped,
  stats,
  wasmDir,
  writeResults
} from './common.mjs';

const skip = skipped();
const spec = JSON.parse(
  readFileSync(join(ROOT, 'bench', 'attribution.json'), 'utf8')
);
const repetitions = Number(option('repetitions', spec.repetitions));

async function runNode() {
  const bench = require(
    await bundleForNode('bench/attribution-bench.ts', 'attribution.cjs')
  );
  const measures = [];
  for (const backend of ['wasm', 'cpu'].filter(b => !skip.has(b))) {
    const results = await bench.runAttributionBench(
      {
        ...spec,
        backend,
        wasmPaths: wasmDir(),
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
  return (
    runPython('bench/reference/torch_attribution.py', [
      '--repetitions',
      String(repetitions)
    ]) ?? {}
  );
}

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
writeResults('attribution.json', {
  date: new Date().toISOString(),
  node: process.version,
  torch: reference.torch ?? null,
  threads: reference.threads ?? null,
  repetitions,
  rows
});
