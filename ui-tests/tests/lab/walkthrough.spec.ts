import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';
import { OUTPUT, canvasPixels, pixelVariance } from '../helpers/featureviz';

const WALKTHROUGH = path.resolve(
  __dirname,
  '../../../examples/walkthrough.ipynb'
);

test.describe('walkthrough', () => {
  test.setTimeout(240000);

  test('runs, saves its results, and reopens without recomputing', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadFile(WALKTHROUGH, `${tmpPath}/walkthrough.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/walkthrough.ipynb`);
    await page.notebook.activate('walkthrough.ipynb');
    const started = Date.now();
    await page.notebook.run();
    const outputs = page.locator(OUTPUT);
    await expect(outputs).toHaveCount(4);
    for (let i = 0; i < 4; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-state', 'done', {
        timeout: 120000
      });
      expect(await pixelVariance(outputs.nth(i))).toBeGreaterThan(10);
    }
    console.log(
      `walkthrough: all four visualizations done ${Date.now() - started} ms after Run All`
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
    expect(results).toHaveLength(4);
    for (const result of results) {
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
        steps: expect.any(Number),
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
    await expect(reopened).toHaveCount(4);
    for (let i = 0; i < 4; i++) {
      await expect(reopened.nth(i)).toHaveAttribute('data-state', 'stored');
      await expect(
        reopened.nth(i).locator('img.jp-FeatureViz-stored')
      ).toBeVisible();
      await expect(
        reopened.nth(i).getByRole('button', { name: 'Run again' })
      ).toBeEnabled();
    }
    expect(requests.filter(u => u.includes('/assets/models/'))).toEqual([]);
  });
});
