import { expect, test } from '@jupyterlab/galata';
import { readFileSync } from 'fs';
import * as path from 'path';
import {
  FeatureVizHelper,
  OUTPUT,
  pixelVariance,
  putCell
} from '../helpers/featureviz';

const WALKTHROUGH = path.resolve(
  __dirname,
  '../../../examples/walkthrough.ipynb'
);

interface ICell {
  cell_type: string;
  source: string[] | string;
}

/** The walkthrough's set-up cell and its attribution cells, as a notebook. */
function attributionNotebook(): string {
  const notebook = JSON.parse(readFileSync(WALKTHROUGH, 'utf8')) as {
    cells: ICell[];
  };
  const text = (cell: ICell) =>
    Array.isArray(cell.source) ? cell.source.join('') : cell.source;
  const start = notebook.cells.findIndex(c => /Occlusion/.test(text(c)));
  // The attribution section ends where the next lens (PCA) begins.
  const next = notebook.cells.findIndex(
    (c, i) => i > start && /fv\.pca\(|PCA/.test(text(c))
  );
  const end = next < 0 ? notebook.cells.length : next;
  const setup = notebook.cells.find(c => /mnist_cnn\(\)/.test(text(c)));
  return JSON.stringify({
    ...notebook,
    cells: [setup, ...notebook.cells.slice(start, end)]
  });
}

test.describe('attribution lenses', () => {
  test.setTimeout(240000);

  test("the walkthrough's attribution cells draw non-blank maps, with a number per position", async ({
    page,
    tmpPath
  }) => {
    const name = 'attribution.ipynb';
    await page.contents.uploadContent(
      attributionNotebook(),
      'text',
      `${tmpPath}/${name}`
    );
    await page.notebook.openByPath(`${tmpPath}/${name}`);
    await page.notebook.activate(name);
    await page.notebook.run();
    const outputs = page.locator(OUTPUT);
    // Occlusion, six saliency maps, Integrated Gradients alone, filters.
    await expect(outputs).toHaveCount(4);
    for (let i = 0; i < 4; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-state', 'done', {
        timeout: 180000
      });
      expect(await pixelVariance(outputs.nth(i))).toBeGreaterThan(10);
    }

    // The occluded 8: a percentage on each of the 4 × 4 positions.
    const occlusion = outputs.nth(0);
    const cells = occlusion.locator('table.jp-FeatureViz-values td');
    await expect(cells).toHaveCount(16);
    for (const cell of await cells.allTextContents()) {
      expect(cell).toMatch(/^(0|[+−]\d+(\.\d)?)%$/);
    }
    await expect(occlusion.locator('.jp-FeatureViz-sentence')).toContainText(
      'logit 8'
    );

    // Six methods side by side.
    await expect(
      outputs.nth(1).locator('canvas.jp-FeatureViz-figure')
    ).toHaveAttribute(
      'aria-label',
      'Input, Gradient, SmoothGrad, Integrated Gradients, Guided backprop, Deconvnet, Grad-CAM'
    );

    // The maps came back to the kernel: IG's completeness, printed by NumPy.
    const printed = page
      .locator('.jp-Notebook .jp-Cell')
      .filter({ hasText: 'await out.result()' })
      .locator('.jp-OutputArea-output[data-mime-type="text/plain"]');
    await expect(printed).toContainText("'error'", { timeout: 60000 });

    // The filters: 32 kernels of conv2d.
    await expect(outputs.nth(3).locator('.jp-FeatureViz-sentence')).toHaveText(
      '32 filters of conv2d, 3×3 over 1 input channel.'
    );
  });

  test('bad inputs give clear messages', async ({ page }) => {
    const fv = new FeatureVizHelper(page);
    await page.notebook.createNew('bad-inputs.ipynb');
    const cells = [
      'import featureviz as fv\nimport numpy as np\nnet = fv.models.mnist_cnn()\nfv.datasets.mnist()[5000]',
      `fv.Visualization({"view": "occlusion", "model": {"builtin": "mnist-cnn"}, "data": {"builtin": "mnist", "split": "test", "index": 5000}})`,
      'fv.saliency(net, np.zeros((27, 28), np.uint8), label=1)',
      'fv.saliency(net, fv.datasets.mnist()[0], method="grad-cam", cam_layer="dense")'
    ];
    for (const [i, source] of cells.entries()) {
      await putCell(page, i, source);
    }
    // One at a time, in place: Run All would stop at the first cell's error,
    // and running the last cell and advancing would add an empty cell.
    for (let i = 0; i < cells.length; i++) {
      await page.notebook.runCell(i, { inplace: true });
    }
    await expect(
      page
        .locator('.jp-Notebook .jp-Cell')
        .nth(0)
        .locator('.jp-OutputArea-output')
    ).toContainText(
      "IndexError: example 5000 is out of range: featureviz.datasets.mnist(split='test') holds 2000 examples (0 to 1999)"
    );
    const expected = [
      'Example 5000 is out of range: mnist test has 2000 examples (0 to 1999).',
      'The input is 27×28×1 (height × width × channels) but the model takes 28×28×1 images.',
      'Grad-CAM needs a layer with a spatial output (height × width × channels), such as a convolution; "dense" has shape [128].'
    ];
    for (const [i, message] of expected.entries()) {
      const output = fv.output(i + 1);
      await expect(output).toHaveAttribute('data-state', 'failed', {
        timeout: 120000
      });
      await expect(output.locator('.jp-FeatureViz-run-error')).toContainText(
        message
      );
    }
  });
});
