import { expect, test } from '@jupyterlab/galata';
import { appendFileSync } from 'fs';
import * as path from 'path';
import { OUTPUT, WALKTHROUGH_KINDS } from '../helpers/featureviz';
import { watchLongTasks } from '../helpers/long-tasks';

const WALKTHROUGH = path.resolve(
  __dirname,
  '../../../examples/walkthrough.ipynb'
);

/**
 * A measurement, not a timed test (docs/architecture.md, "Memory and
 * speed"): the main thread's long tasks while the walkthrough runs in a real
 * JupyterLab, with those featureviz caused told apart. It prints its figures
 * and, when FEATUREVIZ_LONG_TASKS_OUT names a file, adds them to it as a
 * line of JSON for `jlpm bench`, which reports them as rows of their own.
 */
// Playwright's tracing snapshots the page from its main thread.
test.use({ trace: 'off' });

// A measurement, so `jlpm bench` runs it (it names the output file); the
// UI tests' run in CI leaves it out: it replays the whole walkthrough under
// the profiler, minutes that check nothing walkthrough.spec.ts does not.
test.skip(
  !!process.env.CI && !process.env.FEATUREVIZ_LONG_TASKS_OUT,
  'a measurement: `jlpm bench` runs it'
);

test.describe('main thread', () => {
  test.setTimeout(300000);

  test('long tasks while the walkthrough runs', async ({ page, tmpPath }) => {
    await page.contents.uploadFile(WALKTHROUGH, `${tmpPath}/walkthrough.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/walkthrough.ipynb`);
    await page.notebook.activate('walkthrough.ipynb');
    const watch = await watchLongTasks(page);
    await page.notebook.run();
    const outputs = page.locator(OUTPUT);
    // Every output of the walkthrough.
    await expect(outputs).toHaveCount(WALKTHROUGH_KINDS.length);
    for (let i = 0; i < WALKTHROUGH_KINDS.length; i++) {
      await expect(outputs.nth(i)).toHaveAttribute('data-saved', 'true', {
        timeout: 240000
      });
    }
    const report = await watch.stop();
    const longest = (tasks: { duration: number }[]) =>
      Math.max(0, ...tasks.map(t => t.duration));
    const figures = {
      tasks: report.all.length,
      longestMs: Math.round(longest(report.all)),
      featureviz: report.featureviz.length,
      featurevizLongestMs: Math.round(longest(report.featureviz)),
      mostlyFeatureviz: report.mostlyFeatureviz.length,
      mostlyFeaturevizLongestMs: Math.round(longest(report.mostlyFeatureviz)),
      detail: report.all.map(t => ({
        durationMs: Math.round(t.duration),
        featurevizMs: Math.round(t.featurevizMs),
        sampledMs: Math.round(t.sampledMs),
        top: t.top,
        owner: t.owner
      }))
    };
    console.log(
      `walkthrough in JupyterLab: ${figures.tasks} long tasks (longest ${figures.longestMs} ms); featureviz's code ran in ${figures.featureviz} (longest ${figures.featurevizLongestMs} ms) and was most of ${figures.mostlyFeatureviz} (longest ${figures.mostlyFeaturevizLongestMs} ms)`
    );
    for (const t of figures.detail) {
      console.log(
        `  ${t.durationMs} ms: ${t.featurevizMs} of ${t.sampledMs} ms sampled in featureviz ${t.top.join(', ')}; mostly ${t.owner}`
      );
    }
    if (process.env.FEATUREVIZ_LONG_TASKS_OUT) {
      appendFileSync(
        process.env.FEATUREVIZ_LONG_TASKS_OUT,
        JSON.stringify(figures) + '\n'
      );
    }
    expect(report.all.length).toBeGreaterThanOrEqual(report.featureviz.length);
  });
});
