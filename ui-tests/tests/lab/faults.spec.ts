import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import {
  engineTensors,
  FeatureVizHelper,
  putCell,
  TIMED
} from '../helpers/featureviz';

/**
 * Faults (docs/architecture.md, "One engine per page"): a lost WebGL
 * context, a hung step, non-finite weights and activations, a malformed
 * manifest and a kernel restart each end in a clear state, the queue goes
 * on, and the engine's memory returns to its baseline. Faults are injected
 * through the engine's test hooks, which the UI tests' server turns on
 * (featurevizTestHooks in jupyter_server_test_config.py).
 */

const MODEL_DIR = path.resolve(__dirname, '../../../assets/models/mnist-cnn');

interface IStatus {
  backend: string | null;
  available: string[];
  memory?: { numTensors: number; numBytes: number };
  restarts?: number;
  lost?: { backend: string; reason: string }[];
}

type Fault =
  | { type: 'lose-context'; atStep?: number }
  | { type: 'hang'; ms: number; atStep?: number };

/** Calls the page's engine service (Galata returns a plugin's service). */
async function engine<T>(
  page: IJupyterLabPageFixture,
  call: 'status' | 'pin-webgl' | 'fault',
  fault?: Fault
): Promise<T> {
  return page.evaluate(
    async ([call, fault]) => {
      const galata = (
        window as unknown as {
          galata: { getPlugin(id: string): Promise<unknown> };
        }
      ).galata;
      const service = (await galata.getPlugin(
        'jupyterlab-featureviz:engine'
      )) as {
        status(): Promise<unknown>;
        setBackendChoice(choice: string): void;
        testFault(fault: unknown): Promise<boolean>;
      };
      if (call === 'pin-webgl') {
        await service.status();
        service.setBackendChoice('webgl');
        for (let i = 0; i < 100; i++) {
          const status = (await service.status()) as { backend: string };
          if (status.backend === 'webgl') {
            break;
          }
          await new Promise(r => setTimeout(r, 100));
        }
      } else if (call === 'fault') {
        return service.testFault(fault) as Promise<unknown>;
      }
      return service.status();
    },
    [call, fault] as const
  ) as Promise<T>;
}

/** A cell's Python that displays one gradient ascent output per spec. */
function displays(specs: object[]): string {
  return [
    'import featureviz as fv',
    'from IPython.display import display',
    ...specs.map(s => `display(fv.Visualization(${JSON.stringify(s)}))`)
  ].join('\n');
}

const ascent = (
  channel: number,
  steps: number,
  model: object = { builtin: 'mnist-cnn' }
) => ({
  view: 'gradient-ascent',
  model,
  objective: { type: 'channel', layer: 'conv2d_1', channel },
  optimization: { steps, preset: 'plain' }
});

function outputs(page: IJupyterLabPageFixture): Locator {
  return page
    .locator('.jp-Notebook .jp-Cell')
    .first()
    .locator('.jp-FeatureViz-output');
}

async function statusText(output: Locator): Promise<string> {
  return (await output.locator('[role=status]').first().textContent()) ?? '';
}

async function runError(output: Locator): Promise<string> {
  return (
    (await output.locator('.jp-FeatureViz-run-error').first().textContent()) ??
    ''
  );
}

/** Memory after a good run of the bundled model (its weights cached). */
const warmBaseline = (page: IJupyterLabPageFixture) => engineTensors(page);

/** The engine's tensor count once two reads half a second apart agree. */
async function settledTensors(page: IJupyterLabPageFixture): Promise<number> {
  let last = -1;
  await expect
    .poll(
      async () => {
        const now = await engineTensors(page);
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [500], timeout: 15000 }
    )
    .toBe(true);
  return last;
}

/**
 * A notebook whose one cell ran a short ascent (the model loaded and warm),
 * then runs two long ones in it (the first runs, the second waits); returns
 * the engine's tensor count after the short run, the baseline to return to.
 */
async function startLongRuns(
  page: IJupyterLabPageFixture,
  name: string
): Promise<number> {
  const fv = new FeatureVizHelper(page);
  await fv.runInNewNotebook(displays([ascent(1, 4)]), name);
  await expect(outputs(page).first()).toHaveAttribute('data-state', 'done', {
    timeout: 120000
  });
  const baseline = await warmBaseline(page);
  await putCell(page, 0, displays([ascent(2, 3000), ascent(3, 3000)]));
  await page.notebook.runCell(0);
  return baseline;
}

test.describe('faults', () => {
  test.setTimeout(300000);

  for (const atStep of [0, 5]) {
    test(
      `a WebGL context lost at step ${atStep} interrupts the run with its reason; Re-run and the queue finish on WASM`,
      TIMED,
      async ({ page }) => {
        const fv = new FeatureVizHelper(page);
        await engine(page, 'pin-webgl');
        const pinned = await engine<IStatus>(page, 'status');
        test.skip(pinned.backend !== 'webgl', 'no WebGL in this browser');
        expect(
          await engine<boolean>(page, 'fault', { type: 'lose-context', atStep })
        ).toBe(true);
        await fv.runInNewNotebook(displays([ascent(1, 200), ascent(2, 8)]));
        const [first, queued] = [outputs(page).nth(0), outputs(page).nth(1)];
        await expect(first).toHaveAttribute('data-state', 'interrupted', {
          timeout: 120000
        });
        // Frames come every third step of 200: lost at the first at or after.
        const at = Number(
          /^Interrupted at step (\d+)/.exec(await statusText(first))?.[1]
        );
        expect(at).toBeGreaterThanOrEqual(atStep);
        expect(at).toBeLessThan(atStep + 3);
        expect(await runError(first)).toContain('the WebGL context was lost');
        expect(await runError(first)).toContain(
          'Feature Viz stopped using WEBGL; Re-run computes this on the next backend'
        );
        // The last good frame stays on screen.
        await expect(first.locator('canvas').first()).toBeVisible();
        await expect(queued).toHaveAttribute('data-state', 'done', {
          timeout: 120000
        });
        await expect(queued.locator('.jp-FeatureViz-badge').first()).toHaveText(
          'WASM'
        );
        await first.getByRole('button', { name: 'Run again' }).click();
        await expect(first).toHaveAttribute('data-state', 'done', {
          timeout: 120000
        });
        await expect(first.locator('.jp-FeatureViz-badge').first()).toHaveText(
          'WASM'
        );
        const status = await engine<IStatus>(page, 'status');
        expect(status.backend).toBe('wasm');
        expect(status.lost?.[0]?.backend).toBe('webgl');
        // The replacement engine holds the cached model only: a run leaves
        // nothing behind.
        const baseline = await warmBaseline(page);
        await first.getByRole('button', { name: 'Run again' }).click();
        await expect(first).toHaveAttribute('data-state', 'done', {
          timeout: 120000
        });
        expect(await warmBaseline(page)).toBe(baseline);
      }
    );
  }

  test(
    'a hung step fails within its deadline, the engine is replaced and the next job runs',
    TIMED,
    async ({ page }) => {
      const fv = new FeatureVizHelper(page);
      const before = await engine<IStatus>(page, 'status');
      await engine(page, 'fault', { type: 'hang', ms: 600000, atStep: 5 });
      const started = Date.now();
      await fv.runInNewNotebook(displays([ascent(3, 200), ascent(4, 8)]));
      const [hung, next] = [outputs(page).nth(0), outputs(page).nth(1)];
      await expect(hung).toHaveAttribute('data-state', 'failed', {
        timeout: 150000
      });
      const failedAfter = Date.now() - started;
      expect(await runError(hung)).toMatch(
        /^The job stopped answering: a step took over \d+\.\d s .*The engine was restarted; Re-run to try again/
      );
      await expect(next).toHaveAttribute('data-state', 'done', {
        timeout: 120000
      });
      const status = await engine<IStatus>(page, 'status');
      expect(status.restarts).toBe((before.restarts ?? 0) + 1);
      console.log(`hung step failed after ${failedAfter} ms`);
      // Frames every few steps take well under a second here: the deadline is
      // its floor (10 s), plus loading the model and the first steps.
      expect(failedAfter).toBeLessThan(60000);
    }
  );

  test('non-finite weights and activations fail naming the tensor or layer, with no PNG written back', async ({
    page,
    tmpPath
  }) => {
    const json = JSON.parse(
      fs.readFileSync(path.join(MODEL_DIR, 'model.json'), 'utf8')
    );
    const shard = fs.readFileSync(path.join(MODEL_DIR, 'group1-shard1of1.bin'));
    const upload = async (name: string, bin: Buffer, range?: number[]) => {
      const model = structuredClone(json);
      if (range) {
        model.userDefinedMetadata.featureviz.inputRange = range;
      }
      await page.contents.uploadContent(
        JSON.stringify(model),
        'text',
        `${tmpPath}/${name}/model.json`
      );
      await page.contents.uploadContent(
        bin.toString('base64'),
        'base64',
        `${tmpPath}/${name}/group1-shard1of1.bin`
      );
    };
    // Its weights are float16 (quantized): conv2d_1/kernel starts after
    // conv2d's kernel (288 halves) and bias (32).
    const nan = Buffer.from(shard);
    nan.writeUInt16LE(0x7e00, (288 + 32 + 7) * 2);
    await upload('nan', nan);
    // Finite weights whose activations overflow float32: conv2d's kernel at
    // float16's largest value (65504), and the model's input range scaled to
    // 1e38 (model.json's featureviz.inputRange).
    const huge = Buffer.from(shard);
    for (let i = 0; i < 288; i++) {
      huge.writeUInt16LE(0x7bff, i * 2);
    }
    await upload('huge', huge, [0, 1e38]);

    // The good model alone first: the baseline is the engine with it cached
    // and nothing else loading (read while the next job loads its weights,
    // it would count some of them).
    const fv = new FeatureVizHelper(page);
    await fv.runInNewNotebook(displays([ascent(1, 4)]), 'finite.ipynb');
    await expect(outputs(page).first()).toHaveAttribute('data-saved', 'true', {
      timeout: 120000
    });
    const baseline = await warmBaseline(page);
    await putCell(
      page,
      0,
      displays([
        ascent(1, 4),
        ascent(1, 16, { url: 'nan/model.json' }),
        {
          ...ascent(0, 16, { url: 'huge/model.json' }),
          // Read before conv2d's ReLU: a ReLU turns the NaN that follows an
          // infinity into 0, and a later layer's value is finite again.
          objective: { type: 'channel', layer: 'conv2d', channel: 0 }
        }
      ])
    );
    await page.notebook.runCell(0);
    const [good, nanOut, hugeOut] = [0, 1, 2].map(i => outputs(page).nth(i));
    await expect(good).toHaveAttribute('data-saved', 'true', {
      timeout: 120000
    });
    await expect(nanOut).toHaveAttribute('data-state', 'failed', {
      timeout: 120000
    });
    expect(await runError(nanOut)).toContain(
      '"conv2d_1/kernel" holds 1 NaN or infinite value of 18432'
    );
    await expect(hugeOut).toHaveAttribute('data-state', 'failed', {
      timeout: 120000
    });
    expect(await runError(hugeOut)).toMatch(
      /^The run stopped at step 0: the objective is not a finite number; the first layer whose activations are not finite is "conv2d"/
    );
    for (const failed of [nanOut, hugeOut]) {
      expect(await failed.getAttribute('data-saved')).toBeNull();
      await expect(failed.locator('img')).toHaveCount(0);
    }
    // A failed run leaves nothing behind. The NaN model never loads; the
    // huge one's weights are finite, so it stays cached as any loaded model
    // does (two idle models), beside the good one. Run all three again: the
    // engine then holds what it held after the first time, no more.
    const afterFirst = await settledTensors(page);
    expect(afterFirst).toBeGreaterThan(baseline);
    await page.notebook.runCell(0);
    await expect(good).toHaveAttribute('data-saved', 'true', {
      timeout: 120000
    });
    for (const failed of [nanOut, hugeOut]) {
      await expect(failed).toHaveAttribute('data-state', 'failed', {
        timeout: 120000
      });
    }
    expect(await settledTensors(page)).toBe(afterFirst);
  });

  test('a manifest with a negative dimension is refused before any weights request', async ({
    page,
    tmpPath
  }) => {
    const json = JSON.parse(
      fs.readFileSync(path.join(MODEL_DIR, 'model.json'), 'utf8')
    );
    json.weightsManifest[0].weights[2].shape = [3, 3, 32, -64];
    await page.contents.uploadContent(
      JSON.stringify(json),
      'text',
      `${tmpPath}/neg/model.json`
    );
    const requests: string[] = [];
    page.context().on('request', r => requests.push(r.url()));
    const fv = new FeatureVizHelper(page);
    const output = await fv.runInNewNotebook(
      displays([ascent(1, 4, { url: 'neg/model.json' })]),
      'negative.ipynb'
    );
    await expect(output).toHaveAttribute('data-state', 'failed', {
      timeout: 120000
    });
    expect(await runError(output)).toContain(
      'weight "conv2d_1/kernel" has the shape [3, 3, 32, -64]; every dimension must be a non-negative integer'
    );
    expect(requests.filter(u => u.includes('neg/model.json'))).toHaveLength(1);
    expect(requests.filter(u => u.includes('neg/group1'))).toEqual([]);
  });

  test('a kernel restart cancels the runs and says so; memory returns to its baseline', async ({
    page
  }) => {
    const baseline = await startLongRuns(page, 'restart.ipynb');
    const [running, queued] = [outputs(page).nth(0), outputs(page).nth(1)];
    await expect(running).toHaveAttribute('data-state', 'running', {
      timeout: 120000
    });
    // Not awaited: the command waits for the dialog's answer.
    await page.evaluate(() => {
      void (
        window as unknown as {
          jupyterapp: { commands: { execute(id: string): Promise<unknown> } };
        }
      ).jupyterapp.commands.execute('notebook:restart-kernel');
    });
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    for (const output of [running, queued]) {
      await expect(output).toHaveAttribute('data-state', 'cancelled', {
        timeout: 30000
      });
      expect(await statusText(output)).toMatch(
        /^Cancelled: the kernel restarted, at step \d+/
      );
    }
    await expect
      .poll(() => warmBaseline(page), { timeout: 10000 })
      .toBe(baseline);
  });

  test('closing a notebook cancels its runs (running and queued); the engine goes idle and memory returns to its baseline', async ({
    page
  }) => {
    const baseline = await startLongRuns(page, 'close.ipynb');
    await expect(outputs(page).nth(0)).toHaveAttribute(
      'data-state',
      'running',
      { timeout: 120000 }
    );
    await expect(outputs(page).nth(1)).toHaveAttribute('data-state', 'queued');
    const before = await engine<IStatus & { queued: number }>(page, 'status');
    expect(before.queued).toBeGreaterThanOrEqual(1);
    // Closed without saving: its outputs go, and so must their jobs.
    await page.notebook.close(true);
    await expect
      .poll(
        async () => {
          const status = await engine<
            IStatus & { queued: number; running: boolean }
          >(page, 'status');
          return `${status.running}/${status.queued}`;
        },
        { timeout: 5000 }
      )
      .toBe('false/0');
    await expect
      .poll(() => warmBaseline(page), { timeout: 10000 })
      .toBe(baseline);
  });
});
