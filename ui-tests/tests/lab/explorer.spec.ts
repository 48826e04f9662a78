/**
 * The sidebar's model explorer in a real JupyterLab: the bundled model opens
 * from the palette; its layer tree shows the shapes and parameter counts of
 * its model.json (computed here from the file's config and weights
 * manifest); a conv channel's card opens in the main area and draws a
 * non-blank animation, a top-examples grid with the channel's histogram over
 * the test digits (its counts sum to the digits counted), and its layer's
 * PCA coloured by the channel; "Insert code" adds a cell that runs and renders the
 * same picture; a reload shows the same model and selection; a malformed
 * model.json opened from the file browser gives a clear error; switching
 * layers quickly leaves no job of the old layers, and the queue empties.
 */
import {
  type JupyterLabPage,
  type IJupyterLabPageFixture,
  expect,
  test
} from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { readFileSync } from 'fs';
import * as path from 'path';
import {
  canvasPixels,
  FeatureVizHelper,
  lastFrameShown,
  OUTPUT,
  pixelVariance,
  putCell
} from '../helpers/featureviz';

const MODEL_JSON = path.resolve(
  __dirname,
  '../../../assets/models/mnist-cnn/model.json'
);

interface IKerasLayer {
  class_name: string;
  config: {
    name: string;
    kernel_size?: number[];
    pool_size?: number[];
    filters?: number;
    units?: number;
    batch_input_shape?: (number | null)[];
  };
}

/**
 * Each layer's output shape and parameter count, from the model.json alone:
 * shapes by the textbook formulas of valid convolutions and pools, the
 * parameters summed from the weights manifest by layer name.
 */
function expectedLayers(): { name: string; shape: string; params: number }[] {
  const json = JSON.parse(readFileSync(MODEL_JSON, 'utf8')) as {
    modelTopology: { config: { layers: IKerasLayer[] } };
    weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  };
  const params = new Map<string, number>();
  for (const group of json.weightsManifest) {
    for (const w of group.weights) {
      const layer = w.name.split('/')[0];
      const size = w.shape.reduce((a, b) => a * b, 1);
      params.set(layer, (params.get(layer) ?? 0) + size);
    }
  }
  let shape: number[] = [];
  return json.modelTopology.config.layers.map(layer => {
    const c = layer.config;
    if (c.batch_input_shape) {
      shape = c.batch_input_shape.slice(1) as number[];
    }
    if (layer.class_name === 'Conv2D') {
      const [k1, k2] = c.kernel_size ?? [1, 1];
      shape = [shape[0] - k1 + 1, shape[1] - k2 + 1, c.filters ?? 0];
    } else if (layer.class_name === 'MaxPooling2D') {
      const [p1, p2] = c.pool_size ?? [2, 2];
      shape = [Math.floor(shape[0] / p1), Math.floor(shape[1] / p2), shape[2]];
    } else if (layer.class_name === 'Flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (layer.class_name === 'Dense') {
      shape = [c.units ?? 0];
    }
    return {
      name: c.name,
      shape: `(None, ${shape.join(', ')})`,
      params: params.get(c.name) ?? 0
    };
  });
}

async function runCommand(
  page: IJupyterLabPageFixture,
  id: string
): Promise<void> {
  await page.evaluate(
    command =>
      (
        window as unknown as {
          jupyterapp: { commands: { execute(id: string): Promise<unknown> } };
        }
      ).jupyterapp.commands.execute(command),
    id
  );
}

/** Opens the bundled model through the command palette, as a user would. */
async function openBundled(page: IJupyterLabPageFixture): Promise<void> {
  await new FeatureVizHelper(page).runFromPalette('Open the Bundled MNIST CNN');
}

/** The neuron card, in its main-area tab. */
const CARD = '#jp-featureviz-neuron-card .jp-FeatureViz-explorer-card';

function layerItem(sidebar: Locator, name: string): Locator {
  return sidebar.locator(`[role="treeitem"][data-layer="${name}"]`);
}

/** The engine panel's job labels now. */
async function jobLabels(sidebar: Locator): Promise<string[]> {
  return sidebar.locator('.jp-FeatureViz-explorer-job span').allTextContents();
}

test.describe('model explorer', () => {
  test.setTimeout(480000);

  test('opens the bundled model; tree, atlas, card, insert code, reload', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    await openBundled(page);
    const sidebar = fv.sidebar;
    await expect(sidebar).toBeVisible();
    const tree = sidebar.getByRole('tree', { name: 'Layers' });
    // The first model opens with the engine's start (its backend probe).
    await expect(tree.getByRole('treeitem')).toHaveCount(7, { timeout: 60000 });

    // Names, types, shapes and parameters as the model.json says.
    const shown = await tree.getByRole('treeitem').evaluateAll(items =>
      items.map(item => ({
        name: item.querySelector('.jp-FeatureViz-explorer-layer-name')
          ?.textContent,
        shape: item.querySelector('.jp-FeatureViz-explorer-layer-shape')
          ?.textContent,
        params: Number(
          item
            .querySelector('.jp-FeatureViz-explorer-layer-params')
            ?.textContent?.replace(/[^0-9]/g, '')
        )
      }))
    );
    expect(shown).toEqual(expectedLayers());

    // A notebook with a started kernel, for Insert code below its cell.
    await page.notebook.createNew();
    await putCell(page, 0, 'import featureviz as fv');
    await page.notebook.runCell(0, true);
    await runCommand(page, 'featureviz:open-sidebar');

    // The filter box and the keyboard: ArrowDown to conv2d_1, Enter.
    const filter = sidebar.getByRole('searchbox', { name: /Filter layers/ });
    await filter.fill('pool');
    await expect(tree.locator('[role="treeitem"]:visible')).toHaveCount(1);
    await filter.fill('');
    await layerItem(sidebar, 'conv2d').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(layerItem(sidebar, 'conv2d_1')).toHaveAttribute(
      'aria-selected',
      'true'
    );

    // The atlas computes the cells in view; the first chunk gets done.
    const grid = sidebar.getByRole('grid', { name: /Atlas of conv2d_1/ });
    await expect(grid.getByRole('gridcell')).toHaveCount(64);
    await expect(grid.locator('[data-unit="5"]')).toHaveAttribute(
      'data-state',
      'done',
      { timeout: 180000 }
    );
    // Cells far below the view were never queued.
    await expect(grid.locator('[data-unit="63"]')).toHaveAttribute(
      'data-state',
      'waiting'
    );

    // Channel 5's card: the id, a non-blank animation and examples.
    await grid.locator('[data-unit="4"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    // The card opens in the main area (the sidebar is too narrow for it).
    const card = page.locator(CARD);
    await expect(card).toHaveAttribute('data-unit-id', 'mnist-cnn/conv2d_1/5');
    await expect(
      page.getByRole('tab', { name: 'Neuron card: mnist-cnn/conv2d_1/5' })
    ).toBeVisible();
    await expect(
      sidebar.locator('.jp-FeatureViz-explorer-cardlink')
    ).toHaveAttribute('data-unit-id', 'mnist-cnn/conv2d_1/5');
    await expect(
      card.getByRole('heading', { name: 'mnist-cnn/conv2d_1/5' })
    ).toBeVisible();
    const lenses = card.locator(OUTPUT);
    await expect(lenses).toHaveCount(3);
    for (let i = 0; i < 2; i++) {
      await expect(lenses.nth(i)).toHaveAttribute('data-state', 'done', {
        timeout: 240000
      });
      expect(await pixelVariance(lenses.nth(i))).toBeGreaterThan(10);
    }
    await expect(
      lenses.nth(1).locator('.jp-FeatureViz-example').first()
    ).toBeVisible();
    // Every output about the unit names it.
    await expect(lenses.nth(0).locator('.jp-FeatureViz-title')).toHaveText(
      'mnist-cnn/conv2d_1/5'
    );
    await lastFrameShown(lenses.nth(0));
    const cardPixels = await canvasPixels(lenses.nth(0));

    // The channel's histogram over every test digit: bars drawn, and the
    // bins' counts sum to the number of digits its title counts.
    const histogram = lenses.nth(1).locator('.jp-FeatureViz-histogram');
    await expect(histogram.locator('.jp-FeatureViz-example-title')).toHaveText(
      /over 2,000 examples/
    );
    expect(
      await histogram.locator('rect.jp-FeatureViz-histogram-values').count()
    ).toBeGreaterThan(3);
    const counts = await histogram
      .locator('.jp-FeatureViz-histogram-count')
      .allTextContents();
    expect(counts.reduce((sum, n) => sum + Number(n), 0)).toBe(2000);
    await expect(histogram).toHaveAttribute('data-count', '2000');

    // Where it sits in its layer's PCA: the points coloured by its value,
    // the legend a colour bar of 8 value bands.
    await expect(lenses.nth(2)).toHaveAttribute('data-state', 'done', {
      timeout: 240000
    });
    await expect(
      lenses.nth(2).locator('.jp-FeatureViz-sentence')
    ).toContainText('Coloured by the value of channel 5 of conv2d_1');
    await expect(
      lenses.nth(2).locator('.jp-FeatureViz-pca-legend button')
    ).toHaveCount(8);

    // Insert code: a new cell below the active one, which runs and renders
    // the same picture.
    await card.getByRole('button', { name: 'Insert code' }).click();
    await expect
      .poll(() => page.notebook.getCellTextInput(1), { timeout: 30000 })
      .toContain('fv.gradient_ascent(net, "conv2d_1", channel=5');
    await page.notebook.runCell(1, true);
    const cell = page.locator('.jp-Notebook .jp-Cell').nth(1).locator(OUTPUT);
    await expect(cell).toHaveCount(3);
    await expect(cell.nth(0)).toHaveAttribute('data-state', 'done', {
      timeout: 240000
    });
    await expect(cell.nth(0).locator('.jp-FeatureViz-title')).toHaveText(
      'mnist-cnn/conv2d_1/5'
    );
    await lastFrameShown(cell.nth(0));
    expect(await canvasPixels(cell.nth(0))).toEqual(cardPixels);

    // After a reload: the same model and selection. (Galata's own wait
    // after a reload is for the Launcher tab, which a notebook covers.)
    await runCommand(page, 'featureviz:open-sidebar');
    // The fixture's type keeps Playwright's reload; Galata's takes this option.
    await (page as unknown as Pick<JupyterLabPage, 'reload'>).reload({
      waitForIsReady: false
    });
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(fv.sidebar).toBeVisible();
    await expect(layerItem(fv.sidebar, 'conv2d_1')).toHaveAttribute(
      'aria-selected',
      'true',
      { timeout: 60000 }
    );
    await expect(page.locator(CARD)).toHaveAttribute(
      'data-unit-id',
      'mnist-cnn/conv2d_1/5'
    );
    await fv.sidebar
      .getByRole('button', { name: 'Cancel all engine jobs' })
      .click();
  });

  test('"Open in Feature Viz" on a malformed model.json says what is wrong', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent(
      '{"modelTopology": {"class_name": "Sequential", "config"',
      'text',
      `${tmpPath}/broken/model.json`
    );
    await page.filebrowser.openDirectory(`${tmpPath}/broken`);
    await page
      .locator('.jp-DirListing-item', { hasText: 'model.json' })
      .click({ button: 'right' });
    await page
      .locator('.lm-Menu-item', { hasText: 'Open in Feature Viz' })
      .click();
    const fv = new FeatureVizHelper(page);
    const alert = fv.sidebar.getByRole('alert');
    await expect(alert).toContainText(
      `Could not open /${tmpPath}/broken/model.json`,
      {
        timeout: 60000
      }
    );
    await expect(alert).toContainText(/JSON/i);
    // Nothing else broke: the bundled model still opens.
    await openBundled(page);
    await expect(
      fv.sidebar.getByRole('tree', { name: 'Layers' }).getByRole('treeitem')
    ).toHaveCount(7);
  });

  test('switching layers quickly leaves no jobs of the old layers', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    await openBundled(page);
    const sidebar = fv.sidebar;
    // The first model opens with the engine's start (its backend probe).
    await expect(layerItem(sidebar, 'conv2d')).toBeVisible({ timeout: 60000 });
    for (const name of ['conv2d', 'conv2d_1', 'dense', 'conv2d', 'logits']) {
      await layerItem(sidebar, name).click();
    }
    // Within a second (the engine's cancel deadline) every job of the old
    // layers is gone: what is queued or running is the last layer's.
    await expect
      .poll(
        async () =>
          (await jobLabels(sidebar)).filter(
            label => !label.startsWith('layer-atlas of logits')
          ),
        { timeout: 5000 }
      )
      .toEqual([]);
    // The last layer's cells get done once in view, and the queue empties.
    const last = sidebar
      .getByRole('grid', { name: /Atlas of logits/ })
      .locator('[data-unit="9"]');
    await last.scrollIntoViewIfNeeded();
    await expect(last).toHaveAttribute('data-state', 'done', {
      timeout: 180000
    });
    await expect(
      sidebar.getByRole('list', { name: 'Engine jobs' })
    ).toHaveAttribute('data-count', '0');
  });
});
