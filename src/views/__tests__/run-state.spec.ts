/** The run-state reducer over the engine's job events and the output's own. */
import {
  INITIAL,
  type IRunState,
  type RunEvent,
  canCancel,
  canStart,
  describeState,
  formatDuration,
  reduce,
  startsNewRun
} from '../run-state';
import { frame as image, jobSummary } from '../testing/fixtures';

function play(events: RunEvent[], from: IRunState = INITIAL): IRunState {
  return events.reduce(reduce, from);
}

/** The engine's frame event at `step` of `steps`. */
function frame(
  step: number,
  steps: number,
  progress: number,
  etaMs: number | null
): RunEvent {
  return { type: 'frame', frame: image(step, { steps }), progress, etaMs };
}

const done: RunEvent = { type: 'done', summary: jobSummary({ steps: 256 }) };
const failed = (message: string): RunEvent => ({
  type: 'failed',
  error: { name: 'Error', message }
});

describe('run state', () => {
  it('goes queued → running → done, with progress, ETA and backend', () => {
    const s = play([
      { type: 'submit' },
      { type: 'queued', position: 2 },
      { type: 'running', backend: 'wasm' },
      frame(64, 256, 0.25, 3000)
    ]);
    expect(s).toMatchObject({
      state: 'running',
      backend: 'wasm',
      progress: 0.25,
      step: 64,
      steps: 256,
      etaMs: 3000,
      position: null
    });
    expect(describeState(s)).toBe('Running: step 64 of 256, about 3 s left');
    const finished = reduce(s, done);
    expect(finished).toMatchObject({ state: 'done', progress: 1 });
    expect(describeState(finished)).toBe('Done: 256 steps');
  });

  it('counts the items of a job without frames, in its own unit', () => {
    const s = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      {
        type: 'progress',
        done: 3000,
        total: 10000,
        unit: 'images',
        etaMs: 4200
      }
    ]);
    expect(s).toMatchObject({ step: 3000, steps: 10000, progress: 0.3 });
    expect(describeState(s)).toBe(
      'Running: 3,000 of 10,000 images, about 4 s left'
    );
    expect(describeState(reduce(s, { type: 'cancelled' }))).toBe(
      'Cancelled after 3,000 images'
    );
    expect(describeState(reduce(s, done))).toBe('Done: 10,000 images');
    // A job that reports no steps or items is just done.
    expect(
      describeState(
        play([{ type: 'submit' }, { type: 'running', backend: 'wasm' }, done])
      )
    ).toBe('Done');
    // Progress outside a run changes nothing.
    expect(
      reduce(INITIAL, {
        type: 'progress',
        done: 1,
        total: 2,
        unit: 'images',
        etaMs: null
      })
    ).toBe(INITIAL);
  });

  it('keeps the channels a job announces as it starts', () => {
    const s = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm', channels: [0, 2, 5] },
      frame(1, 8, 0.125, null)
    ]);
    expect(s.channels).toEqual([0, 2, 5]);
    expect(
      play([{ type: 'submit' }, { type: 'running', backend: 'cpu' }])
    ).toMatchObject({ channels: null });
    // A new run starts without them until its job announces its own.
    expect(reduce(reduce(s, done), { type: 'submit' }).channels).toBeNull();
  });

  it('reports the queue position while queued', () => {
    expect(
      describeState(play([{ type: 'submit' }, { type: 'queued', position: 3 }]))
    ).toBe('Queued (3 ahead)');
  });

  it('can be cancelled while queued or running, not after', () => {
    expect(play([{ type: 'submit' }, { type: 'cancelled' }]).state).toBe(
      'cancelled'
    );
    const running = play([
      { type: 'submit' },
      { type: 'running', backend: 'cpu' },
      frame(3, 10, 0.3, null)
    ]);
    expect(reduce(running, { type: 'cancelled' })).toMatchObject({
      state: 'cancelled',
      step: 3
    });
    const finished = reduce(running, done);
    expect(reduce(finished, { type: 'cancelled' })).toBe(finished);
    expect(canCancel('running')).toBe(true);
    expect(canCancel('done')).toBe(false);
  });

  it('keeps the error of a failed run', () => {
    const s = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      failed('no layer "x"')
    ]);
    expect(s).toMatchObject({ state: 'failed', error: 'no layer "x"' });
    // The engine's event and the rejected promise both report it: once.
    expect(reduce(s, failed('again'))).toBe(s);
  });

  it('says why a run was cancelled when not by its own Cancel', () => {
    const s = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      frame(3, 8, 3 / 8, 100),
      { type: 'cancelled', reason: 'the kernel restarted' }
    ]);
    expect(s).toMatchObject({
      state: 'cancelled',
      reason: 'the kernel restarted'
    });
    expect(describeState(s)).toBe('Cancelled: the kernel restarted, at step 3');
  });

  it('is interrupted when the backend fails under it: the reason kept, a re-run allowed', () => {
    const reason =
      'the WebGL context was lost. Feature Viz stopped using WEBGL; Re-run computes this on the next backend';
    const s = play([
      { type: 'submit' },
      { type: 'running', backend: 'webgl' },
      frame(47, 3000, 47 / 3000, 1000),
      { type: 'interrupted', backend: 'webgl', reason }
    ]);
    expect(s).toMatchObject({
      state: 'interrupted',
      step: 47,
      reason,
      error: reason,
      etaMs: null
    });
    expect(describeState(s)).toBe('Interrupted at step 47');
    expect(canStart(s.state)).toBe(true);
    expect(canCancel(s.state)).toBe(false);
    // The rejected promise reports it again as a failure: ignored.
    expect(reduce(s, failed(reason))).toBe(s);
    expect(startsNewRun(s, reduce(s, { type: 'submit' }))).toBe(true);
  });

  it('ignores events that make no sense in a state', () => {
    expect(reduce(INITIAL, done)).toBe(INITIAL);
    expect(reduce(INITIAL, frame(1, 2, 0.5, null))).toBe(INITIAL);
    const finished = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      done
    ]);
    expect(reduce(finished, frame(1, 2, 0.5, null))).toBe(finished);
    const running = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' }
    ]);
    expect(reduce(running, { type: 'submit' })).toBe(running);
  });

  it('re-runs from a finished or stored state, starting clean', () => {
    const stored = reduce(INITIAL, { type: 'stored' });
    expect(stored.state).toBe('stored');
    expect(describeState(stored)).toBe('Saved result');
    expect(reduce(stored, { type: 'submit' }).state).toBe('queued');
    const s = play([{ type: 'submit' }, failed('x')]);
    expect(reduce(s, { type: 'submit' })).toEqual({
      ...INITIAL,
      state: 'queued'
    });
    expect(canStart('done')).toBe(true);
    expect(canStart('running')).toBe(false);
  });

  it('tells a new run from the next event of the same run', () => {
    const queued = reduce(INITIAL, { type: 'submit' });
    expect(startsNewRun(INITIAL, queued)).toBe(true);
    const requeued = reduce(queued, { type: 'queued', position: 1 });
    expect(startsNewRun(queued, requeued)).toBe(false);
    const finished = play([{ type: 'running', backend: 'wasm' }, done], queued);
    expect(startsNewRun(finished, reduce(finished, { type: 'submit' }))).toBe(
      true
    );
  });

  it('notes a backend fallback', () => {
    const s = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      { type: 'fallback', from: 'wasm', to: 'cpu', reason: 'no kernel' }
    ]);
    expect(s).toMatchObject({
      backend: 'cpu',
      fallback: 'wasm lacked a kernel; running on cpu'
    });
  });

  it('formats durations', () => {
    expect(formatDuration(400)).toBe('<1 s');
    expect(formatDuration(12400)).toBe('12 s');
    expect(formatDuration(135000)).toBe('2 min 15 s');
  });
});
