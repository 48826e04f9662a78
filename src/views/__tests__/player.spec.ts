import type { IFrame } from '../../engine/runtime/protocol';
import { mountAtlas } from '../atlas';
import { mountPlayer } from '../player';
import { INITIAL, reduce } from '../run-state';

// jsdom has no 2D canvas; the views skip drawing without one.
HTMLCanvasElement.prototype.getContext = (() =>
  null) as unknown as HTMLCanvasElement['getContext'];

function frame(step: number, batch = 1, value = step / 10): IFrame {
  return {
    step,
    steps: 8,
    value,
    perImage: Float32Array.from({ length: batch }, (_, i) => value + i),
    batch,
    height: 4,
    width: 3,
    rgba: new Uint8ClampedArray(batch * 4 * 3 * 4).fill(step * 10),
    elapsedMs: step
  };
}

const running = reduce(reduce(INITIAL, { type: 'submit' }), {
  type: 'running',
  backend: 'wasm'
});

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
    player.setRun(reduce(running, { type: 'done' }));
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

  it('leaves no timers or listeners behind when disposed', () => {
    const host = document.createElement('div');
    const onCancel = jest.fn();
    const onRerun = jest.fn();
    const player = mountPlayer(host, { filename: 'x', onCancel, onRerun });
    player.setRun(running);
    [0, 4, 8].forEach(s => player.pushFrame(frame(s)));
    player.setRun(reduce(running, { type: 'done' }));
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
        message: 'The model has no layer "conv9".'
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
    player.pushFrame(frame(8, 3));
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
});

describe('atlas', () => {
  it('fills a cell per channel, labels it, and opens a channel on click', () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [4, 7],
      filename: 'a'
    });
    atlas.setRun(running);
    atlas.pushFrame(frame(4, 2, 1.5));
    const cells = [
      ...host.querySelectorAll('.jp-FeatureViz-cell')
    ] as HTMLButtonElement[];
    expect(cells.map(c => c.getAttribute('aria-label'))).toEqual([
      'Channel 4: open its animation',
      'Channel 7: open its animation'
    ]);
    expect(
      cells.map(c => c.querySelector('.jp-FeatureViz-cell-value')?.textContent)
    ).toEqual(['1.50', '2.50']);
    cells[1].click();
    expect(cells[1].getAttribute('aria-pressed')).toBe('true');
    expect(
      host.querySelector('.jp-FeatureViz-atlas-detail .jp-FeatureViz-player')
    ).not.toBeNull();
    atlas.dispose();
    expect(host.childElementCount).toBe(0);
  });
});
