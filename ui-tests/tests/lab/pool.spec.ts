/**
 * The engine's pool in a real JupyterLab (docs/architecture.md, "Memory and
 * speed"): headless Chromium here reports 2 cores, a pool of one, so the
 * page stands in for a 3-core machine (`featurevizTestCores`, honoured only
 * with the UI tests' hooks). A top-examples pass over the 10,000 bundled
 * digits then runs on the engine's worker and one nested pool worker, and
 * the merged ranking reaches the view and the kernel; a layer atlas's
 * channels split over the two, their frames streamed and merged, and every
 * cell is drawn and labelled.
 */
import { type JupyterLabPage, expect, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { engineStatus } from '../helpers/engine';
import { FeatureVizHelper, append, printed } from '../helpers/featureviz';

const CELL = `import featureviz as fv, json
out = fv.top_examples(fv.models.mnist_cnn(), "conv2d_1", channel=5, data=fv.datasets.mnist(), k=16, bottom=True)
out`;

const RESULT = `res = await out.result(timeout=120)
print(json.dumps({"top": res.indices.tolist(), "bottom": res.bottom_indices.tolist(), "values": res.values.tolist()}))`;

const ATLAS = `import featureviz as fv
fv.layer_atlas(fv.models.mnist_cnn(), "conv2d", steps=32)`;

/** The page reloaded standing in for a machine of `cores` cores. */
async function useCores(page: Page, cores: number): Promise<void> {
  await page.addInitScript(() => {
    const cores = sessionStorage.getItem('featurevizTestCores');
    if (cores) {
      (window as { featurevizTestCores?: number }).featurevizTestCores =
        Number(cores);
    }
  });
  await page.evaluate(
    (n: number) => sessionStorage.setItem('featurevizTestCores', String(n)),
    cores
  );
  // Galata's own wait after a reload is for the Launcher tab, which a
  // notebook may cover.
  await (page as unknown as Pick<JupyterLabPage, 'reload'>).reload({
    waitForIsReady: false
  });
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
}

interface IRanking {
  top: number[];
  bottom: number[];
  values: number[];
}

test.describe('pool', () => {
  test.setTimeout(300000);

  test('a top-examples pass runs over a pool of two in the page', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const ranking = async (): Promise<IRanking> => {
      await expect(fv.output(0)).toHaveAttribute('data-state', 'done', {
        timeout: 180000
      });
      return JSON.parse(await printed(page, await append(page, RESULT)));
    };

    await useCores(page, 3);
    const output = await fv.runInNewNotebook(CELL, 'pool.ipynb');
    const pooled = await ranking();
    expect((await engineStatus(page)).workers).toBe(2);
    // The ranking the kernel got is the one the grid shows, in order: the
    // shares' partial top and bottom 16 merged (their equality with one
    // worker's is checked in Node, pool.spec.ts and pool-splits.spec.ts).
    expect(pooled.top).toHaveLength(16);
    expect(pooled.bottom).toHaveLength(16);
    const shown = await output
      .locator('.jp-FeatureViz-example')
      .evaluateAll(cells =>
        cells.map(c => Number((c as HTMLElement).dataset.index))
      );
    expect(shown.slice(0, 16)).toEqual(pooled.top);
    expect(shown.slice(16, 32)).toEqual(pooled.bottom);
    pooled.values
      .slice(1)
      .forEach((value, i) =>
        expect(value).toBeLessThanOrEqual(pooled.values[i])
      );
  });

  test('a layer atlas streams over a pool of two in the page', async ({
    page
  }) => {
    await useCores(page, 3);
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(ATLAS, 'pool-atlas.ipynb');
    await expect(fv.output(0)).toHaveAttribute('data-state', 'done', {
      timeout: 180000
    });
    expect((await engineStatus(page)).workers).toBe(2);
    // Every channel's cell (their equality with one worker's atlas is
    // checked in Node, pool-atlas.spec.ts): labelled, with its value.
    const cells = output.locator('.jp-FeatureViz-cell');
    await expect(cells).toHaveCount(32);
    expect(
      await output.locator('.jp-FeatureViz-cell-label').allTextContents()
    ).toEqual(Array.from({ length: 32 }, (_, i) => `ch ${i}`));
    const values = await output
      .locator('.jp-FeatureViz-cell-value')
      .allTextContents();
    values.forEach(value => expect(value).toMatch(/\d/));
    // Not blank: each cell's picture has more than one grey (a bitmap
    // canvas, read back through a 2D one).
    const pictures = output.locator('.jp-FeatureViz-cell canvas');
    await expect(pictures).toHaveCount(32);
    const flat = await pictures.evaluateAll(
      canvases =>
        canvases.filter(node => {
          const canvas = node as HTMLCanvasElement;
          const copy = document.createElement('canvas');
          copy.width = canvas.width;
          copy.height = canvas.height;
          const context = copy.getContext('2d');
          if (!context || canvas.width === 0 || canvas.height === 0) {
            return true;
          }
          context.drawImage(canvas, 0, 0);
          const { data } = context.getImageData(0, 0, copy.width, copy.height);
          for (let i = 4; i < data.length; i += 4) {
            if (data[i] !== data[0]) {
              return false;
            }
          }
          return true;
        }).length
    );
    expect(flat).toBe(0);
  });
});
