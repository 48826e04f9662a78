/**
 * The engine panel's job list: every job the page submits is listed while
 * it is queued or running, with its progress; Cancel (one or all) ends it
 * as the caller's own cancel would; the list empties as jobs end.
 */
import { CancelledError } from '../../engine/errors';
import type { IEngineJob } from '../../tokens';
import { ATLAS, FakeEngine } from '../../output/testing/fakes';
import { jobSummary } from '../../views/testing/fixtures';
import { JobBoard, describeJob } from '../job-board';

const MODEL = { url: 'https://x/model.json', format: 'layers' } as const;
const ATLAS_JOB = {
  kind: 'layer-atlas',
  model: MODEL,
  layer: ATLAS.layer
} as const;

describe('JobBoard', () => {
  it('lists jobs while they are queued and running, and drops them when done', async () => {
    const engine = new FakeEngine();
    const board = new JobBoard(engine);
    const seen: (readonly IEngineJob[])[] = [];
    board.changed.connect((_, jobs) => seen.push(jobs));
    const events: string[] = [];
    const run = board.run(ATLAS_JOB, { onEvent: e => events.push(e.type) });
    expect(board.list()).toEqual([
      {
        id: 1,
        kind: 'layer-atlas',
        label: 'layer-atlas of conv2d_1',
        state: 'queued',
        progress: null
      }
    ]);
    const job = engine.jobs[0];
    job.emit({ type: 'running', backend: 'cpu' });
    expect(board.list()[0].state).toBe('running');
    job.emit({ type: 'progress', done: 3, total: 4, unit: 'images', etaMs: 1 });
    expect(board.list()[0].progress).toBe(0.75);
    job.finish({ type: 'done', summary: jobSummary() });
    await run;
    expect(board.list()).toEqual([]);
    expect(seen[seen.length - 1]).toEqual([]);
    // The caller still gets every event.
    expect(events).toEqual(['running', 'progress', 'done']);
  });

  it("passes the UI tests' fault hook on to the engine, where it has one", async () => {
    const engine = new FakeEngine();
    const board = new JobBoard(engine);
    // The FakeEngine, like a non-test engine service, has no hook.
    expect(await board.testFault({ type: 'lose-context' })).toBe(false);
    const hook = jest.fn(async () => true);
    const withHook = new JobBoard(Object.assign(engine, { testFault: hook }));
    expect(await withHook.testFault({ type: 'hang', ms: 5 })).toBe(true);
    expect(hook).toHaveBeenCalledWith({ type: 'hang', ms: 5 });
  });

  it("cancels one job, or all, as the caller's own cancel would", async () => {
    const engine = new FakeEngine();
    const board = new JobBoard(engine);
    const first = board.run(ATLAS_JOB);
    const second = board.run({ ...ATLAS_JOB, layer: 'conv2d' });
    const third = board.run({ ...ATLAS_JOB, layer: 'dense' });
    board.cancel(board.list()[1].id);
    // Listed as cancelling until the engine lets go of it.
    expect(board.list()[1].state).toBe('cancelling');
    await expect(second).rejects.toBeInstanceOf(CancelledError);
    expect(board.list().map(j => j.label)).toEqual([
      'layer-atlas of conv2d_1',
      'layer-atlas of dense'
    ]);
    board.cancelAll();
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    await expect(third).rejects.toBeInstanceOf(CancelledError);
    expect(board.list()).toEqual([]);
  });

  it("follows the caller's signal", async () => {
    const engine = new FakeEngine();
    const board = new JobBoard(engine);
    const abort = new AbortController();
    const run = board.run(ATLAS_JOB, { signal: abort.signal });
    abort.abort();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(board.list()).toEqual([]);
  });

  it('names a job by its kind and layer', () => {
    expect(
      describeJob({
        kind: 'top-examples',
        model: MODEL,
        target: { type: 'channel', layer: 'conv2d_1', channel: 5 },
        data: { source: 'manifest', url: 'x' }
      } as never)
    ).toBe('top-examples of conv2d_1');
  });
});
