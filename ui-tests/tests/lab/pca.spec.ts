/**
 * PCA in a real JupyterLab (headless Chromium, software WebGL): the
 * walkthrough's PCA cells draw non-blank scatters with a legend of the ten
 * digits on the shared WebGL renderer; hovering a point shows its
 * thumbnail; a lasso drag shows the selected examples as a grid, and
 * `await out.result()` in the kernel returns the same indices; bad input is
 * named at the call.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { readFileSync } from 'fs';
import {
  FeatureVizHelper,
  OUTPUT,
  WALKTHROUGH,
  openWalkthrough,
  pixelVariance,
  append,
  printed
} from '../helpers/featureviz';

type Page = Parameters<Parameters<typeof test>[2]>[0]['page'];

/** Moves the mouse over the plot until a point's tooltip shows. */
async function hoverSomePoint(page: Page, output: Locator): Promise<boolean> {
  const box = await output.locator('.jp-FeatureViz-pca-canvas').boundingBox();
  if (!box) {
    return false;
  }
  const tooltip = output.locator('.jp-FeatureViz-pca-tooltip');
  for (let i = 0; i < 400; i++) {
    // A spiral out from the centre, where the points are densest.
    const angle = i * 0.7;
    const radius = 2 + i * 0.35;
    await page.mouse.move(
      box.x + box.width / 2 + radius * Math.cos(angle),
      box.y + box.height / 2 + radius * Math.sin(angle)
    );
    // regl-scatterplot finds the hovered point in an animation frame: let
    // it come before the next move (a loaded machine needs the time).
    await page.waitForTimeout(30);
    if (await tooltip.isVisible()) {
      return true;
    }
  }
  return false;
}

/** Drags a lasso (a closed polygon) around the plot's centre. */
async function lasso(page: Page, output: Locator, radius: number) {
  const box = await output.locator('.jp-FeatureViz-pca-canvas').boundingBox();
  if (!box) {
    throw new Error('no plot');
  }
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  await output
    .getByRole('button', { name: 'Lasso: drag to select points' })
    .click();
  await page.mouse.move(cx + radius, cy);
  await page.mouse.down();
  for (let step = 1; step <= 24; step++) {
    const angle = (step / 24) * 2 * Math.PI;
    await page.mouse.move(
      cx + radius * Math.cos(angle),
      cy + radius * Math.sin(angle),
      {
        steps: 3
      }
    );
  }
  await page.mouse.up();
}

test.describe('PCA', () => {
  test.setTimeout(180000);

  test("the walkthrough's PCA cells draw scatters of the ten digits, with a legend that hides a class", async ({
    page,
    tmpPath
  }) => {
    await openWalkthrough(page, tmpPath);
    const cells = (
      JSON.parse(readFileSync(WALKTHROUGH, 'utf8')) as {
        cells: { cell_type: string; source: string[] }[];
      }
    ).cells;
    for (const [i, cell] of cells.entries()) {
      const text = cell.source.join('');
      if (
        cell.cell_type === 'code' &&
        /import featureviz|fv\.pca\(/.test(text)
      ) {
        await page.notebook.runCell(i, true);
      }
    }
    const outputs = page.locator(OUTPUT);
    await expect(outputs).toHaveCount(2);
    for (let i = 0; i < 2; i++) {
      const output = outputs.nth(i);
      await expect(output).toHaveAttribute('data-state', 'done', {
        timeout: 120000
      });
      await expect(output.locator('.jp-FeatureViz-pca')).toHaveAttribute(
        'data-webgl',
        'on'
      );
      await expect(output.locator('.jp-FeatureViz-pca')).toHaveAttribute(
        'data-drawn',
        'true'
      );
      await expect(output).toHaveAttribute('data-saved', 'true', {
        timeout: 60000
      });
      expect(await pixelVariance(output)).toBeGreaterThan(10);
      const legend = output.locator('.jp-FeatureViz-pca-class');
      await expect(legend).toHaveText([
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
        '8',
        '9'
      ]);
      await expect(output.locator('.jp-FeatureViz-pca-xtitle')).toHaveText(
        /^PC1 \(\d+(\.\d)? % of variance\)$/
      );
    }
    const first = outputs.nth(0);
    // A class hidden in the legend says so.
    const seven = first.getByRole('button', { name: 'Hide class 7' });
    await seven.click();
    await expect(
      first.getByRole('button', { name: 'Show class 7' })
    ).toHaveAttribute('aria-pressed', 'false');
  });

  test('hovering a point shows its thumbnail, label and index', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(
      `import featureviz as fv
net = fv.models.mnist_cnn()
fv.pca(net, "dense", limit=300)`,
      'pca-hover.ipynb'
    );
    await expect(output).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
    await expect(output.locator('.jp-FeatureViz-pca')).toHaveAttribute(
      'data-drawn',
      'true'
    );
    expect(await hoverSomePoint(page, output)).toBe(true);
    const tooltip = output.locator('.jp-FeatureViz-pca-tooltip');
    await expect(tooltip.locator('canvas')).toHaveCount(1);
    await expect(tooltip).toContainText(/label \d/);
    await expect(tooltip).toContainText(/example #\d+/);
    // The thumbnail is the example's digit: not a blank square.
    const spread = await tooltip
      .locator('canvas')
      .evaluate((canvas: HTMLCanvasElement) => {
        const ctx = canvas.getContext('2d');
        if (!ctx) {
          return 0;
        }
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        let low = 255;
        let high = 0;
        for (let i = 0; i < data.length; i += 4) {
          low = Math.min(low, data[i]);
          high = Math.max(high, data[i]);
        }
        return high - low;
      });
    expect(spread).toBeGreaterThan(100);
    // Leaving the plot hides it.
    await page.mouse.move(0, 0);
    await expect(tooltip).toBeHidden();
    // The axes' end values are numbers, and zooming in narrows them.
    const ends = output.locator('.jp-FeatureViz-pca-end');
    await expect(ends).toHaveText(Array(4).fill(/^-?\d/));
    const span = async () => {
      const [low, high] = await ends.allTextContents();
      return Number(high) - Number(low);
    };
    const before = await span();
    const box = await output.locator('.jp-FeatureViz-pca-canvas').boundingBox();
    await page.mouse.move(
      (box?.x ?? 0) + (box?.width ?? 0) / 2,
      (box?.y ?? 0) + (box?.height ?? 0) / 2
    );
    await page.mouse.wheel(0, -400);
    await expect.poll(span).toBeLessThan(before * 0.9);
    await zoomAndPanMoveTheAxes(page, output);
  });

  test('a lasso selects examples: a grid, the rest grey, and .result() returns the same indices', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(
      `import featureviz as fv, json
net = fv.models.mnist_cnn()
out = fv.pca(net, "dense", limit=500)
out`,
      'pca-selection.ipynb'
    );
    await expect(output).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
    const view = output.locator('.jp-FeatureViz-pca');
    await expect(view).toHaveAttribute('data-drawn', 'true');
    await lasso(page, output, 90);
    await expect(view).toHaveAttribute('data-selected', /^[1-9]\d*$/);
    const count = Number(await view.getAttribute('data-selected'));
    const cells = output.locator('.jp-FeatureViz-pca-cell');
    await expect(cells).toHaveCount(Math.min(count, 64));
    const shown = await cells.evaluateAll(list =>
      list.map(cell => Number((cell as HTMLElement).dataset.index))
    );
    if (count > 64) {
      await expect(output.locator('.jp-FeatureViz-pca-more')).toHaveText(
        `and ${(count - 64).toLocaleString('en-US')} more`
      );
    }
    const cell = await append(
      page,
      'res = await out.result(timeout=60)\nprint(json.dumps(res.selection.tolist()))'
    );
    const text = await printed(page, cell);
    const selection = JSON.parse(text) as number[];
    expect(selection).toHaveLength(count);
    expect(selection.slice(0, shown.length)).toEqual(shown);
  });

  test('bad input is named at the call', async ({ page }) => {
    const fv = new FeatureVizHelper(page);
    await fv.runInNewNotebook(
      'import featureviz as fv\nnet = fv.models.mnist_cnn()',
      'pca-bad.ipynb'
    );
    for (const [call, message] of [
      [
        'fv.pca(net, "dense", labels=[1, 2, 3])',
        'labels must be one integer per example of data: 2000 examples but labels of shape (3,)'
      ],
      [
        'fv.pca(net, "conv9")',
        'The model has no layer "conv9". Did you mean "conv2d"?'
      ],
      [
        'fv.pca(net, "logits", components=12)',
        'Layer "logits" has 10 values per example: at most 10 components, not 12.'
      ]
    ]) {
      const cell = await append(page, call);
      await expect(
        page
          .locator('.jp-Notebook .jp-Cell')
          .nth(cell)
          .locator('.jp-OutputArea-output')
      ).toContainText(message);
    }
  });
});

/** The four edge values (x left, x right, y bottom, y top) once they settle. */
async function settledEnds(output: Locator): Promise<number[]> {
  const plot = output.locator('.jp-FeatureViz-pca-plot');
  await expect(plot).not.toHaveAttribute('data-previewing', 'true');
  let last = '';
  await expect
    .poll(async () => {
      const now = (
        await output.locator('.jp-FeatureViz-pca-end').allTextContents()
      ).join(' ');
      const still = now === last;
      last = now;
      return still;
    })
    .toBe(true);
  return last.split(' ').map(Number);
}

/**
 * Drags the plot by (dx, dy) pixels from its middle; `during` runs before
 * the button is let go.
 */
async function drag(
  page: Page,
  output: Locator,
  dx: number,
  dy: number,
  during?: () => Promise<void>
): Promise<void> {
  const box = await output.locator('.jp-FeatureViz-pca-canvas').boundingBox();
  const x = (box?.x ?? 0) + (box?.width ?? 0) / 2;
  const y = (box?.y ?? 0) + (box?.height ?? 0) / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 8 });
  await during?.();
  await page.mouse.up();
}

/**
 * Closed forms for the axes' edge values: a drag by (dx, dy) moves the
 * shown range by −dx/side of its width along x and +dy/side along y, both
 * when the plot redraws every frame and when it previews the drag (forced
 * here: redraws of 300 points are fast), and the preview's values are the
 * ones the redrawn plot keeps.
 */
async function zoomAndPanMoveTheAxes(
  page: Page,
  output: Locator
): Promise<void> {
  const side =
    (await output.locator('.jp-FeatureViz-pca-canvas').boundingBox())?.width ??
    1;
  const expectMoved = (
    before: number[],
    after: number[],
    dx: number,
    dy: number
  ) => {
    const width = before[1] - before[0];
    const height = before[3] - before[2];
    // Three significant digits are shown: allow 1 % of the range.
    expect(Math.abs(after[0] - (before[0] - (dx / side) * width))).toBeLessThan(
      width * 0.01
    );
    expect(Math.abs(after[1] - (before[1] - (dx / side) * width))).toBeLessThan(
      width * 0.01
    );
    expect(
      Math.abs(after[2] - (before[2] + (dy / side) * height))
    ).toBeLessThan(height * 0.01);
    expect(
      Math.abs(after[3] - (before[3] + (dy / side) * height))
    ).toBeLessThan(height * 0.01);
  };
  const plot = output.locator('.jp-FeatureViz-pca-plot');
  const start = await settledEnds(output);
  await drag(page, output, 60, 30);
  const panned = await settledEnds(output);
  expectMoved(start, panned, 60, 30);
  // The preview: the picture moves and the axes follow before the button
  // is let go; the plot is redrawn at the same values after.
  await plot.evaluate(node => (node.dataset.previewAboveMs = '0'));
  const pixels = () =>
    output
      .locator('.jp-FeatureViz-pca-canvas')
      .evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL());
  const still = await pixels();
  let previewed: number[] = [];
  await drag(page, output, -90, 20, async () => {
    await expect(plot).toHaveAttribute('data-previewing', 'true');
    expect(await pixels()).not.toBe(still);
    previewed = (
      await output.locator('.jp-FeatureViz-pca-end').allTextContents()
    ).map(Number);
  });
  expectMoved(panned, previewed, -90, 20);
  const drawn = await settledEnds(output);
  drawn.forEach((value, i) => {
    const range =
      i < 2 ? previewed[1] - previewed[0] : previewed[3] - previewed[2];
    expect(Math.abs(value - previewed[i])).toBeLessThan(range * 0.005);
  });
  await plot.evaluate(node => delete node.dataset.previewAboveMs);
}
