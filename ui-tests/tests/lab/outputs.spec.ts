import { expect, test } from '@jupyterlab/galata';
import { readFileSync } from 'fs';
import {
  CHANNEL_SPEC,
  COUNT_WEBGL_CONTEXTS,
  displayCode,
  FeatureVizHelper,
  OUTPUT,
  TIMED
} from '../helpers/featureviz';

test.describe('many outputs, one engine', () => {
  test.setTimeout(240000);

  test('twenty outputs at once are queued, all finish, and the page makes no WebGL context', async ({
    page
  }) => {
    await page.addInitScript(COUNT_WEBGL_CONTEXTS);
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    const fv = new FeatureVizHelper(page);
    // Jobs of 24 steps finish in tens of milliseconds: watch every change
    // rather than poll, and keep the most jobs an output saw ahead of it.
    await page.evaluate(() => {
      const watch = { queued: 0, maxAhead: 0 };
      (window as unknown as { __watch: typeof watch }).__watch = watch;
      new MutationObserver(records => {
        for (const record of records) {
          const target = record.target as HTMLElement;
          if (
            record.type === 'attributes' &&
            target.classList.contains('jp-FeatureViz-output') &&
            target.dataset.state === 'queued'
          ) {
            watch.queued += 1;
          }
          const status = (
            target.nodeType === Node.TEXT_NODE ? target.parentElement : target
          )?.closest('.jp-FeatureViz-status');
          const ahead = /Queued \((\d+) ahead\)/.exec(
            status?.textContent ?? ''
          );
          if (ahead) {
            watch.maxAhead = Math.max(watch.maxAhead, Number(ahead[1]));
          }
        }
      }).observe(document.body, {
        subtree: true,
        attributes: true,
        attributeFilter: ['data-state'],
        childList: true,
        characterData: true
      });
    });
    const code = `import featureviz as fv
from IPython.display import display
net = fv.models.mnist_cnn()
for c in range(20):
    display(fv.gradient_ascent(net, "conv2d_1", channel=c, steps=24))`;
    await fv.runInNewNotebook(code);
    const outputs = page.locator(OUTPUT);
    await expect(outputs).toHaveCount(20);
    for (let i = 0; i < 20; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-state', 'done', {
        timeout: 120000
      });
    }
    // One job at a time: every output was queued, and the engine told later
    // outputs how many jobs were ahead of them.
    const watch = await page.evaluate(
      () =>
        (
          window as unknown as {
            __watch: { queued: number; maxAhead: number };
          }
        ).__watch
    );
    expect(watch.queued).toBeGreaterThanOrEqual(20);
    expect(watch.maxAhead).toBeGreaterThan(0);
    // The engine computes in its worker; the page draws on 2D canvases only.
    expect(
      await page.evaluate(
        () => (window as unknown as { __webglContexts: number }).__webglContexts
      )
    ).toBe(0);
  });
});

test.describe('controls', () => {
  test(
    'Cancel stops a run within a second, and Re-run starts it again',
    TIMED,
    async ({ page }) => {
      const fv = new FeatureVizHelper(page);
      const output = await fv.runInNewNotebook(
        displayCode({ ...CHANNEL_SPEC, optimization: { steps: 5000 } })
      );
      await expect(output).toHaveAttribute('data-state', 'running', {
        timeout: 60000
      });
      await expect(output.locator('.jp-FeatureViz-step')).toHaveText(
        /step [1-9]/
      );
      const clicked = Date.now();
      await output.getByRole('button', { name: 'Cancel the run' }).click();
      await expect(output).toHaveAttribute('data-state', 'cancelled', {
        timeout: 1000
      });
      expect(Date.now() - clicked).toBeLessThan(1000);
      const cancel = output.getByRole('button', { name: 'Cancel the run' });
      const place = await cancel.boundingBox();
      await output.getByRole('button', { name: 'Run again' }).click();
      await expect(output).toHaveAttribute('data-state', 'running', {
        timeout: 30000
      });
      // Clicked at once: the new run holds the last one's place, so Cancel
      // has not moved (a shift between press and release lost the click).
      expect(await cancel.boundingBox()).toEqual(place);
      await cancel.click();
      await expect(output).toHaveAttribute('data-state', 'cancelled');
      expect(await cancel.boundingBox()).toEqual(place);
    }
  );

  // One finished output for both checks: a page and a kernel fewer.
  test('a finished animation: every control is reachable by keyboard and labelled, and it exports as a GIF with more than one frame', async ({
    page
  }) => {
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(
      displayCode({
        ...CHANNEL_SPEC,
        optimization: { steps: 24, frameEvery: 4 }
      })
    );
    await expect(output).toHaveAttribute('data-state', 'done', {
      timeout: 60000
    });
    await test.step('exports the animation as a GIF', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        output
          .getByRole('button', { name: 'Save the animation as GIF' })
          .click()
      ]);
      expect(download.suggestedFilename()).toMatch(
        /^featureviz-gradient-ascent-[0-9a-f]{8}\.gif$/
      );
      const bytes = readFileSync(await download.path());
      expect(bytes.subarray(0, 6).toString('ascii')).toBe('GIF89a');
      expect(countGifFrames(bytes)).toBe(7);
    });
    await test.step('every control is reachable by keyboard and labelled', async () => {
      for (const control of await output.locator('button, input').all()) {
        const label = (await control.getAttribute('aria-label')) ?? '';
        expect(label.length).toBeGreaterThan(2);
        expect(
          await control.evaluate(e => (e as HTMLElement).tabIndex)
        ).toBeGreaterThanOrEqual(0);
      }
      await output.getByRole('button', { name: 'Play the animation' }).focus();
      await page.keyboard.press('Enter');
      await expect(
        output.getByRole('button', { name: 'Pause the animation' })
      ).toBeVisible();
    });
  });
});

/** Counts the image descriptors of a GIF, walking its blocks. */
function countGifFrames(bytes: Buffer): number {
  let i = 13;
  const flags = bytes[10];
  if (flags & 0x80) {
    i += 3 * (1 << ((flags & 7) + 1));
  }
  let frames = 0;
  const skipSubBlocks = () => {
    while (bytes[i] !== 0) {
      i += bytes[i] + 1;
    }
    i++;
  };
  while (i < bytes.length) {
    const block = bytes[i];
    if (block === 0x21) {
      i += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      frames++;
      const local = bytes[i + 9];
      i += 10;
      if (local & 0x80) {
        i += 3 * (1 << ((local & 7) + 1));
      }
      i++; // LZW minimum code size
      skipSubBlocks();
    } else {
      break; // 0x3b trailer
    }
  }
  return frames;
}
