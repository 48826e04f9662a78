import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';
import {
  CHANNEL_SPEC,
  FeatureVizHelper,
  OUTPUT,
  displayCode,
  pixelVariance
} from '../helpers/featureviz';

test.describe('MIME renderer', () => {
  // One notebook, a cell per case: a page and a kernel for all of them.
  // The Python error comes last: running all cells stops at it.
  test('renders and runs an output; bad specs and hostile text harm nothing', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const [good, bad, marked] = await fv.runCellsInNewNotebook(
      [
        displayCode({ ...CHANNEL_SPEC, optimization: { steps: 32 } }),
        displayCode({
          ...CHANNEL_SPEC,
          objective: { type: 'channel', layer: 'conv2d_1', channel: -1 }
        }),
        displayCode({
          ...CHANNEL_SPEC,
          title: hostile,
          optimization: { steps: 4 }
        }),
        'print(6 * 7)',
        // The bundled model's layers are known in Python: the call raises
        // with the front end's own message, and no output is displayed.
        "import featureviz as fv\nfv.gradient_ascent(fv.models.mnist_cnn(), 'conv_2d', channel=1, steps=8)"
      ],
      'renderer.ipynb'
    );
    const cellOutput = (i: number) =>
      page
        .locator('.jp-Notebook .jp-Cell')
        .nth(i)
        .locator('.jp-OutputArea-output');

    await test.step('renders a displayed featureviz object and runs it', async () => {
      await expect(good.locator('.jp-FeatureViz-view')).toHaveText(
        'Gradient ascent'
      );
      await expect(good.locator('.jp-FeatureViz-subject')).toHaveText(
        'channel 5 of conv2d_1'
      );
      await expect(good).toHaveAttribute('data-state', 'done', {
        timeout: 60000
      });
      await expect(good.locator('.jp-FeatureViz-badge')).toHaveText(
        /WASM|WEBGL|CPU|WEBGPU/
      );
      // The player shows the last frame at the animation's pace, after "done".
      await expect.poll(() => pixelVariance(good)).toBeGreaterThan(10);
    });

    await test.step('shows an inline error naming the bad field, and the notebook still works', async () => {
      await expect(bad).toHaveAttribute('data-state', 'invalid');
      const error = bad.getByRole('alert');
      await expect(error).toContainText('invalid spec');
      await expect(error).toContainText('must be >= 0');
      await expect(error.locator('code')).toHaveText('objective.channel');
      // The kernel ran the cells after it.
      await expect(cellOutput(3)).toHaveText('42');
    });

    await test.step('puts hostile text from a spec in as text, not markup', async () => {
      await expect(marked.locator('.jp-FeatureViz-title')).toHaveText(hostile);
      await expect(marked.locator('.jp-FeatureViz-header img')).toHaveCount(0);
      expect(
        await page.evaluate(() => (window as { __pwned?: number }).__pwned)
      ).toBeUndefined();
    });

    await test.step("a wrong layer name fails at the call, listing the model's layers", async () => {
      const error = cellOutput(4);
      await expect(error).toContainText(
        'The model has no layer "conv_2d". Did you mean "conv2d"?',
        { timeout: 60000 }
      );
      await expect(error).toContainText(
        'Its layers are: conv2d, conv2d_1, max_pooling2d, dropout, flatten, dense, logits.'
      );
      await expect(fv.output(4)).toHaveCount(0);
    });
  });

  test('an untrusted notebook shows a notice, loads no model and computes nothing', async ({
    page,
    tmpPath
  }) => {
    const requests: string[] = [];
    page.on('request', r => requests.push(r.url()));
    await page.contents.uploadFile(
      path.resolve(__dirname, '../notebooks/untrusted.ipynb'),
      `${tmpPath}/untrusted.ipynb`
    );
    await page.notebook.openByPath(`${tmpPath}/untrusted.ipynb`);
    const output = page.locator(OUTPUT).first();
    await expect(output).toHaveAttribute('data-state', 'untrusted');
    await expect(output.getByRole('status')).toContainText('not trusted');
    await expect(output.locator('canvas')).toHaveCount(0);
    expect(
      requests.filter(u => u.includes('model.json') || u.includes('.bin'))
    ).toEqual([]);
  });
});
