#!/usr/bin/env node
/**
 * `jlpm bench`: measures the engine on every backend it can run — in Node
 * (WASM, CPU) and in headless Debian Chromium (WASM, WebGL through
 * SwiftShader, CPU, WebGPU when present) — and PyTorch on the CPU doing the
 * same work (bench/reference/torch_bench.py). Prints a table and writes
 * bench/results/engine.json. Figures, not a test: nothing here fails on speed.
 * Without --only it also runs the walkthrough in a real JupyterLab (Galata,
 * ui-tests/tests/lab/main-thread.spec.ts) and reports the main thread's long
 * tasks as rows of their own (backend `jupyterlab-chromium`).
 *
 *   node bench/run.mjs [--repetitions N] [--only ID] [--lab-repetitions N]
 *                     [--skip node,browser,lab,reference]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BUILD,
  ROOT,
  fileFetch,
  option,
  python,
  require,
  skipped,
  stats
} from './common.mjs';

const skip = skipped();
const only = option('only');
const spec = JSON.parse(
  readFileSync(join(ROOT, 'bench', 'workloads.json'), 'utf8')
);
const repetitions = Number(option('repetitions', spec.repetitions));
const workloads = spec.workloads.filter(
  w => !only || w.id === only || w.network === only
);
const atlas = !only || only === spec.atlas.id ? spec.atlas : undefined;
const log = line => console.log(line);

// Slow backends do fewer steps per repetition on the big network, so that a
// run stays within minutes; their rows say so.
const SLOW_STEPS = { steps: 4, warmup: 1 };
// Software WebGL (SwiftShader) did not finish MobileNet's Lucid workload
// (5 repetitions of 1 + 4 steps) in 12 minutes on the 2-core machine; it is
// skipped there and its plain MobileNet row stays.
const skippedOn = (w, backend) =>
  backend === 'webgl' &&
  w.network.startsWith('mobilenet') &&
  w.transforms !== 'none';
function forBackend(list, backend) {
  for (const w of list.filter(w => skippedOn(w, backend))) {
    log(`[skip] ${w.id} on ${backend}: too slow on software WebGL`);
  }
  return list
    .filter(w => !skippedOn(w, backend))
    .map(w =>
      (backend === 'cpu' || backend === 'webgl') &&
      w.network.startsWith('mobilenet')
        ? { ...w, ...SLOW_STEPS, reduced: true }
        : w
    );
}

function ensureMobileNet() {
  const network = spec.networks['mobilenet-v1-0.5-128'];
  if (
    workloads.some(w => w.network === 'mobilenet-v1-0.5-128') &&
    !existsSync(join(ROOT, network.model))
  ) {
    log('Generating the MobileNet-v1 (alpha 0.5, 128x128, random weights)...');
    execFileSync(python, [join(ROOT, 'bench/models/make_mobilenet.py')], {
      cwd: ROOT,
      stdio: 'inherit'
    });
  }
}

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(BUILD, { recursive: true });
  const common = {
    bundle: true,
    logLevel: 'warning',
    sourcemap: false,
    target: 'es2020'
  };
  await esbuild.build({
    ...common,
    entryPoints: [join(ROOT, 'bench/engine-bench.ts')],
    outfile: join(BUILD, 'node.cjs'),
    platform: 'node',
    format: 'cjs',
    // Node loads tfjs's own CommonJS builds (the same single copy).
    external: ['@tensorflow/*']
  });
  for (const [entry, out] of [
    ['bench/browser-entry.ts', 'browser.js'],
    ['src/engine/runtime/worker.ts', 'worker.js']
  ]) {
    await esbuild.build({
      ...common,
      entryPoints: [join(ROOT, entry)],
      outfile: join(BUILD, out),
      platform: 'browser',
      format: 'iife',
      // tfjs-backend-wasm's loader mentions Node modules it never uses in a browser.
      external: ['fs', 'path', 'worker_threads', 'perf_hooks', 'os', 'crypto'],
      define: { 'process.env.NODE_ENV': '"production"' }
    });
  }
}

async function runNode() {
  const bench = require(join(BUILD, 'node.cjs'));
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const results = [];
  for (const backend of ['wasm', 'cpu']) {
    results.push(
      ...(
        await bench.runBench(
          {
            backend,
            wasmPaths: wasmDir + '/',
            fetch: fileFetch,
            base: pathToFileURL(ROOT + '/').toString(),
            networks: spec.networks,
            workloads: forBackend(workloads, backend),
            atlas: backend === 'wasm' ? atlas : undefined,
            repetitions,
            leakRuns: backend === 'wasm' ? 100 : undefined
          },
          line => log(`[node] ${line}`)
        )
      ).map(r => ({ ...r, backend: `node-${r.backend}` }))
    );
  }
  return results;
}

const MIME = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.json': 'application/json',
  '.wasm': 'application/wasm'
};

function serve() {
  const allowed = [
    'bench/',
    'assets/',
    'node_modules/@tensorflow/tfjs-backend-wasm/dist/'
  ];
  const server = createServer((request, response) => {
    const path = normalize(
      decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname)
    ).replace(/^\/+/, '');
    const file = join(ROOT, path);
    if (!allowed.some(prefix => path.startsWith(prefix)) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream'
    });
    response.end(readFileSync(file));
  });
  return new Promise(ready =>
    server.listen(0, '127.0.0.1', () => ready(server))
  );
}

async function runBrowser() {
  const { chromium } = await import('playwright-core');
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist'
    ]
  });
  const results = [];
  const extras = {};
  const wasmPaths = `${origin}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`;
  const open = async () => {
    const page = await browser.newPage();
    page.on('pageerror', error => log(`[page error] ${error}`));
    await page.goto(`${origin}/bench/page.html`);
    await page.waitForFunction(() => 'featurevizBench' in window);
    return page;
  };
  try {
    const probePage = await open();
    const hasWebGpu = await probePage.evaluate(() =>
      window.featurevizBench.hasWebGpu()
    );
    const backends = ['wasm', 'webgl', 'cpu', ...(hasWebGpu ? ['webgpu'] : [])];
    const t0 = Date.now();
    extras.probe = await probePage.evaluate(
      ([candidates, paths]) =>
        window.featurevizBench.probeBackends(candidates, { wasmPaths: paths }),
      [backends, wasmPaths]
    );
    extras.probeMs = Date.now() - t0;
    extras.webgpu = hasWebGpu;
    log(
      `[chromium] probe (${extras.probeMs} ms): ${extras.probe.map(p => `${p.backend}${p.software ? ' (software)' : ''} ${p.ok ? p.msPerStep.toFixed(1) + ' ms' : 'failed'}`).join(', ')}`
    );
    await probePage.close();

    for (const backend of backends) {
      const page = await open();
      page.setDefaultTimeout(600000);
      const config = {
        backend,
        wasmPaths,
        base: `${origin}/`,
        networks: spec.networks,
        workloads: forBackend(workloads, backend),
        atlas: backend === 'wasm' ? atlas : undefined,
        repetitions,
        leakRuns: backend === 'wasm' ? 100 : undefined
      };
      const cold = await page.evaluate(
        ([c, w]) => window.featurevizBench.coldFirstFrame(c, w),
        [config, workloads[0]]
      );
      log(`[chromium] ${backend} first frame, cold: ${cold.toFixed(0)} ms`);
      results.push({
        workload: `first-frame-cold/${workloads[0].id}`,
        backend: `chromium-${backend}`,
        unit: 'ms',
        values: [cold]
      });
      page.on('console', message => log(`[chromium] ${message.text()}`));
      const measured = await page.evaluate(
        c => window.featurevizBench.runBench(c, line => console.log(line)),
        config
      );
      results.push(
        ...measured.map(r => ({ ...r, backend: `chromium-${r.backend}` }))
      );
      await page.close();
    }

    // The page stays responsive: the worker computes, the main thread draws.
    const page = await open();
    const lucid = spec.workloads.find(w => w.id === 'mnist-cnn/lucid');
    const steps = 200;
    const run = await page.evaluate(
      ([worker, paths, request, n]) =>
        window.featurevizBench.workerRun(worker, paths, request, n),
      [
        `${origin}/bench/.build/worker.js`,
        wasmPaths,
        {
          kind: 'gradient-ascent',
          model: { url: `${origin}/${spec.networks[lucid.network].model}` },
          objective: lucid.objective,
          optimization: {
            param: lucid.param,
            transforms: lucid.transforms,
            steps,
            frameEvery: 2
          }
        },
        steps
      ]
    );
    extras.worker = run;
    const longest = run.longTasks.length ? Math.max(...run.longTasks) : 0;
    log(
      `[chromium] worker engine (${run.backend}): ${run.frames} frames drawn, ${run.stepsPerSecond.toFixed(0)} steps/s incl. probe, long tasks: ${run.longTasks.length} (longest ${longest.toFixed(0)} ms)`
    );
    results.push({
      workload: 'main-thread-long-tasks',
      backend: `chromium-worker-${run.backend}`,
      unit: 'tasks over 50 ms',
      values: [run.longTasks.length]
    });
  } finally {
    await browser.close();
    server.close();
  }
  return { results, extras };
}

/**
 * The walkthrough in a real JupyterLab, `labRepetitions` times: long tasks of
 * the page's main thread, all of them and those in which featureviz's code
 * ran (the Galata measurement prints how it tells them apart).
 */
function runLab() {
  const out = join(ROOT, 'bench', '.build', 'lab-long-tasks.jsonl');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, '');
  const labRepetitions = Number(option('lab-repetitions', 3));
  log(`[jupyterlab] the walkthrough, ${labRepetitions} times (Galata)...`);
  const run = spawnSync(
    'npx',
    [
      'playwright',
      'test',
      '--project=jupyterlab',
      'tests/lab/main-thread.spec.ts',
      '--repeat-each',
      String(labRepetitions),
      '--reporter=line'
    ],
    {
      cwd: join(ROOT, 'ui-tests'),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, FEATUREVIZ_LONG_TASKS_OUT: out }
    }
  );
  const runs = readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line));
  if (run.status !== 0 || runs.length === 0) {
    log(`[jupyterlab] failed: ${(run.stdout + run.stderr).slice(-2000)}`);
    return { results: [], extras: {} };
  }
  for (const r of runs) {
    log(
      `[jupyterlab] ${r.tasks} long tasks (longest ${r.longestMs} ms); featureviz's code ran in ${r.featureviz} (longest ${r.featurevizLongestMs} ms), was most of ${r.mostlyFeatureviz}`
    );
  }
  const row = (workload, unit, pick, note) => ({
    workload,
    backend: 'jupyterlab-chromium',
    unit,
    values: runs.map(pick),
    note
  });
  return {
    results: [
      row(
        'walkthrough-long-tasks-featureviz',
        'tasks over 50 ms',
        r => r.featureviz,
        "long tasks in which featureviz's code ran"
      ),
      row(
        'walkthrough-longest-task-featureviz',
        'ms',
        r => r.featurevizLongestMs,
        'the longest of those (0: none)'
      ),
      row(
        'walkthrough-long-tasks-all',
        'tasks over 50 ms',
        r => r.tasks,
        'every long task of the page while the walkthrough ran'
      )
    ],
    extras: { lab: runs }
  };
}

function runReference() {
  const script = join(ROOT, 'bench/reference/torch_bench.py');
  if (!existsSync(script)) {
    log('[pytorch] bench/reference/torch_bench.py is missing: no yardstick');
    return {};
  }
  const run = spawnSync(
    python,
    [
      script,
      '--repetitions',
      String(repetitions),
      ...(only ? ['--only', only] : [])
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 24
    }
  );
  if (run.status !== 0) {
    log(`[pytorch] failed: ${run.stderr.slice(-2000)}`);
    return {};
  }
  const parsed = JSON.parse(run.stdout);
  log(`[pytorch] torch ${parsed.torch}, ${parsed.threads} threads`);
  return parsed;
}

function report(measures, reference, extras) {
  const rows = measures.map(m => {
    const s = stats(m.values);
    const ref = reference[m.workload];
    const higherIsBetter = m.unit.endsWith('/s');
    return {
      workload: m.workload,
      backend: m.backend,
      unit: m.unit,
      median: s.median,
      min: s.min,
      max: s.max,
      reference_median: ref ? ref.median : null,
      ratio: ref && higherIsBetter ? s.median / ref.median : null,
      ...(m.note ? { note: m.note } : {})
    };
  });
  for (const [id, ref] of Object.entries(reference)) {
    if (ref && typeof ref === 'object' && 'median' in ref) {
      rows.push({
        workload: id,
        backend: 'pytorch-cpu',
        unit: ref.unit,
        median: ref.median,
        min: ref.min,
        max: ref.max,
        reference_median: ref.median,
        ratio: 1
      });
    }
  }
  const pad = (text, n) => String(text).padEnd(n);
  const num = v =>
    v === null || v === undefined
      ? '-'
      : v >= 100
        ? v.toFixed(0)
        : v >= 10
          ? v.toFixed(1)
          : v.toFixed(2);
  console.log(
    '\n' +
      [
        pad('workload', 34),
        pad('backend', 24),
        pad('unit', 18),
        pad('median', 9),
        pad('min', 9),
        pad('max', 9),
        pad('pytorch', 9),
        'ratio'
      ].join(' ')
  );
  for (const r of rows) {
    console.log(
      [
        pad(r.workload, 34),
        pad(r.backend, 24),
        pad(r.unit, 18),
        pad(num(r.median), 9),
        pad(num(r.min), 9),
        pad(num(r.max), 9),
        pad(num(r.reference_median), 9),
        r.ratio === null ? '-' : r.ratio.toFixed(2) + 'x'
      ].join(' ')
    );
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/engine.json'),
    JSON.stringify(rows, null, 1) + '\n'
  );
  writeFileSync(
    join(ROOT, 'bench/results/engine-context.json'),
    JSON.stringify(
      { date: new Date().toISOString(), repetitions, ...extras },
      null,
      1
    ) + '\n'
  );
  console.log(
    '\nwrote bench/results/engine.json and bench/results/engine-context.json'
  );
}

if (!skip.has('node') || !skip.has('browser')) {
  ensureMobileNet();
  await build();
}
const measures = [];
const extras = { node: process.version };
if (!skip.has('node')) {
  measures.push(...(await runNode()));
}
if (!skip.has('browser')) {
  const browser = await runBrowser();
  measures.push(...browser.results);
  Object.assign(extras, browser.extras);
}
if (!skip.has('lab') && !only) {
  const lab = runLab();
  measures.push(...lab.results);
  Object.assign(extras, lab.extras);
}
const reference = skip.has('reference') ? {} : runReference();
report(measures, reference, extras);
