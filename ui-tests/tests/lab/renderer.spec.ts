import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';
import {
  CHANNEL_SPEC,
  FeatureVizHelper,
  OUTPUT,
  displayCode
} from '../helpers/featureviz';

test.describe('MIME renderer', () => {
  test('renders a displayed featureviz object', async ({ page }) => {
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(displayCode(CHANNEL_SPEC));
    await expect(output).toHaveAttribute('data-state', 'valid');
    await expect(output.locator('.jp-FeatureViz-view')).toHaveText(
      'Gradient ascent'
    );
    await expect(output.locator('.jp-FeatureViz-subject')).toHaveText(
      'channel 5 of conv2d_1'
    );
    await expect(output.locator('.jp-FeatureViz-badge')).toBeVisible();
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

    // Other cells and outputs are unharmed.
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

  test('puts hostile text from a spec in as text, not markup', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const output = await fv.runInNewNotebook(
      displayCode({ ...CHANNEL_SPEC, title: hostile })
    );
    await expect(output.locator('.jp-FeatureViz-title')).toHaveText(hostile);
    await expect(output.locator('img')).toHaveCount(0);
    expect(
      await page.evaluate(() => (window as { __pwned?: number }).__pwned)
    ).toBeUndefined();
  });

  test('an untrusted notebook shows a notice and computes nothing', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadFile(
      path.resolve(__dirname, '../notebooks/untrusted.ipynb'),
      `${tmpPath}/untrusted.ipynb`
    );
    await page.notebook.openByPath(`${tmpPath}/untrusted.ipynb`);
    const output = page.locator(OUTPUT).first();
    await expect(output).toHaveAttribute('data-state', 'untrusted');
    await expect(output.getByRole('status')).toContainText('not trusted');
    // Computing nothing includes not asking the engine for its backend.
    await expect(output.locator('.jp-FeatureViz-badge')).toHaveCount(0);
  });
});

test.describe('walkthrough', () => {
  test('runs and every featureviz output renders', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadFile(
      path.resolve(__dirname, '../../../examples/walkthrough.ipynb'),
      `${tmpPath}/walkthrough.ipynb`
    );
    await page.notebook.openByPath(`${tmpPath}/walkthrough.ipynb`);
    await page.notebook.activate('walkthrough.ipynb');
    await page.notebook.run();
    const outputs = page.locator(OUTPUT);
    await expect(outputs.first()).toBeVisible();
    const count = await outputs.count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-state', 'valid');
    }
  });
});
