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
  test('renders a displayed featureviz object and runs it', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(
      displayCode({ ...CHANNEL_SPEC, optimization: { steps: 32 } })
    );
    await expect(output.locator('.jp-FeatureViz-view')).toHaveText(
      'Gradient ascent'
    );
    await expect(output.locator('.jp-FeatureViz-subject')).toHaveText(
      'channel 5 of conv2d_1'
    );
    await expect(output).toHaveAttribute('data-state', 'done', {
      timeout: 60000
    });
    await expect(output.locator('.jp-FeatureViz-badge')).toHaveText(
      /WASM|WEBGL|CPU|WEBGPU/
    );
    expect(await pixelVariance(output)).toBeGreaterThan(10);
  });

  test('shows an inline error naming the bad field, and the notebook still works', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const bad = {
      ...CHANNEL_SPEC,
      objective: { type: 'channel', layer: 'conv2d_1', channel: -1 }
    };
    const output = await fv.runInNewNotebook(displayCode(bad));
    await expect(output).toHaveAttribute('data-state', 'invalid');
    const error = output.getByRole('alert');
    await expect(error).toContainText('invalid spec');
    await expect(error).toContainText('must be >= 0');
    await expect(error.locator('code')).toHaveText('objective.channel');

    // Running the first cell advanced to a new, empty second cell.
    await expect(page.locator('.jp-Notebook .jp-Cell')).toHaveCount(2);
    await page.notebook.setCell(1, 'code', 'print(6 * 7)');
    await page.notebook.runCell(1);
    await expect(
      page
        .locator('.jp-Notebook .jp-Cell')
        .nth(1)
        .locator('.jp-OutputArea-output')
    ).toHaveText('42');
    await expect(output).toHaveAttribute('data-state', 'invalid');
  });

  test("a wrong layer name fails at the call, listing the model's layers", async ({
    page
  }) => {
    // The bundled model's layers are known in Python: the call raises with
    // the front end's own message, and no output is displayed.
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(
      "import featureviz as fv\nfv.gradient_ascent(fv.models.mnist_cnn(), 'conv_2d', channel=1, steps=8)"
    );
    const error = page
      .locator('.jp-Notebook .jp-Cell')
      .nth(0)
      .locator('.jp-OutputArea-output');
    await expect(error).toContainText(
      'The model has no layer "conv_2d". Did you mean "conv2d"?',
      { timeout: 60000 }
    );
    await expect(error).toContainText(
      'Its layers are: conv2d, conv2d_1, max_pooling2d, dropout, flatten, dense, logits.'
    );
    await expect(output).toHaveCount(0);
  });

  test('puts hostile text from a spec in as text, not markup', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const output = await fv.runInNewNotebook(
      displayCode({
        ...CHANNEL_SPEC,
        title: hostile,
        optimization: { steps: 4 }
      })
    );
    await expect(output.locator('.jp-FeatureViz-title')).toHaveText(hostile);
    await expect(output.locator('.jp-FeatureViz-header img')).toHaveCount(0);
    expect(
      await page.evaluate(() => (window as { __pwned?: number }).__pwned)
    ).toBeUndefined();
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
