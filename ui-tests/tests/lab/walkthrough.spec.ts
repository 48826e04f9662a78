import { expect, test } from '@jupyterlab/galata';
import {
  OUTPUT,
  canvasPixels,
  openWalkthrough,
  pixelVariance
} from '../helpers/featureviz';

// Four gradient-ascent pictures, then four top-examples grids.
const PICTURES = 4;
const COUNT = 8;

test.describe('walkthrough', () => {
  test.setTimeout(240000);

  test('runs, saves its results, and reopens without recomputing', async ({
    page,
    tmpPath
  }) => {
    await openWalkthrough(page, tmpPath);
    const started = Date.now();
    await page.notebook.run();
    const outputs = page.locator(OUTPUT);
    await expect(outputs).toHaveCount(COUNT);
    for (let i = 0; i < COUNT; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-state', 'done', {
        timeout: 120000
      });
      expect(await pixelVariance(outputs.nth(i))).toBeGreaterThan(10);
    }
    console.log(
      `walkthrough: all ${COUNT} visualizations done ${Date.now() - started} ms after Run All`
    );
    // The canonical-digit row and the channel animation are different pictures.
    expect(await canvasPixels(outputs.nth(0))).not.toEqual(
      await canvasPixels(outputs.nth(1))
    );
    // Ten labelled digits in the first output.
    await expect(
      outputs.nth(0).locator('.jp-FeatureViz-labels span')
    ).toHaveCount(10);

    await page.notebook.save();
    const saved = await page.request.get(
      `/api/contents/${tmpPath}/walkthrough.ipynb?content=1`
    );
    const notebook = (await saved.json()).content as {
      cells: { outputs?: { data?: Record<string, unknown> }[] }[];
    };
    const results = notebook.cells
      .flatMap(c => c.outputs ?? [])
      .filter(o => o.data?.['application/vnd.featureviz.v1+json']);
    expect(results).toHaveLength(COUNT);
    for (const [n, result] of results.entries()) {
      const summary = result.data?.[
        'application/vnd.featureviz.summary.v1+json'
      ] as { firstFrameMs: number; elapsedMs: number; backend: string };
      console.log(
        `output: first frame ${summary.firstFrameMs} ms, done in ${summary.elapsedMs} ms on ${summary.backend}`
      );
      expect(typeof result.data?.['image/png']).toBe('string');
      expect(
        result.data?.['application/vnd.featureviz.summary.v1+json']
      ).toMatchObject({
        ...(n < PICTURES
          ? { steps: expect.any(Number) }
          : { kind: 'top-examples' }),
        backend: expect.any(String)
      });
    }
    const size = JSON.stringify(notebook).length;
    console.log(`saved walkthrough: ${size} bytes`);
    expect(size).toBeLessThan(400 * 1024);

    // Reopening shows the saved images at once: no model load, no job.
    await page.notebook.close();
    const requests: string[] = [];
    page.on('request', r => requests.push(r.url()));
    await page.notebook.openByPath(`${tmpPath}/walkthrough.ipynb`);
    const reopened = page.locator(OUTPUT);
    await expect(reopened).toHaveCount(COUNT);
    for (let i = 0; i < COUNT; i++) {
      await expect(reopened.nth(i)).toHaveAttribute('data-state', 'stored');
      await expect(
        reopened.nth(i).locator('img.jp-FeatureViz-stored')
      ).toBeVisible();
      await expect(
        reopened.nth(i).getByRole('button', { name: 'Run again' })
      ).toBeEnabled();
    }
    expect(
      requests.filter(u => /\/assets\/(models|datasets)\//.test(u))
    ).toEqual([]);
  });
});
