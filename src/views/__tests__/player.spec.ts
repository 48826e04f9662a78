/** The player: frames, timeline, run bar, saves and disposal. */
import { mountPlayer } from '../player';
import { INITIAL, type RunEvent, reduce } from '../run-state';
import { frame, installCanvas, jobSummary } from '../testing/fixtures';

installCanvas();

const running = reduce(reduce(INITIAL, { type: 'submit' }), {
  type: 'running',
  backend: 'wasm'
});
const done: RunEvent = { type: 'done', summary: jobSummary() };

describe('player', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('follows the frames, then scrubs, plays and pauses', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    player.setRun(running);
    [0, 2, 4, 6, 8].forEach(s => player.pushFrame(frame(s)));
    const scrubber = host.querySelector(
      'input[type=range]'
    ) as HTMLInputElement;
    expect(scrubber.max).toBe('4');
    expect(host.querySelector('.jp-FeatureViz-step')?.textContent).toBe(
      'step 8 / 8'
    );
    expect(host.querySelector('.jp-FeatureViz-badge')?.textContent).toBe(
      'WASM'
    );
    // Playing is for finished runs.
    const play = host.querySelector(
      'button[aria-label="Play the animation"]'
    ) as HTMLButtonElement;
    expect(play.disabled).toBe(true);
    player.setRun(reduce(running, done));
    expect(play.disabled).toBe(false);
    scrubber.value = '1';
    scrubber.dispatchEvent(new Event('input'));
    expect(host.querySelector('.jp-FeatureViz-step')?.textContent).toBe(
      'step 2 / 8'
    );
    play.click();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(80 * 3);
    expect(host.querySelector('.jp-FeatureViz-step')?.textContent).toBe(
      'step 8 / 8'
    );
    expect(jest.getTimerCount()).toBe(0);
    player.dispose();
  });

  it("shows the engine's caption and a single image's note, as text", () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'p' });
    player.pushFrame({
      ...frame(8),
      caption: 'small preset, 8 steps',
      notes: ['never fires']
    });
    expect(host.querySelector('.jp-FeatureViz-caption')?.textContent).toBe(
      'never fires — small preset, 8 steps'
    );
    player.pushFrame(frame(9));
    expect(host.querySelector('.jp-FeatureViz-caption')?.textContent).toBe('');
    player.dispose();
  });

  it('leaves no timers or listeners behind when disposed', () => {
    const host = document.createElement('div');
    const onCancel = jest.fn();
    const onRerun = jest.fn();
    const player = mountPlayer(host, { filename: 'x', onCancel, onRerun });
    player.setRun(running);
    [0, 4, 8].forEach(s => player.pushFrame(frame(s)));
    player.setRun(reduce(running, done));
    const buttons = [...host.querySelectorAll('button')];
    (
      host.querySelector(
        'button[aria-label="Play the animation"]'
      ) as HTMLButtonElement
    ).click();
    expect(jest.getTimerCount()).toBe(1);
    player.dispose();
    expect(jest.getTimerCount()).toBe(0);
    expect(host.childElementCount).toBe(0);
    buttons.forEach(b => b.click());
    expect(onCancel).not.toHaveBeenCalled();
    expect(onRerun).not.toHaveBeenCalled();
    player.dispose();
  });

  it('is disposed by its AbortSignal', () => {
    const host = document.createElement('div');
    const controller = new AbortController();
    mountPlayer(host, { filename: 'x' }, { signal: controller.signal });
    expect(host.childElementCount).toBe(1);
    controller.abort();
    expect(host.childElementCount).toBe(0);
  });

  it('wires Cancel and Re-run to the state', () => {
    const host = document.createElement('div');
    const onCancel = jest.fn();
    const onRerun = jest.fn();
    const player = mountPlayer(host, { filename: 'x', onCancel, onRerun });
    player.setRun(running);
    const cancel = host.querySelector(
      'button[aria-label="Cancel the run"]'
    ) as HTMLButtonElement;
    const rerun = host.querySelector(
      'button[aria-label="Run again"]'
    ) as HTMLButtonElement;
    expect([cancel.disabled, rerun.disabled]).toEqual([false, true]);
    cancel.click();
    expect(onCancel).toHaveBeenCalledTimes(1);
    player.setRun(reduce(running, { type: 'cancelled' }));
    expect([cancel.disabled, rerun.disabled]).toEqual([true, false]);
    expect(host.querySelector('[role=status]')?.textContent).toBe(
      'Cancelled at step 0'
    );
    rerun.click();
    expect(onRerun).toHaveBeenCalledTimes(1);
    player.dispose();
  });

  it('shows a failure as an alert, and a stored image', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    player.setRun(
      reduce(running, {
        type: 'failed',
        error: {
          name: 'UnknownLayerError',
          message: 'The model has no layer "conv9".'
        }
      })
    );
    expect(host.querySelector('[role=alert]')?.textContent).toBe(
      'The model has no layer "conv9".'
    );
    player.showStored('iVBORw0KGgo=');
    expect(host.querySelector('img')?.getAttribute('src')).toBe(
      'data:image/png;base64,iVBORw0KGgo='
    );
    player.dispose();
  });

  it('labels a row of images and exports it at display scale', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, {
      filename: 'x',
      labels: ['0', '1', '2'],
      scale: 2
    });
    player.setRun(running);
    player.pushFrame(frame(8, { batch: 3 }));
    expect(
      [...host.querySelectorAll('.jp-FeatureViz-labels span')].map(
        s => s.textContent
      )
    ).toEqual(['0', '1', '2']);
    const image = player.currentImage();
    // Three 3×4 images at scale 2 with 2-pixel gaps.
    expect(image && [image.width, image.height]).toEqual([
      3 * 3 * 2 + 2 * 2,
      4 * 2
    ]);
    player.dispose();
  });

  it('shows the run bar: badge, status, progress, Cancel, Re-run, PNG, GIF', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    const buttons = () =>
      [...host.querySelectorAll('.jp-FeatureViz-actions button')].map(b => [
        b.textContent,
        b.getAttribute('aria-label'),
        (b as HTMLButtonElement).disabled
      ]);
    expect(buttons()).toEqual([
      ['Cancel', 'Cancel the run', true],
      ['Re-run', 'Run again', false],
      ['PNG', 'Save the image as PNG', true],
      ['GIF', 'Save the animation as GIF', true]
    ]);
    player.setRun(running);
    player.pushFrame(frame(0));
    expect(buttons().map(b => b[2])).toEqual([false, true, false, true]);
    player.pushFrame(frame(4));
    player.setRun(reduce(running, done));
    expect(buttons().map(b => b[2])).toEqual([true, false, false, false]);
    const progress = host.querySelector('progress') as HTMLProgressElement;
    expect([progress.value, progress.hidden]).toEqual([1, true]);
    // The sparkline sits in the status row, after the progress.
    expect(
      host.querySelector('.jp-FeatureViz-runbar')?.lastElementChild?.tagName
    ).toBe('svg');
    player.dispose();
  });

  it('offers its frames as the animation, and the one shown as the image', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x', scale: 2 });
    expect(player.currentImage()).toBeNull();
    expect(player.animation()).toEqual([]);
    player.setRun(running);
    [0, 4, 8].forEach(s => player.pushFrame(frame(s)));
    const animation = player.animation() ?? [];
    expect(animation.map(i => [i.width, i.height, i.data[0]])).toEqual([
      [6, 8, 0],
      [6, 8, 40],
      [6, 8, 80]
    ]);
    expect(player.currentImage()?.data[0]).toBe(80);
    player.dispose();
  });

  it('starts a new run clean: the last frames and the stored image go', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    player.showStored('iVBORw0KGgo=');
    player.setRun(reduce(INITIAL, { type: 'stored' }));
    expect(host.querySelector('canvas')?.hidden).toBe(true);
    player.setRun(reduce(INITIAL, { type: 'submit' }));
    expect(host.querySelector('img')).toBeNull();
    expect(host.querySelector('canvas')?.hidden).toBe(false);
    player.setRun(running);
    player.pushFrame(frame(2));
    player.setRun(reduce(running, done));
    player.setRun(reduce(reduce(running, done), { type: 'submit' }));
    expect(player.animation()).toEqual([]);
    player.dispose();
  });

  it('inside another view, has only its timeline and saves', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x', controls: false });
    expect(
      [...host.querySelectorAll('button')].map(b => b.textContent)
    ).toEqual(['▶ Play', 'PNG', 'GIF']);
    expect(host.querySelector('[role=status]')).toBeNull();
    expect(host.querySelector('[role=alert]')).toBeNull();
    expect(host.querySelector('.jp-FeatureViz-badge')).toBeNull();
    player.dispose();
  });

  it('is not mounted at all with a signal already aborted', () => {
    const host = document.createElement('div');
    const controller = new AbortController();
    controller.abort();
    const player = mountPlayer(host, { filename: 'x' }, controller);
    expect(host.childElementCount).toBe(0);
    expect(() => player.dispose()).not.toThrow();
  });
});
