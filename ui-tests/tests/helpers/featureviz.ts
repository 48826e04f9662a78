import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { type ConsoleMessage, type Locator, type Page } from '@playwright/test';

export const PLUGIN_IDS = [
  'jupyterlab-featureviz:settings',
  'jupyterlab-featureviz:engine',
  'jupyterlab-featureviz:renderer',
  'jupyterlab-featureviz:sidebar'
];

export const OUTPUT = '.jp-FeatureViz-output';
export const SIDEBAR = '#jp-featureviz-sidebar';

/** A small valid spec, as Python would build it. */
export const CHANNEL_SPEC = {
  view: 'gradient-ascent',
  model: { builtin: 'mnist-cnn' },
  objective: { type: 'channel', layer: 'conv2d_1', channel: 5 }
};

/** Python source that displays a featureviz output for `spec`. */
export function displayCode(spec: unknown): string {
  return `import featureviz as fv\nfv.Visualization(${JSON.stringify(spec)})`;
}

/** Collects console errors and uncaught exceptions of a page. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  page.on('pageerror', error => errors.push(String(error)));
  return errors;
}

/** Page object for Feature Viz in JupyterLab (in the style of Galata's helpers). */
export class FeatureVizHelper {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get sidebar(): Locator {
    return this.page.locator(SIDEBAR);
  }

  /** Opens the sidebar through the command palette, as a user would. */
  async openSidebarFromPalette(): Promise<void> {
    await this.page.keyboard.press('Control+Shift+C');
    const palette = this.page.locator('#modal-command-palette');
    await palette.waitFor({ state: 'visible' });
    await palette.locator('input').fill('Open Feature Viz Sidebar');
    await palette
      .locator('.lm-CommandPalette-item', {
        hasText: 'Open Feature Viz Sidebar'
      })
      .first()
      .click();
  }

  /** Whether each of our plugins is activated in the running application. */
  async activatedPlugins(): Promise<Record<string, boolean>> {
    return this.page.evaluate(ids => {
      const app = (
        window as unknown as {
          jupyterapp: { isPluginActivated(id: string): boolean };
        }
      ).jupyterapp;
      return Object.fromEntries(ids.map(id => [id, app.isPluginActivated(id)]));
    }, PLUGIN_IDS);
  }

  /** Creates a notebook whose first cell runs `source`, and runs it. */
  async runInNewNotebook(source: string, name?: string): Promise<Locator> {
    await this.page.notebook.createNew(name);
    await this.page.notebook.setCell(0, 'code', source);
    await this.page.notebook.runCell(0);
    return this.output(0);
  }

  /** The featureviz output of a cell. */
  output(cellIndex: number): Locator {
    return this.page
      .locator('.jp-Notebook .jp-Cell')
      .nth(cellIndex)
      .locator(OUTPUT);
  }
}
