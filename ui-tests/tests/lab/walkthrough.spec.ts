import { expect, test } from '@jupyterlab/galata';
import {
  OUTPUT,
  canvasPixels,
  engineTensors,
  openWalkthrough,
  pixelVariance,
  WALKTHROUGH_KINDS
} from '../helpers/featureviz';

const PICTURES = 4;
const KINDS = WALKTHROUGH_KINDS;
const COUNT = KINDS.length;

test.describe('walkthrough', () => {
  test.setTimeout(240000);

  test('runs, saves its results, and reopens without recomputing', async ({
    page,
    tmpPath
  }) => {
    await openWalkthrough(page, tmpPath);
    const outputs = page.locator(OUTPUT);
    // The engine's memory with the model loaded and warm (its weights are
    // the tensors it keeps): the first picture alone.
    await page.notebook.runCell(1, true);
    await page.notebook.runCell(3, true);
    await expect(outputs.first()).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
    const baseline = await engineTensors(page);
    expect(baseline).toBeGreaterThan(0);
    const started = Date.now();
    await page.notebook.run();
    await expect(outputs).toHaveCount(COUNT);
    for (let i = 0; i < COUNT; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-saved', 'true', {
        timeout: 120000
      });
      await expect(outputs.nth(i)).toHaveAttribute('data-state', 'done');
      expect(await pixelVariance(outputs.nth(i))).toBeGreaterThan(10);
    }
    // Fourteen visualizations later the engine holds what it held after the
    // first: nothing leaked by any view's job (datasets are not tensors).
    await expect
      .poll(() => engineTensors(page), { timeout: 10000 })
      .toBe(baseline);
    console.log(
      `walkthrough: all ${COUNT} visualizations done ${Date.now() - started} ms after Run All`
    );
    // The canonical-digit row and the channel animation are different pictures.
    expect(await canvasPixels(outputs.nth(0))).not.toEqual(
      await canvasPixels(outputs.nth(1))
    );
    // Ten labelled digits in the first output, each with its value.
    await expect(
      outputs.nth(0).locator('.jp-FeatureViz-row-cell .jp-FeatureViz-label')
    ).toHaveText(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await expect(
      outputs
        .nth(0)
        .locator('.jp-FeatureViz-row-cell .jp-FeatureViz-label-value')
    ).toHaveText(Array(10).fill(/^-?\d/));
    // How wide each output's images were live, in screen pixels: from the
    // first image's left edge to the last one's right edge.
    const liveSizes = await outputs.evaluateAll(nodes =>
      nodes.map(node => {
        const boxes = [
          ...node.querySelectorAll(
            '.jp-FeatureViz-row-cell, .jp-FeatureViz-cell'
          )
        ].map(cell => cell.getBoundingClientRect());
        return Math.round(
          Math.max(...boxes.map(b => b.right)) -
            Math.min(...boxes.map(b => b.left))
        );
      })
    );
    console.log(`live widths: ${liveSizes.join(', ')} px`);
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
    for (const [i, result] of results.entries()) {
      const summary = result.data?.[
        'application/vnd.featureviz.summary.v1+json'
      ] as { firstFrameMs: number; elapsedMs: number; backend: string };
      console.log(
        `output: first frame ${summary.firstFrameMs} ms, done in ${summary.elapsedMs} ms on ${summary.backend}`
      );
      expect(typeof result.data?.['image/png']).toBe('string');
      // Written back large enough for GitHub: a 28-pixel digit at least
      // 224 pixels wide (the figure's side is at least 224), and shown at
      // the live size (within the cells' borders).
      const png = Buffer.from(result.data?.['image/png'] as string, 'base64');
      const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      if (i < PICTURES) {
        expect(Math.min(width, height)).toBeGreaterThanOrEqual(224);
        const shown = (
          result as { metadata?: Record<string, { width: number }> }
        ).metadata?.['image/png']?.width;
        console.log(
          `output ${i}: ${width}×${height} PNG shown ${shown} px wide`
        );
        expect(Math.abs((shown ?? 0) - liveSizes[i])).toBeLessThanOrEqual(20);
      }
      expect(
        result.data?.['application/vnd.featureviz.summary.v1+json']
      ).toMatchObject({
        kind: KINDS[i],
        ...(i < PICTURES ? { steps: expect.any(Number) } : {}),
        backend: expect.any(String)
      });
    }
    const size = JSON.stringify(notebook).length;
    console.log(
      `saved walkthrough: ${size} bytes; PNGs ${results
        .map(r => String(r.data?.['image/png']).length)
        .join(', ')}`
    );
    // Labelled figures, no data: about 50 kB an output.
    expect(size).toBeLessThan(COUNT * 64 * 1024);

    // Reopening shows the saved images at once: no model load, no job.
    await page.notebook.close();
    const requests: string[] = [];
    page.on('request', r => requests.push(r.url()));
    await page.notebook.openByPath(`${tmpPath}/walkthrough.ipynb`);
    const reopened = page.locator(OUTPUT);
    await expect(reopened).toHaveCount(COUNT);
    for (let i = 0; i < COUNT; i++) {
      await expect(reopened.nth(i)).toHaveAttribute('data-state', 'stored');
      const stored = reopened.nth(i).locator('img.jp-FeatureViz-stored');
      await expect(stored).toBeVisible();
      // As large as it was live, and nothing empty beside it.
      const box = await stored.boundingBox();
      console.log(`reopened ${i}: ${box?.width} px wide`);
      if (i < PICTURES) {
        expect(Math.abs((box?.width ?? 0) - liveSizes[i])).toBeLessThanOrEqual(
          20
        );
      }
      await expect(reopened.nth(i).locator('canvas:visible')).toHaveCount(0);
      await expect(
        reopened.nth(i).getByRole('button', { name: 'Run again' })
      ).toBeEnabled();
    }
    expect(
      requests.filter(u => /\/assets\/(models|datasets)\//.test(u))
    ).toEqual([]);
    // The animation was not saved: GIF offers to run again.
    await expect(
      reopened.nth(1).getByRole('button', {
        name: 'Save the animation as GIF after running it again'
      })
    ).toBeEnabled();
  });
});
