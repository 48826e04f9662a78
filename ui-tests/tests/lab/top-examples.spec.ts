/**
 * Top-activating examples in a real JupyterLab: the walkthrough's cells
 * render sorted, non-blank grids; NumPy arrays go from the kernel to the
 * page once (counted on the comm) and the ranking comes back with
 * `await out.result()` equal to what the grid shows; the saved notebook
 * holds the PNG and summary but not the data; bad input is named.
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

/** The dataset indices and values the grid of one end shows, in order. */
async function grid(output: Locator, end: 0 | 1 = 0) {
  return output
    .locator('.jp-FeatureViz-example-grid')
    .nth(end)
    .evaluate(list =>
      [...list.querySelectorAll<HTMLElement>('.jp-FeatureViz-example')].map(
        cell => ({
          index: Number(cell.dataset.index),
          value: Number(cell.dataset.value)
        })
      )
    );
}

test.describe('top examples', () => {
  test.setTimeout(300000);

  test("the walkthrough's cells draw sorted grids of real digits", async ({
    page,
    tmpPath
  }) => {
    await openWalkthrough(page, tmpPath);
    // The import and the top-examples cells only (walkthrough.spec runs all).
    const cells = (
      JSON.parse(readFileSync(WALKTHROUGH, 'utf8')) as {
        cells: { cell_type: string; source: string[] }[];
      }
    ).cells;
    for (const [i, cell] of cells.entries()) {
      const text = cell.source.join('');
      if (
        cell.cell_type === 'code' &&
        /import featureviz|top_examples|\.result\(\)/.test(text)
      ) {
        await page.notebook.runCell(i, true);
      }
    }
    const outputs = page.locator(OUTPUT);
    await expect(outputs).toHaveCount(4);
    for (let i = 0; i < 4; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-state', 'done', {
        timeout: 120000
      });
      expect(await pixelVariance(outputs.nth(i))).toBeGreaterThan(10);
      const top = await grid(outputs.nth(i));
      expect(top.length).toBe(i === 0 ? 16 : 9);
      const values = top.map(c => c.value);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
    // The 8s: the bottom grid rises from the least exciting.
    const bottom = (await grid(outputs.nth(0), 1)).map(c => c.value);
    expect(bottom).toEqual([...bottom].sort((a, b) => a - b));
    expect(bottom[15]).toBeLessThan((await grid(outputs.nth(0)))[15].value);
    // The ranking came back to the kernel.
    await expect(page.getByText(/most 8-like: \[/)).toBeVisible();
    // Patches: the receptive field of conv2d_1 is 5×5.
    const channel = outputs.nth(1);
    const patch = channel.locator('.jp-FeatureViz-example canvas').first();
    expect(
      await patch.evaluate(c => [
        (c as HTMLCanvasElement).width,
        (c as HTMLCanvasElement).height
      ])
    ).toEqual([5, 5]);
    // Whole images show where the patch lies; clicking one enlarges it.
    await channel
      .getByRole('button', {
        name: 'Show the receptive-field patches instead of whole examples'
      })
      .click();
    await expect(
      channel.locator('.jp-FeatureViz-rf-box').first()
    ).toBeVisible();
    await channel.locator('.jp-FeatureViz-example').first().click();
    await expect(
      channel.getByRole('region', { name: 'Enlarged example' })
    ).toBeVisible();
  });

  test('from_numpy → view → .result(): arrays sent once, the same ranking back, nothing in the notebook', async ({
    page,
    tmpPath
  }) => {
    const fv = new FeatureVizHelper(page);
    await fv.runInNewNotebook(
      `import featureviz as fv, json
from featureviz import _comm
net = fv.models.mnist_cnn()
images, labels = fv.datasets.mnist().load()
digits = fv.datasets.from_numpy(images[:600], labels[:600])`,
      'roundtrip.ipynb'
    );
    const shown = await append(
      page,
      'out = fv.top_examples(net, logit=3, data=digits, k=8, bottom=True)\nout'
    );
    const output = fv.output(shown);
    await expect(output).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
    const top = await grid(output);
    const bottom = await grid(output, 1);
    expect(top).toHaveLength(8);

    const back = JSON.parse(
      await printed(
        page,
        await append(
          page,
          `res = await out.result(timeout=60)
print(json.dumps({"top": res.indices.tolist(), "bottom": res.bottom_indices.tolist(),
                  "values": res.values.tolist()}))`
        )
      )
    );
    expect(back.top).toEqual(top.map(c => c.index));
    expect(back.bottom).toEqual(bottom.map(c => c.index));
    back.values.forEach((v: number, i: number) =>
      expect(v).toBeCloseTo(top[i].value, 4)
    );

    // Re-running the cell makes a new output of the same arrays: the page
    // asks the kernel for nothing (the kernel counts the comm's messages).
    const counts = async () =>
      JSON.parse(
        await printed(
          page,
          await append(page, 'print(json.dumps(dict(_comm.counts)))')
        )
      );
    const before = await counts();
    expect(before['sent:arrays']).toBe(1);
    await page.notebook.runCell(shown, true);
    await expect(fv.output(shown)).toHaveAttribute('data-state', 'done', {
      timeout: 120000
    });
    expect(await grid(fv.output(shown))).toEqual(top);
    const after = await counts();
    expect(after['sent:arrays']).toBe(1);
    expect(after['received:fetch']).toBe(before['received:fetch']);
    expect(after['received:result']).toBe(before['received:result'] + 1);

    // Saved: the grid's PNG and the ranking, not 600 digits (470 KB).
    await page.notebook.save();
    const saved = await page.request.get(
      `/api/contents/${tmpPath}/roundtrip.ipynb?content=1`
    );
    const notebook = JSON.stringify((await saved.json()).content);
    console.log(`saved notebook: ${notebook.length} bytes`);
    expect(notebook.length).toBeLessThan(150 * 1024);
    expect(notebook).toContain('application/vnd.featureviz.summary.v1+json');
  });

  test('bad input is named in the cell or in the output', async ({ page }) => {
    const fv = new FeatureVizHelper(page);
    await fv.runInNewNotebook(`import featureviz as fv, numpy as np, zlib, struct, os
net = fv.models.mnist_cnn()`);
    // Python refuses these before anything is displayed.
    const refused = await printed(
      page,
      await append(
        page,
        String.raw`check = lambda code: exec(f"try:\n    {code}\nexcept Exception as error:\n    print(type(error).__name__ + ': ' + str(error))")
check("fv.datasets.from_numpy(np.zeros((3, 28, 28), np.uint8), labels=[1, 2])")
check("fv.datasets.from_numpy(np.zeros((0, 28, 28), np.uint8))")
check("fv.datasets.from_numpy(np.full((2, 28, 28), np.nan))")
check("fv.datasets.from_numpy(np.zeros((28, 28), np.uint8))")
check("fv.top_examples(net, logit=8, data=fv.datasets.mnist()[3])")`
      )
    );
    for (const message of [
      'ValueError: labels must be one integer per image: 3 images but labels of shape (2,)',
      'ValueError: images is empty',
      'ValueError: images has NaN or infinite values (the first in image 0)',
      'ValueError: images must be N×H×W (grey) or N×H×W×C (channels last), not an array of shape (28, 28)',
      'TypeError: data must be a whole dataset, not one example'
    ]) {
      expect(refused).toContain(message);
    }
    // Files in the notebook's folder: a folder of PNGs with a corrupt one,
    // and an .npy of 2.4 MB.
    const made = await printed(
      page,
      await append(
        page,
        String.raw`chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
header = lambda pixels: struct.pack(">IIBBBBB", len(pixels[0]), len(pixels), 8, 0, 0, 0, 0)
rows = lambda pixels: zlib.compress(b"".join(b"\0" + bytes(r) for r in pixels))
png = lambda pixels: b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header(pixels)) + chunk(b"IDAT", rows(pixels)) + chunk(b"IEND", b"")
folders = [os.makedirs(f"shapes/{label}", exist_ok=True) for label in ("dark", "light")]
written = [open(f"shapes/{label}/{i}.png", "wb").write(png([[shade + i] * 14] * 14)) for label, shade in (("dark", 30), ("light", 220)) for i in range(3)]
broken = open("shapes/light/broken.png", "wb").write(b"not an image")
np.save("big.npy", np.zeros((3000, 28, 28), np.uint8))
print(os.getcwd(), sorted(os.listdir("shapes/light")))`
      )
    );
    expect(made).toContain("'broken.png'");
    // The browser names these in their outputs.
    const cell = await append(
      page,
      `display(fv.top_examples(net, "conv2d_1", channel=99))
display(fv.top_examples(net, logit=1, data=fv.datasets.from_numpy(np.zeros((4, 28, 28, 3), np.uint8))))
display(fv.top_examples(net, logit=1, data=fv.datasets.from_file("missing.npy")))
display(fv.top_examples(net, "conv2d", channel=0, reduce="mean", data=fv.datasets.from_folder("shapes"), k=6))`
    );
    const outputs = page
      .locator('.jp-Notebook .jp-Cell')
      .nth(cell)
      .locator(OUTPUT);
    await expect(outputs).toHaveCount(4);
    for (const [n, message] of [
      [
        0,
        'Layer "conv2d_1" has 64 channels (0 to 63); channel 99 is out of range.'
      ],
      [
        1,
        'The model takes images with 1 channel; the kernel arrays has 3 (images of 28×28×3).'
      ],
      [2, 'missing.npy is not on the Jupyter server']
    ] as [number, string][]) {
      await expect(outputs.nth(n)).toHaveAttribute('data-state', 'failed', {
        timeout: 60000
      });
      await expect(outputs.nth(n).getByRole('alert')).toContainText(message);
    }
    // A corrupt image is skipped and counted; the rest are ranked.
    const folder = outputs.nth(3);
    await expect(folder).toHaveAttribute('data-state', 'done', {
      timeout: 60000
    });
    await expect(folder).toContainText('1 unreadable file skipped');
    await expect(folder).toContainText('label light');
    // A file over the "Largest dataset" setting is refused before download
    // (the setting changed as the settings editor changes it: live).
    const setCap = (value: number | null) =>
      page.evaluate(async value => {
        const galata = (
          window as unknown as {
            galata: {
              getPlugin(id: string): Promise<{
                set(plugin: string, key: string, value: number): Promise<void>;
                remove(plugin: string, key: string): Promise<void>;
              }>;
            };
          }
        ).galata;
        const registry = await galata.getPlugin(
          '@jupyterlab/apputils-extension:settings'
        );
        const id = 'jupyterlab-featureviz:settings';
        await (value === null
          ? registry.remove(id, 'maxDatasetMB')
          : registry.set(id, 'maxDatasetMB', value));
      }, value);
    await setCap(1);
    try {
      const big = fv.output(
        await append(
          page,
          'fv.top_examples(net, logit=1, data=fv.datasets.from_file("big.npy"))'
        )
      );
      await expect(big).toHaveAttribute('data-state', 'failed', {
        timeout: 60000
      });
      await expect(big.getByRole('alert')).toContainText(
        'big.npy is 2.4 MB, over the 1 MB cap of the "Largest dataset" setting.'
      );
    } finally {
      await setCap(null);
    }
  });
});
