import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  type ConsoleMessage,
  type Locator,
  type Page,
  expect
} from '@playwright/test';
import * as path from 'path';

export const PLUGIN_IDS = [
  'jupyterlab-featureviz:settings',
  'jupyterlab-featureviz:engine',
  'jupyterlab-featureviz:kernel',
  'jupyterlab-featureviz:renderer',
  'jupyterlab-featureviz:sidebar'
];

export const OUTPUT = '.jp-FeatureViz-output';

/**
 * The tag of a test that measures time (a deadline, a long task, Cancel
 * within a second): `ui-tests/run` runs these alone, after the others have
 * run two at a time, so that another test's load cannot fail them.
 */
export const TIMED = { tag: '@timed' };

export const WALKTHROUGH = path.resolve(
  __dirname,
  '../../../examples/walkthrough.ipynb'
);

/**
 * The walkthrough's outputs in order: four gradient-ascent pictures, four
 * top-examples grids, the attribution lenses (occlusion, saliency six ways,
 * Integrated Gradients alone, the first-layer filters), two PCA scatters.
 */
export const WALKTHROUGH_KINDS = [
  'gradient-ascent',
  'gradient-ascent',
  'layer-atlas',
  'gradient-ascent',
  'top-examples',
  'top-examples',
  'top-examples',
  'top-examples',
  'occlusion',
  'saliency',
  'saliency',
  'filters',
  'pca',
  'pca'
];

/**
 * The engine's tensor count now, from its status (the page's engine service;
 * Galata returns a plugin's service). -1 when the status has no memory.
 */
export async function engineTensors(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const galata = (
      window as unknown as {
        galata: { getPlugin(id: string): Promise<unknown> };
      }
    ).galata;
    const service = (await galata.getPlugin(
      'jupyterlab-featureviz:engine'
    )) as { status(): Promise<{ memory?: { numTensors: number } }> };
    return (await service.status()).memory?.numTensors ?? -1;
  });
}

/** Uploads the walkthrough into the test's folder and opens it. */
export async function openWalkthrough(
  page: IJupyterLabPageFixture,
  tmpPath: string
): Promise<void> {
  await page.contents.uploadFile(WALKTHROUGH, `${tmpPath}/walkthrough.ipynb`);
  await page.notebook.openByPath(`${tmpPath}/walkthrough.ipynb`);
  await page.notebook.activate('walkthrough.ipynb');
}
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
    await this.runFromPalette('Open Feature Viz Sidebar');
  }

  /** Runs the palette's command labelled `label`, as a user would. */
  async runFromPalette(label: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+C');
    const palette = this.page.locator('#modal-command-palette');
    await palette.waitFor({ state: 'visible' });
    await palette.locator('input').fill(label);
    await palette
      .locator('.lm-CommandPalette-item', { hasText: label })
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
    await putCell(this.page, 0, source);
    await this.page.notebook.runCell(0);
    return this.output(0);
  }

  /**
   * Runs `sources` as the cells of a new notebook (one page and one kernel
   * for many cases) and gives each cell's featureviz output.
   */
  async runCellsInNewNotebook(
    sources: readonly string[],
    name?: string
  ): Promise<Locator[]> {
    await this.page.notebook.createNew(name);
    for (const [i, source] of sources.entries()) {
      await putCell(this.page, i, source);
    }
    await this.page.notebook.run();
    return sources.map((_, i) => this.output(i));
  }

  /** The featureviz output of a cell. */
  output(cellIndex: number): Locator {
    return this.page
      .locator('.jp-Notebook .jp-Cell')
      .nth(cellIndex)
      .locator(OUTPUT);
  }
}

/**
 * Variance of the pixels' luminance in an output's canvases: a blank or
 * uniform canvas gives 0. The views' canvases show bitmaps (bitmaprenderer):
 * each is copied onto a 2D canvas to be read.
 */
export async function pixelVariance(output: Locator): Promise<number> {
  return output.evaluate(node => {
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (const canvas of node.querySelectorAll('canvas')) {
      const c = canvas as HTMLCanvasElement;
      if (c.width === 0 || c.height === 0) {
        continue;
      }
      const copy = document.createElement('canvas');
      [copy.width, copy.height] = [c.width, c.height];
      const context = copy.getContext('2d');
      if (!context) {
        continue;
      }
      context.drawImage(c, 0, 0);
      const { data } = context.getImageData(0, 0, c.width, c.height);
      for (let i = 0; i < data.length; i += 4) {
        const y = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
        n++;
        sum += y;
        squares += y * y;
      }
    }
    return n === 0 ? 0 : squares / n - (sum / n) ** 2;
  });
}

/**
 * Waits until an animation's player shows its last frame ("step N / N"):
 * after "done" it still paints at the animation's pace, so a picture read
 * at "done" can be an earlier frame (seen under load: the inserted cell's
 * picture differed from the card's by that).
 */
export async function lastFrameShown(output: Locator): Promise<void> {
  await expect(output.locator('.jp-FeatureViz-step').first()).toHaveText(
    /^step (\d+) \/ \1$/,
    { timeout: 30000 }
  );
}

/** The pixels of an output's first canvas, for comparing two outputs. */
export async function canvasPixels(output: Locator): Promise<number[]> {
  return output
    .locator('canvas')
    .first()
    .evaluate(canvas => {
      const c = canvas as HTMLCanvasElement;
      const copy = document.createElement('canvas');
      [copy.width, copy.height] = [c.width, c.height];
      const context = copy.getContext('2d');
      if (!context || c.width === 0) {
        return [];
      }
      context.drawImage(c, 0, 0);
      return Array.from(context.getImageData(0, 0, c.width, c.height).data);
    });
}

/** Counts WebGL contexts the page (main thread) creates: run before load. */
export const COUNT_WEBGL_CONTEXTS = `(() => {
  const original = HTMLCanvasElement.prototype.getContext;
  window.__webglContexts = 0;
  HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
    if (kind === 'webgl' || kind === 'webgl2' || kind === 'experimental-webgl') {
      window.__webglContexts++;
    }
    return original.call(this, kind, ...rest);
  };
})()`;

/**
 * Sets code cell `index` of the active notebook to `source`, adding a code
 * cell at the end when `index` is the cell count. It goes through the
 * notebook's shared model: Galata's setCell and addCell type the source a
 * key at a time (seconds for a long cell, which the editor re-indents as it
 * goes), and what is under test here is what the cell does, not typing.
 */
export async function putCell(
  page: Page,
  index: number,
  source: string
): Promise<void> {
  await page.evaluate(
    ({ index, source }) => {
      interface ISharedCell {
        readonly cell_type: string;
        setSource(source: string): void;
      }
      // The few members of JupyterLab's objects used here, typed by hand:
      // the page's modules are not importable from the test runner.
      const { shell } = (
        window as unknown as {
          jupyterapp: {
            shell: {
              currentWidget: {
                content?: {
                  model?: {
                    sharedModel: {
                      readonly cells: readonly ISharedCell[];
                      insertCell(
                        index: number,
                        cell: { cell_type: 'code'; source: string }
                      ): void;
                    };
                  };
                };
              } | null;
            };
          };
        }
      ).jupyterapp;
      const shared = shell.currentWidget?.content?.model?.sharedModel;
      if (!shared) {
        throw new Error('putCell: the active widget is not a notebook');
      }
      if (index === shared.cells.length) {
        shared.insertCell(index, { cell_type: 'code', source });
      } else if (shared.cells[index]?.cell_type === 'code') {
        shared.cells[index].setSource(source);
      } else {
        throw new Error(`putCell: cell ${index} is not a code cell`);
      }
    },
    { index, source }
  );
}

/**
 * Runs `code` in a cell at the end of the active notebook (the empty last
 * cell when there is one, as running a cell leaves); returns its index.
 */
export async function append(
  page: IJupyterLabPageFixture,
  code: string
): Promise<number> {
  const count = await page.notebook.getCellCount();
  const last = count - 1;
  const empty =
    count > 0 && (await page.notebook.getCellTextInput(last)) === '';
  const index = empty ? last : count;
  await putCell(page, index, code);
  await page.notebook.runCell(index, true);
  return index;
}

/** The text of a cell's outputs. */
export async function printed(
  page: IJupyterLabPageFixture,
  index: number
): Promise<string> {
  return (
    (await page
      .locator('.jp-Notebook .jp-Cell')
      .nth(index)
      .locator('.jp-OutputArea-output')
      .last()
      .textContent()) ?? ''
  );
}
