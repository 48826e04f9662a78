import {
  INITIAL,
  type IRunState,
  type RunEvent,
  canCancel,
  canStart,
  describeState,
  formatDuration,
  reduce
} from '../run-state';

function play(events: RunEvent[], from: IRunState = INITIAL): IRunState {
  return events.reduce(reduce, from);
}

describe('run state', () => {
  it('goes queued → running → done, with progress, ETA and backend', () => {
    const s = play([
      { type: 'submit' },
      { type: 'queued', position: 2 },
      { type: 'running', backend: 'wasm' },
      { type: 'frame', step: 64, steps: 256, progress: 0.25, etaMs: 3000 }
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
    const done = reduce(s, { type: 'done' });
    expect(done).toMatchObject({ state: 'done', progress: 1 });
    expect(describeState(done)).toBe('Done: 256 steps');
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
      { type: 'frame', step: 3, steps: 10, progress: 0.3, etaMs: null }
    ]);
    expect(reduce(running, { type: 'cancelled' })).toMatchObject({
      state: 'cancelled',
      step: 3
    });
    const done = reduce(running, { type: 'done' });
    expect(reduce(done, { type: 'cancelled' })).toBe(done);
    expect(canCancel('running')).toBe(true);
    expect(canCancel('done')).toBe(false);
  });

  it('keeps the error of a failed run', () => {
    const failed = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      { type: 'failed', message: 'no layer "x"' }
    ]);
    expect(failed).toMatchObject({ state: 'failed', error: 'no layer "x"' });
  });

  it('ignores events that make no sense in a state', () => {
    expect(reduce(INITIAL, { type: 'done' })).toBe(INITIAL);
    expect(
      reduce(INITIAL, {
        type: 'frame',
        step: 1,
        steps: 2,
        progress: 0.5,
        etaMs: null
      })
    ).toBe(INITIAL);
    const done = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      { type: 'done' }
    ]);
    expect(
      reduce(done, {
        type: 'frame',
        step: 1,
        steps: 2,
        progress: 0.5,
        etaMs: null
      })
    ).toBe(done);
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
    const failed = play([{ type: 'submit' }, { type: 'failed', message: 'x' }]);
    expect(reduce(failed, { type: 'submit' })).toEqual({
      ...INITIAL,
      state: 'queued'
    });
    expect(canStart('done')).toBe(true);
    expect(canStart('running')).toBe(false);
  });

  it('notes a backend fallback', () => {
    const s = play([
      { type: 'submit' },
      { type: 'running', backend: 'wasm' },
      { type: 'fallback', from: 'wasm', to: 'cpu' }
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
