/**
 * The engine's pool in a real JupyterLab (docs/architecture.md, "Memory and
 * speed"): headless Chromium here reports 2 cores, a pool of one, so the
 * page stands in for a 3-core machine (`featurevizTestCores`, honoured only
 * with the UI tests' hooks). A top-examples pass over the 10,000 bundled
 * digits then runs on the engine's worker and one nested pool worker, and
 * its ranking equals the one the same cell gives after a reload with one
 * worker.
 */
import { type JupyterLabPage, expect, test } from '@jupyterlab/galata';
import { engineStatus } from '../helpers/engine';
import { FeatureVizHelper, append, printed } from '../helpers/featureviz';

const CELL = `import featureviz as fv, json
out = fv.top_examples(fv.models.mnist_cnn(), "conv2d_1", channel=5, data=fv.datasets.mnist(), k=16, bottom=True)
out`;

const RESULT = `res = await out.result(timeout=120)
print(json.dumps({"top": res.indices.tolist(), "bottom": res.bottom_indices.tolist(), "values": res.values.tolist()}))`;

interface IRanking {
  top: number[];
  bottom: number[];
  values: number[];
}

test.describe('pool', () => {
  test.setTimeout(300000);

  test("a pooled top-examples pass in the page equals one worker's", async ({
    page
  }) => {
    await page.addInitScript(() => {
      const cores = sessionStorage.getItem('featurevizTestCores');
      if (cores) {
        (window as { featurevizTestCores?: number }).featurevizTestCores =
          Number(cores);
      }
    });
    const withCores = async (cores: number) => {
      await page.evaluate(
        n => sessionStorage.setItem('featurevizTestCores', String(n)),
        cores
      );
      // Galata's own wait after a reload is for the Launcher tab, which a
      // notebook may cover.
      await (page as unknown as Pick<JupyterLabPage, 'reload'>).reload({
        waitForIsReady: false
      });
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    };
    const fv = new FeatureVizHelper(page);
    const ranking = async (): Promise<IRanking> => {
      await expect(fv.output(0)).toHaveAttribute('data-state', 'done', {
        timeout: 180000
      });
      return JSON.parse(await printed(page, await append(page, RESULT)));
    };

    await withCores(3);
    await fv.runInNewNotebook(CELL, 'pool.ipynb');
    const pooled = await ranking();
    expect((await engineStatus(page)).workers).toBe(2);

    await withCores(1);
    await page.notebook.activate('pool.ipynb');
    await page.notebook.runCell(0, true);
    const single = await ranking();
    expect((await engineStatus(page)).workers).toBe(1);

    expect(pooled.top).toHaveLength(16);
    expect(pooled.top).toEqual(single.top);
    expect(pooled.bottom).toEqual(single.bottom);
    pooled.values.forEach((value, i) =>
      expect(Math.abs(value - single.values[i])).toBeLessThanOrEqual(
        1e-6 * Math.abs(single.values[i])
      )
    );
  });
});
