#!/usr/bin/env node
// Looks at what the extension shows a user: runs notebooks in a real
// JupyterLab (started here on 127.0.0.1, in a scratch folder) with Debian's
// Chromium, and screenshots every Feature Viz output live in the light theme,
// live in the dark theme, and after saving and reloading the page.
//
//   node scripts/screenshots.mjs [--out DIR] [--timeout SECONDS] [NOTEBOOK ...]
//
// Notebooks default to examples/walkthrough.ipynb. PNGs go to DIR (default
// /tmp/featureviz-screenshots) as <notebook>-<n>-<light|dark|reloaded>.png,
// with a full-page shot of each stage. Needs the built extension
// (./scripts/setup) and /usr/bin/chromium (or CHROMIUM_PATH).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) {
    return fallback;
  }
  const [, value] = args.splice(at, 2);
  return value;
};
const out = resolve(option('--out', '/tmp/featureviz-screenshots'));
const timeoutMs = Number(option('--timeout', '300')) * 1000;
const notebooks = (args.length ? args : ['examples/walkthrough.ipynb']).map(p =>
  resolve(p)
);
const OUTPUT = '.jp-FeatureViz-output';
const SETTLED = [
  'done',
  'failed',
  'stored',
  'invalid',
  'unavailable',
  'cancelled'
];

mkdirSync(out, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'featureviz-shots-'));
for (const notebook of notebooks) {
  copyFileSync(notebook, join(scratch, basename(notebook)));
}

const port = 8900 + Math.floor(Math.random() * 90);
const server = spawn(
  join(root, '.venv/bin/jupyter'),
  [
    'lab',
    '--config',
    join(root, 'ui-tests/jupyter_server_test_config.py'),
    `--port=${port}`,
    '--no-browser',
    `--ServerApp.root_dir=${scratch}`
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] }
);
let serverLog = '';
server.stderr.on('data', chunk => (serverLog += chunk));
const base = `http://127.0.0.1:${port}`;

async function waitForServer() {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/api/status`)).ok) {
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`JupyterLab did not start:\n${serverLog.slice(-2000)}`);
}

/** Waits until every output has settled; returns their states. */
async function settle(page) {
  const started = Date.now();
  for (;;) {
    const states = await page
      .locator(OUTPUT)
      .evaluateAll(nodes => nodes.map(n => n.dataset.state ?? ''));
    if (states.length > 0 && states.every(s => SETTLED.includes(s))) {
      return states;
    }
    if (Date.now() - started > timeoutMs) {
      console.warn(`timed out with states ${states.join(', ')}`);
      return states;
    }
    await page.waitForTimeout(500);
  }
}

async function shootOutputs(page, name, stage) {
  const outputs = page.locator(OUTPUT);
  const count = await outputs.count();
  for (let i = 0; i < count; i++) {
    const output = outputs.nth(i);
    await output.scrollIntoViewIfNeeded();
    const file = join(out, `${name}-${i + 1}-${stage}.png`);
    await output.screenshot({ path: file });
    console.log(`${file} (${await output.getAttribute('data-state')})`);
  }
  await page.screenshot({
    path: join(out, `${name}-page-${stage}.png`),
    fullPage: false
  });
}

async function command(page, id, commandArgs = {}) {
  await page.evaluate(
    ([id, commandArgs]) => window.jupyterapp.commands.execute(id, commandArgs),
    [id, commandArgs]
  );
}

async function openNotebook(page, name) {
  await page.goto(`${base}/lab/tree/${name}`);
  await page.waitForFunction(() => window.jupyterapp?.started !== undefined);
  await page.evaluate(() => window.jupyterapp.started);
  await page.locator('.jp-Notebook').first().waitFor();
  // "Run all" sent before the kernel is up is dropped: wait until it idles.
  await page.waitForFunction(
    () =>
      window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel
        ?.status === 'idle',
    null,
    { timeout: 180000 }
  );
  await page.waitForTimeout(1500);
  // JupyterLab's "get notified about news?" toast would cover outputs.
  const no = page.locator('.jp-toast-button', { hasText: 'No' });
  if (await no.count()) {
    await no.first().click();
  }
}

try {
  await waitForServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist'
    ]
  });
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 }
  });
  page.on('pageerror', error => console.warn(`page error: ${error}`));
  for (const notebook of notebooks) {
    const name = basename(notebook);
    const stem = name.replace(/\.ipynb$/, '');
    await openNotebook(page, name);
    await command(page, 'notebook:run-all-cells');
    console.log(`${stem}: ${(await settle(page)).join(', ')}`);
    await shootOutputs(page, stem, 'light');
    await command(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
    await page.waitForTimeout(1500);
    await shootOutputs(page, stem, 'dark');
    await command(page, 'apputils:change-theme', {
      theme: 'JupyterLab Light'
    });
    await command(page, 'docmanager:save');
    await page.waitForTimeout(1000);
    await openNotebook(page, name);
    await settle(page);
    await shootOutputs(page, stem, 'reloaded');
  }
  await browser.close();
} finally {
  server.kill();
}
