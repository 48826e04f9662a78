import { expect, test } from '@playwright/test';
import { readFileSync } from 'fs';
import * as path from 'path';
import { OUTPUT, collectErrors } from '../helpers/featureviz';

// Jupyter Notebook 7 has no ILabShell: the extension must load there too.
test('the extension loads in Notebook 7 and renders a featureviz output', async ({
  page,
  request
}) => {
  const errors = collectErrors(page);
  const content = JSON.parse(
    readFileSync(
      path.resolve(__dirname, '../notebooks/untrusted.ipynb'),
      'utf8'
    )
  );
  const put = await request.put('/api/contents/notebook7-smoke.ipynb', {
    data: { type: 'notebook', format: 'json', content }
  });
  expect(put.ok()).toBe(true);

  await page.goto('/notebooks/notebook7-smoke.ipynb');
  // The saved output goes through our renderer (untrusted: a notice only).
  const output = page.locator(OUTPUT).first();
  await expect(output).toHaveAttribute('data-state', 'untrusted', {
    timeout: 60000
  });

  // Running the cell makes a trusted output that our renderer accepts.
  await expect(page.locator('.jp-Notebook-ExecutionIndicator')).toHaveAttribute(
    'data-status',
    'idle',
    { timeout: 60000 }
  );
  await page.locator('.jp-Cell .jp-InputArea-editor').first().click();
  await page.keyboard.press('Shift+Enter');
  await expect(output).toHaveAttribute('data-state', 'done', {
    timeout: 60000
  });
  await expect(output.locator('.jp-FeatureViz-view')).toHaveText(
    'Gradient ascent'
  );
  expect(errors.filter(e => /featureviz/i.test(e))).toEqual([]);
});
