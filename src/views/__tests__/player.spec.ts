/** The player: frames, timeline, run bar, saves, stored results and disposal. */
import { mountPlayer } from '../player';
import { INITIAL, type RunEvent, reduce } from '../run-state';
import { PAINT_INTERVAL_MS } from '../scheduler';
import { drawFigureHere } from '../save';
import {
  drawnTexts,
  frame,
  installCanvas,
  jobSummary,
  pixelAt
} from '../testing/fixtures';

installCanvas();

const running = reduce(reduce(INITIAL, { type: 'submit' }), {
  type: 'running',
  backend: 'wasm'
});
const done: RunEvent = { type: 'done', summary: jobSummary() };
const STORED = { png: 'iVBORw0KGgo=', gif: null };

/**
 * Runs the animation frame the player asked for, and lets the bitmaps it
 * made land on their canvases.
 */
async function paint(): Promise<void> {
  jest.advanceTimersByTime(20);
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

const row = (host: HTMLElement) =>
  host.querySelector('.jp-FeatureViz-row') as HTMLElement;

const button = (host: HTMLElement, text: string) =>
  [...host.querySelectorAll('button')].find(
    b => b.textContent === text
  ) as HTMLButtonElement;

describe('player', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('follows the frames, then scrubs, plays and pauses', async () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    player.setRun(running);
    [0, 2, 4, 6, 8].forEach(s => player.pushFrame(frame(s)));
    await paint();
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

  it('paints once per display frame, the newest frame, without copying its pixels', async () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x', scale: 1 });
    player.setRun(running);
    // Counts the ImageData made, and over what.
    const Original = globalThis.ImageData;
    const made: unknown[] = [];
    globalThis.ImageData = class extends Original {
      constructor(...args: ConstructorParameters<typeof ImageData>) {
        super(...args);
        made.push(args[0]);
      }
    } as typeof ImageData;
    try {
      const frames = [1, 2, 3, 4, 5].map(s => frame(s, { fill: s * 10 }));
      frames.forEach(f => player.pushFrame(f));
      expect(row(host).hidden).toBe(true);
      await paint();
      // One ImageData, over the newest frame's own buffer.
      expect(made).toEqual([frames[4].rgba]);
      expect(row(host).hidden).toBe(false);
      const canvas = host.querySelector('canvas') as HTMLCanvasElement;
      expect(pixelAt(canvas, 0, 0)).toEqual([50, 50, 50, 50]);
      await paint();
      expect(made).toHaveLength(1);
    } finally {
      globalThis.ImageData = Original;
    }
    player.dispose();
  });

  it("shows the engine's caption and a single image's note, as text", async () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'p' });
    player.pushFrame({
      ...frame(8),
      caption: 'small preset, 8 steps',
      notes: ['never fires']
    });
    await paint();
    expect(host.querySelector('.jp-FeatureViz-caption')?.textContent).toBe(
      'never fires — small preset, 8 steps'
    );
    player.pushFrame(frame(9));
    // The next paint: frames are painted at most once per interval.
    jest.advanceTimersByTime(PAINT_INTERVAL_MS);
    await paint();
    expect(host.querySelector('.jp-FeatureViz-caption')?.textContent).toBe('');
    player.dispose();
  });

  it('leaves no timers or listeners behind when disposed', async () => {
    const host = document.createElement('div');
    const onCancel = jest.fn();
    const onRerun = jest.fn();
    const player = mountPlayer(host, { filename: 'x', onCancel, onRerun });
    player.setRun(running);
    [0, 4, 8].forEach(s => player.pushFrame(frame(s)));
    player.setRun(reduce(running, done));
    await paint();
    const buttons = [...host.querySelectorAll('button')];
    (
      host.querySelector(
        'button[aria-label="Play the animation"]'
      ) as HTMLButtonElement
    ).click();
    player.pushFrame(frame(9));
    expect(jest.getTimerCount()).toBe(2);
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

  it('says that nothing ran yet, offers Run, and shows no empty canvas', () => {
    const host = document.createElement('div');
    const onRerun = jest.fn();
    const player = mountPlayer(host, { filename: 'x', onRerun });
    const idle = host.querySelector('.jp-FeatureViz-idle') as HTMLElement;
    expect(idle.hidden).toBe(false);
    expect(idle.textContent).toMatch(/^Not run yet/);
    expect(row(host).hidden).toBe(true);
    expect(host.querySelector('canvas')).toBeNull();
    expect(
      (host.querySelector('.jp-FeatureViz-timeline') as HTMLElement).hidden
    ).toBe(true);
    const run = button(host, 'Run');
    expect(run.getAttribute('aria-label')).toBe('Run the visualization');
    run.click();
    expect(onRerun).toHaveBeenCalledTimes(1);
    player.setRun(running);
    expect(idle.hidden).toBe(true);
    expect(button(host, 'Re-run').getAttribute('aria-label')).toBe('Run again');
    player.dispose();
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

  it('shows a failure as an alert, with no empty canvas', () => {
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
    expect(row(host).hidden).toBe(true);
    expect(
      (host.querySelector('.jp-FeatureViz-idle') as HTMLElement).hidden
    ).toBe(true);
    player.dispose();
  });

  it('shows a stored result at the live size, without dead controls', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    player.showStored({ ...STORED, width: 870, height: 110 });
    player.setRun(reduce(INITIAL, { type: 'stored' }));
    const img = host.querySelector('img') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(img.style.width).toBe('870px');
    expect(row(host).hidden).toBe(true);
    expect(
      (host.querySelector('.jp-FeatureViz-timeline') as HTMLElement).hidden
    ).toBe(true);
    expect(
      (host.querySelector('.jp-FeatureViz-idle') as HTMLElement).hidden
    ).toBe(true);
    player.dispose();
  });

  it('labels a row of images with their values, live and in the figure it saves', async () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, {
      filename: 'x',
      labels: ['0', '1', '2'],
      scale: 2
    });
    expect(player.figure()).toBeNull();
    player.setRun(running);
    player.pushFrame(frame(8, { batch: 3, value: 1.5, fill: 30 }));
    await paint();
    expect(
      [...host.querySelectorAll('.jp-FeatureViz-row-cell')].map(s =>
        [...s.querySelectorAll('span')].map(c => c.textContent)
      )
    ).toEqual([
      ['0', '1.50'],
      ['1', '2.50'],
      ['2', '3.50']
    ]);
    const figure = player.figure();
    if (!figure || !('spec' in figure)) {
      throw new Error('no labelled grid');
    }
    const drawn = drawFigureHere(figure.spec, figure.style);
    // 3×4 images drawn 56× (4 pixels become 224).
    const scale = Math.ceil(224 / 4);
    expect(drawn.height).toBeGreaterThan(4 * scale);
    expect(drawn.width).toBeGreaterThan(3 * 3 * scale);
    // Shown at the live view's size: 3 images of 6 px, each in a 1-pixel
    // border, 2 px apart: 4 px between images.
    expect(figure.width).toBe(3 * 3 * 2 + 2 * 4);
    // Each image's pixels, scaled up: image 1 is filled with 31.
    const gap = Math.round(4 * (scale / 2));
    expect(pixelAt(drawn, 3 * scale + gap + 5, 10)).toEqual([31, 31, 31, 31]);
    expect(drawnTexts(drawn)).toEqual(['0', '1.50', '1', '2.50', '2', '3.50']);
    player.dispose();
  });

  it('shows the run bar: badge, status, progress, Cancel, Run, PNG, GIF', async () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x', onRerun: () => 0 });
    const buttons = () =>
      [...host.querySelectorAll('.jp-FeatureViz-actions button')].map(b => [
        b.textContent,
        b.getAttribute('aria-label'),
        (b as HTMLButtonElement).disabled
      ]);
    expect(buttons()).toEqual([
      ['Cancel', 'Cancel the run', true],
      ['Run', 'Run the visualization', false],
      ['PNG', 'Save the image as PNG', true],
      ['GIF', 'Save the animation as GIF after running it again', true]
    ]);
    player.setRun(running);
    player.pushFrame(frame(0));
    await paint();
    expect(buttons().map(b => b[2])).toEqual([false, true, false, true]);
    player.pushFrame(frame(4));
    player.setRun(reduce(running, done));
    expect(buttons().map(b => b[2])).toEqual([true, false, false, false]);
    expect(buttons()[3][1]).toBe('Save the animation as GIF');
    const progress = host.querySelector('progress') as HTMLProgressElement;
    expect([progress.value, progress.hidden]).toEqual([1, true]);
    // The sparkline sits in the status row, after the progress.
    expect(
      host.querySelector('.jp-FeatureViz-runbar')?.lastElementChild?.tagName
    ).toBe('svg');
    player.dispose();
  });

  describe('GIF after a reload', () => {
    let downloads: string[];
    beforeEach(() => {
      downloads = [];
      URL.createObjectURL = jest.fn(() => 'blob:x');
      URL.revokeObjectURL = jest.fn();
      jest
        .spyOn(HTMLAnchorElement.prototype, 'click')
        .mockImplementation(function (this: HTMLAnchorElement) {
          downloads.push(this.download);
        });
    });
    afterEach(() => jest.restoreAllMocks());

    it('saves the GIF stored with the result', () => {
      const host = document.createElement('div');
      const player = mountPlayer(host, { filename: 'x' });
      player.showStored({ png: STORED.png, gif: 'R0lGODlhAQABAAAAACw=' });
      player.setRun(reduce(INITIAL, { type: 'stored' }));
      const gif = button(host, 'GIF');
      expect([gif.disabled, gif.getAttribute('aria-label')]).toEqual([
        false,
        'Save the animation as GIF'
      ]);
      gif.click();
      expect(downloads).toEqual(['x.gif']);
      player.dispose();
    });

    it('offers to run again, and saves the GIF when that run is done', async () => {
      const host = document.createElement('div');
      const onRerun = jest.fn();
      const player = mountPlayer(host, { filename: 'x', onRerun });
      player.showStored(STORED);
      player.setRun(reduce(INITIAL, { type: 'stored' }));
      const gif = button(host, 'GIF');
      expect([gif.disabled, gif.getAttribute('aria-label')]).toEqual([
        false,
        'Save the animation as GIF after running it again'
      ]);
      gif.click();
      expect(onRerun).toHaveBeenCalledTimes(1);
      expect(downloads).toEqual([]);
      player.setRun(
        reduce(reduce(INITIAL, { type: 'stored' }), { type: 'submit' })
      );
      player.setRun(running);
      [0, 4, 8].forEach(s => player.pushFrame(frame(s)));
      player.setRun(reduce(running, done));
      await jest.runAllTimersAsync();
      expect(downloads).toEqual(['x.gif']);
      player.dispose();
    });
  });

  it('offers its frames as the animation, at display scale', () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x', scale: 2 });
    expect(player.animation()).toEqual([]);
    player.setRun(running);
    [0, 4, 8].forEach(s => player.pushFrame(frame(s)));
    const animation = player.animation() ?? [];
    expect(animation.map(i => [i.width, i.height, i.data[0]])).toEqual([
      [6, 8, 0],
      [6, 8, 40],
      [6, 8, 80]
    ]);
    player.dispose();
  });

  it('starts a new run clean: the last frames and the stored image go once its own frames come', async () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    player.showStored(STORED);
    player.setRun(reduce(INITIAL, { type: 'stored' }));
    expect(row(host).hidden).toBe(true);
    player.setRun(reduce(INITIAL, { type: 'submit' }));
    // Held in place, dimmed, but no longer this output's result.
    expect(host.querySelector('img')).not.toBeNull();
    expect(player.animation()).toEqual([]);
    player.setRun(running);
    player.pushFrame(frame(2));
    await paint();
    expect(host.querySelector('img')).toBeNull();
    expect(row(host).hidden).toBe(false);
    player.setRun(reduce(running, done));
    player.setRun(reduce(reduce(running, done), { type: 'submit' }));
    expect(player.animation()).toEqual([]);
    expect(player.figure()).toBeNull();
    player.dispose();
  });

  it('holds the last run in place until the new one has frames, so that Cancel does not move', async () => {
    const host = document.createElement('div');
    const player = mountPlayer(host, { filename: 'x' });
    const timeline = host.querySelector(
      '.jp-FeatureViz-timeline'
    ) as HTMLElement;
    const cancel = button(host, 'Cancel');
    player.setRun(running);
    [0, 2, 4].forEach(s => player.pushFrame(frame(s)));
    await paint();
    const cancelled = reduce(running, { type: 'cancelled' });
    player.setRun(cancelled);
    const shown = () => [row(host).hidden, timeline.hidden];
    expect(shown()).toEqual([false, false]);
    // Re-run: queued, then running, before any frame of its own.
    let run = reduce(cancelled, { type: 'submit' });
    player.setRun(run);
    expect(shown()).toEqual([false, false]);
    run = reduce(run, { type: 'running', backend: 'wasm' });
    player.setRun(run);
    await paint();
    expect(shown()).toEqual([false, false]);
    expect(host.firstElementChild?.classList).toContain('jp-mod-stale');
    expect(button(host, 'Cancel')).toBe(cancel);
    expect(cancel.disabled).toBe(false);
    expect(host.querySelector('.jp-FeatureViz-step')?.textContent).toBe('');
    // The old frames are gone: nothing of them is saved or played.
    expect(player.animation()).toEqual([]);
    player.pushFrame(frame(0));
    jest.advanceTimersByTime(PAINT_INTERVAL_MS);
    await paint();
    expect(host.firstElementChild?.classList).not.toContain('jp-mod-stale');
    expect(shown()).toEqual([false, false]);
    player.pushFrame(frame(2));
    jest.advanceTimersByTime(PAINT_INTERVAL_MS);
    await paint();
    expect(shown()).toEqual([false, false]);
    expect(player.animation()).toHaveLength(2);
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
