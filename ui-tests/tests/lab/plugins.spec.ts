import { expect, test } from '@jupyterlab/galata';
import {
  FeatureVizHelper,
  PLUGIN_IDS,
  collectErrors
} from '../helpers/featureviz';

test.describe('plugins', () => {
  test.use({ autoGoto: false });

  test('all plugins activate with no console errors', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto();
    const fv = new FeatureVizHelper(page);
    await expect
      .poll(() => fv.activatedPlugins())
      .toEqual(Object.fromEntries(PLUGIN_IDS.map(id => [id, true])));
    // The engine reports the backend it would use in the sidebar, once its
    // probe has measured the backends (seconds; more on a busy machine).
    await fv.openSidebarFromPalette();
    await expect(fv.sidebar.locator('.jp-FeatureViz-badge')).not.toHaveText(
      '…',
      { timeout: 60000 }
    );
    expect(errors).toEqual([]);
  });
});

test.describe('sidebar', () => {
  test('opens from the command palette and is restored on reload', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    await expect(fv.sidebar).toBeHidden();
    // The layout restorer saves the workspace shortly after the change.
    const saved = page.waitForRequest(
      request =>
        request.url().includes('/api/workspaces') &&
        request.method() === 'PUT' &&
        (request.postData() ?? '').includes('"current":"jp-featureviz-sidebar"')
    );
    await fv.openSidebarFromPalette();
    await expect(fv.sidebar).toBeVisible();
    await expect(
      fv.sidebar.getByRole('heading', { name: 'Feature Viz' })
    ).toBeVisible();
    await expect(fv.sidebar).toHaveAttribute(
      'aria-label',
      'Feature Viz sidebar'
    );
    // Its tab has our icon and a caption.
    const tab = page.locator(`.jp-SideBar [data-id="jp-featureviz-sidebar"]`);
    await expect(tab).toHaveAttribute('title', 'Feature Viz');

    await saved;
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(fv.sidebar).toBeVisible();
  });
});

test.describe('settings', () => {
  test('appear in the Settings Editor with full descriptions', async ({
    page
  }) => {
    await page.evaluate(async () => {
      await (
        window as unknown as {
          jupyterapp: { commands: { execute(id: string): Promise<unknown> } };
        }
      ).jupyterapp.commands.execute('settingeditor:open');
    });
    const entry = page
      .locator('.jp-PluginList-entry', { hasText: 'Feature Viz' })
      .first();
    await entry.click();
    const form = page.locator('.jp-SettingsPanel');
    for (const label of [
      'Compute backend',
      'Allowed model origins',
      'Largest model (MB of weights)',
      'Save animation frames'
    ]) {
      await expect(form.getByText(label, { exact: true })).toBeVisible();
    }
    await expect(
      form.getByText('Automatic measures the available backends', {
        exact: false
      })
    ).toBeVisible();
  });
});
