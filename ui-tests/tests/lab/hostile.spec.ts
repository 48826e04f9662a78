import { expect, test as base } from '@jupyterlab/galata';
import type { Locator, Request } from '@playwright/test';
import {
  CHANNEL_SPEC,
  FeatureVizHelper,
  OUTPUT,
  displayCode,
  pixelVariance
} from '../helpers/featureviz';

/**
 * Hostile specs and notebooks (docs/architecture.md, "Trust and safety"),
 * run by the jupyterlab project and again by jupyterlab-csp, a JupyterLab
 * served with JupyterLab's own CSP test configuration (a sandboxed page of
 * opaque origin: no worker starts, the engine runs on the page). Every
 * refusal happens before any request; every failure says why, without
 * tokens or queries; trusting a notebook starts nothing.
 */

// A sandboxed page may not use localStorage, and JupyterLab 4.6 needs it to
// start (jupyterlab/jupyterlab#19030 fixes that upstream): the pages get an
// in-memory one where theirs throws. Harmless elsewhere.
const MEMORY_STORAGE = `(() => {
  try {
    window.localStorage.length;
  } catch {
    const store = new Map();
    const storage = {
      get length() { return store.size; },
      key: i => [...store.keys()][i] ?? null,
      getItem: k => (store.has(k) ? store.get(k) : null),
      setItem: (k, v) => { store.set(String(k), String(v)); },
      removeItem: k => { store.delete(k); },
      clear: () => store.clear()
    };
    for (const name of ['localStorage', 'sessionStorage']) {
      Object.defineProperty(window, name, { value: storage, configurable: true });
    }
  }
})()`;

const test = base.extend({
  context: async ({ context }, use) => {
    await context.addInitScript(MEMORY_STORAGE);
    await use(context);
  }
});

/** Every request the browser makes from now on, workers' included. */
function record(page: {
  context(): { on(e: 'request', f: (r: Request) => void): void };
}): string[] {
  const urls: string[] = [];
  page.context().on('request', r => urls.push(r.url()));
  return urls;
}

async function failure(output: Locator): Promise<string> {
  await expect(output).toHaveAttribute('data-state', 'failed', {
    timeout: 60000
  });
  const text =
    (await output.locator('.jp-FeatureViz-run-error').textContent()) ?? '';
  // Every failure says why, and shows no token or query string.
  expect(text.length).toBeGreaterThan(20);
  expect(text).not.toMatch(/_xsrf|token=|\?[\w%-]+=/);
  return text;
}

test.describe('hostile specs', () => {
  test.setTimeout(240000);

  // One notebook, a cell per case: a page and a kernel for all of them.
  test('refuse models and jobs before any request, and say why without a token', async ({
    page,
    tmpPath
  }) => {
    const model = (paths: string[]) => ({
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { layers: [] } },
      weightsManifest: [{ paths, weights: [] }]
    });
    await page.contents.uploadContent(
      'the secret',
      'text',
      `${tmpPath}/secret.txt`
    );
    await page.contents.uploadContent(
      JSON.stringify(model(['../../../../../../api/contents/secret.txt'])),
      'text',
      `${tmpPath}/m/model.json`
    );
    const origin = new URL(page.url()).origin;
    const refusals: [string, unknown, string | RegExp, string?][] = [
      [
        "a path into Jupyter's API",
        { url: '/api/contents/secret.txt?content=1' },
        'may not hold a query',
        'secret.txt'
      ],
      [
        'a path out of the server root',
        { url: '../../../../etc/passwd' },
        "leads outside the Jupyter server's root folder",
        'passwd'
      ],
      [
        "a URL of Jupyter's API on this server",
        { url: `${origin}/api/contents/secret.txt` },
        'the model lies outside the places Feature Viz may load from',
        'secret.txt'
      ],
      [
        'a URL of another origin',
        { url: 'http://127.0.0.1:1/model.json' },
        'which Feature Viz may not load from',
        '127.0.0.1:1'
      ],
      [
        "weights that leave the model's files",
        { url: 'm/model.json' },
        'the weights file "../../../../../../api/contents/secret.txt" lies outside',
        'secret.txt'
      ],
      [
        // A sandboxed page's request gets no CORS headers on a 404, so the
        // browser reports a failed request there instead of the 404.
        "a missing model (named, without the server's token)",
        { url: 'missing/model.json' },
        /^Could not load http:\/\/[^ ?]+\/files\/(\S+\/)?missing\/model\.json: (the server answered 404|the request failed)/
      ]
    ];
    const fv = new FeatureVizHelper(page);
    const requests = record(page);
    const outputs = await fv.runCellsInNewNotebook(
      [
        ...refusals.map(([, model]) => displayCode({ ...CHANNEL_SPEC, model })),
        displayCode({
          ...CHANNEL_SPEC,
          optimization: { steps: 100000, size: [1024, 1024], batch: 1024 }
        })
      ],
      'hostile.ipynb'
    );
    for (const [i, [name, , reason, target]] of refusals.entries()) {
      await test.step(`refuses ${name}`, async () => {
        const text = await failure(outputs[i]);
        if (typeof reason === 'string') {
          expect(text).toContain(reason);
        } else {
          expect(text).toMatch(reason);
        }
        if (target) {
          expect(requests.filter(u => u.includes(target))).toEqual([]);
        }
      });
    }
    // Of the model files, only the one with escaping weights was read.
    expect(requests.filter(u => /\/files\/.*\/m\//.test(u))).toHaveLength(1);
    await test.step('refuses a job over the caps, with the estimate', async () => {
      const caps = outputs[refusals.length];
      expect(await failure(caps)).toMatch(
        /^This job would need about [\d.]+ GB of memory \(1024 images of 1024×1024×1 .*over the 1024 MB limit/
      );
      await expect(caps.locator('canvas')).toHaveCount(0);
    });
  });

  test('runs a small job in this configuration too', async ({ page }) => {
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(
      displayCode({ ...CHANNEL_SPEC, optimization: { steps: 8 } })
    );
    await expect(output).toHaveAttribute('data-saved', 'true', {
      timeout: 120000
    });
    // The player shows the last frame at the animation's pace, after "done".
    await expect.poll(() => pixelVariance(output)).toBeGreaterThan(10);
  });
});

test.describe('trusting a notebook', () => {
  test.setTimeout(180000);

  test('shows saved results and Run buttons, and starts nothing', async ({
    page,
    tmpPath
  }) => {
    // Two outputs read from a file: one with a saved result, one without.
    const spec = { version: 1, ...CHANNEL_SPEC, optimization: { steps: 8 } };
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';
    const cell = (data: Record<string, unknown>) => ({
      cell_type: 'code',
      execution_count: 1,
      metadata: {},
      outputs: [
        {
          output_type: 'execute_result',
          execution_count: 1,
          metadata: {},
          data: { 'text/plain': ['<featureviz>'], ...data }
        }
      ],
      source: ['fv.Visualization(...)']
    });
    const notebook = {
      cells: [
        cell({ 'application/vnd.featureviz.v1+json': spec }),
        cell({
          'application/vnd.featureviz.v1+json': { ...spec, title: 'saved' },
          'image/png': png
        })
      ],
      metadata: {
        kernelspec: {
          name: 'python3',
          display_name: 'Python 3',
          language: 'python'
        }
      },
      nbformat: 4,
      nbformat_minor: 5
    };
    await page.contents.uploadContent(
      JSON.stringify(notebook),
      'text',
      `${tmpPath}/downloaded.ipynb`
    );
    const requests = record(page);
    await page.notebook.openByPath(`${tmpPath}/downloaded.ipynb`);
    const outputs = page.locator(OUTPUT);
    await expect(outputs).toHaveCount(2);
    await expect(outputs.nth(0)).toHaveAttribute('data-state', 'untrusted');

    // The command resolves when its dialog closes: not awaited here.
    await page.evaluate(() => {
      void (
        window as unknown as {
          jupyterapp: { commands: { execute(id: string): Promise<unknown> } };
        }
      ).jupyterapp.commands.execute('notebook:trust');
    });
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(outputs.nth(0)).toHaveAttribute('data-state', 'idle');
    await expect(outputs.nth(1)).toHaveAttribute('data-state', 'stored');
    await expect(outputs.nth(0).locator('.jp-FeatureViz-idle')).toContainText(
      'Not run yet'
    );
    await expect(
      outputs.nth(1).locator('img.jp-FeatureViz-stored')
    ).toBeVisible();
    // Nothing starts by itself: the state does not leave idle in two
    // seconds, and no model is asked for.
    await expect(
      page.waitForFunction(
        () =>
          (document.querySelector('.jp-FeatureViz-output') as HTMLElement)
            .dataset.state !== 'idle',
        null,
        { timeout: 2000 }
      )
    ).rejects.toThrow(/Timeout/);
    expect(requests.filter(u => u.includes('model.json'))).toEqual([]);

    // The Run button runs it.
    await outputs
      .nth(0)
      .getByRole('button', { name: 'Run the visualization' })
      .click();
    await expect(outputs.nth(0)).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
  });
});
