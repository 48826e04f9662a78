/** The atlas: its grid, channel player, stored image, run bar and disposal. */
import { mountAtlas } from '../atlas';
import { drawFigureHere } from '../save';
import { INITIAL, type IRunState, type RunEvent, reduce } from '../run-state';
import { drawnTexts, frame, installCanvas, pixelAt } from '../testing/fixtures';

installCanvas();

/**
 * Runs the animation frames the atlas asked for, and lets the bitmaps it
 * made land on their canvases.
 */
async function paint(): Promise<void> {
  jest.advanceTimersByTime(100);
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

function play(events: RunEvent[], from: IRunState = INITIAL): IRunState {
  return events.reduce(reduce, from);
}

const submitted = reduce(INITIAL, { type: 'submit' });
const running = reduce(submitted, { type: 'running', backend: 'webgl' });

const cells = (host: HTMLElement) =>
  [...host.querySelectorAll('.jp-FeatureViz-cell')] as HTMLButtonElement[];

describe('atlas', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('lays out one labelled cell per channel, with its value', async () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [4, 7, 9],
      filename: 'a'
    });
    await paint();
    expect(
      cells(host).map(c => [
        c.dataset.channel,
        c.getAttribute('aria-label'),
        c.querySelector('.jp-FeatureViz-cell-label')?.textContent
      ])
    ).toEqual([
      ['4', 'Channel 4: open its animation', 'ch 4'],
      ['7', 'Channel 7: open its animation', 'ch 7'],
      ['9', 'Channel 9: open its animation', 'ch 9']
    ]);
    expect(host.querySelector('[role=list]')?.getAttribute('aria-label')).toBe(
      'Channels of conv2d'
    );
    atlas.setRun(running);
    atlas.pushFrame(frame(4, { batch: 3, value: 1.5 }));
    await paint();
    // perImage is value + i.
    expect(
      cells(host).map(
        c => c.querySelector('.jp-FeatureViz-cell-value')?.textContent
      )
    ).toEqual(['1.50', '2.50', '3.50']);
    atlas.dispose();
  });

  it("shows the engine's notes on its cells and its caption, as text", async () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [0, 1],
      filename: 'a'
    });
    atlas.setRun(running);
    atlas.pushFrame({
      ...frame(8, { batch: 2, value: 1 }),
      caption: 'small preset, 8 steps · <b>start</b>: dark',
      notes: [null, 'never fires']
    });
    await paint();
    expect(
      cells(host).map(c => [
        c.querySelector('.jp-FeatureViz-cell-value')?.textContent,
        c.dataset.note
      ])
    ).toEqual([
      ['1.00', undefined],
      ['2.00 · never fires', 'never fires']
    ]);
    const caption = host.querySelector('.jp-FeatureViz-caption');
    expect(caption?.textContent).toBe(
      'small preset, 8 steps · <b>start</b>: dark'
    );
    expect(caption?.querySelector('b')).toBeNull();
    atlas.dispose();
  });

  it('without channels, lays out the grid the job announces, in place', async () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, { layer: 'conv2d', filename: 'a' });
    const node = atlas.node;
    expect(cells(host)).toHaveLength(0);
    atlas.setRun(
      reduce(submitted, {
        type: 'running',
        backend: 'wasm',
        channels: [0, 1, 2, 3]
      })
    );
    await paint();
    expect(cells(host).map(c => c.dataset.channel)).toEqual([
      '0',
      '1',
      '2',
      '3'
    ]);
    const first = cells(host)[0];
    atlas.pushFrame(frame(1, { batch: 4 }));
    await paint();
    expect(cells(host)[0]).toBe(first);
    expect(host.querySelectorAll('.jp-FeatureViz-atlas-view')).toHaveLength(1);
    expect(host.firstElementChild).toBe(node);
    atlas.dispose();
  });

  it('opens the animation of the channel chosen', async () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [4, 7],
      filename: 'a',
      scale: 1
    });
    atlas.setRun(running);
    atlas.pushFrame(frame(2, { batch: 2, fill: 100 }));
    await paint();
    cells(host)[1].click();
    expect(cells(host).map(c => c.getAttribute('aria-pressed'))).toEqual([
      'false',
      'true'
    ]);
    const detail = host.querySelector('.jp-FeatureViz-atlas-detail');
    expect(detail?.querySelectorAll('.jp-FeatureViz-player')).toHaveLength(1);
    // Channel 7's frames (image 1, filled with 101), followed as they come.
    atlas.pushFrame(frame(4, { batch: 2, fill: 120 }));
    await paint();
    expect(detail?.querySelector('.jp-FeatureViz-step')?.textContent).toBe(
      'step 4 / 8'
    );
    expect(detail?.querySelector('input[type=range]')).toHaveProperty(
      'max',
      '1'
    );
    const canvas = detail?.querySelector('canvas') as HTMLCanvasElement;
    expect(pixelAt(canvas, 0, 0)[0]).toBe(121);
    // The run's controls are the atlas's: the channel has no second Cancel.
    expect(host.querySelectorAll('[aria-label="Cancel the run"]')).toHaveLength(
      1
    );
    cells(host)[0].click();
    expect(detail?.querySelectorAll('.jp-FeatureViz-player')).toHaveLength(1);
    atlas.dispose();
  });

  it('saves the labelled grid, at least 224 pixels an image, shown at the live size', async () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [4, 7],
      filename: 'a'
    });
    expect(atlas.figure()).toBeNull();
    expect(atlas.animation()).toBeNull();
    atlas.setRun(running);
    atlas.pushFrame(frame(8, { batch: 2, fill: 50, value: 0.25 }));
    await paint();
    const figure = atlas.figure();
    if (!figure || !('spec' in figure)) {
      throw new Error('no labelled grid');
    }
    const drawn = drawFigureHere(figure.spec, figure.style);
    // 3×4 images: 4 pixels become 224 (scale 56); two columns.
    const scale = 56;
    expect(pixelAt(drawn, 0, 0)).toEqual([50, 50, 50, 50]);
    expect(pixelAt(drawn, 3 * scale - 1, 4 * scale - 1)).toEqual([
      50, 50, 50, 50
    ]);
    const second = drawn.width - 3 * scale;
    expect(pixelAt(drawn, second, 0)).toEqual([51, 51, 51, 51]);
    expect(drawnTexts(drawn)).toEqual(['ch 4', '0.250', 'ch 7', '1.25']);
    // The live grid: two cells 3 px wide at the atlas's scale (24: 4 pixels
    // become 96 in a grid), 12 screen pixels apart.
    expect(figure.width).toBe(2 * 3 * 24 + 12);
    const png = host.querySelector(
      'button[aria-label="Save the image as PNG"]'
    ) as HTMLButtonElement;
    expect(png.disabled).toBe(false);
    atlas.dispose();
  });

  it('makes a big grid a few dozen cells per display frame', async () => {
    const host = document.createElement('div');
    const channels = Array.from({ length: 200 }, (_, i) => i);
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels,
      filename: 'a'
    });
    expect(cells(host)).toHaveLength(0);
    jest.advanceTimersByTime(17);
    expect(cells(host)).toHaveLength(48);
    atlas.setRun(running);
    atlas.pushFrame(frame(1, { batch: 200 }));
    await paint();
    expect(cells(host)).toHaveLength(200);
    // The cells made last are painted at the next paint.
    await paint();
    expect(
      cells(host).every(
        c => !(c.querySelector('canvas') as HTMLCanvasElement).hidden
      )
    ).toBe(true);
    atlas.dispose();
  });

  it('shows the run bar: backend, error of a failed run', () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [1],
      filename: 'a'
    });
    atlas.setRun(running);
    expect(host.querySelector('.jp-FeatureViz-badge')?.textContent).toBe(
      'WEBGL'
    );
    atlas.setRun(
      play(
        [{ type: 'failed', error: { name: 'Error', message: 'no "x"' } }],
        running
      )
    );
    expect(host.querySelector('[role=alert]')?.textContent).toBe('no "x"');
    expect(atlas.node.dataset.state).toBe('failed');
    atlas.dispose();
  });

  it("shows a stored image instead of the grid, held in place by a new run until that run's first frame", () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [1, 2],
      filename: 'a'
    });
    atlas.showStored({
      png: 'iVBORw0KGgo=',
      gif: null,
      width: 400,
      height: 100
    });
    atlas.setRun(reduce(INITIAL, { type: 'stored' }));
    const img = host.querySelector('img.jp-FeatureViz-stored');
    expect(img?.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(img?.getAttribute('alt')).toBe('Saved atlas of conv2d');
    expect((img as HTMLImageElement).style.width).toBe('400px');
    expect(
      (host.querySelector('.jp-FeatureViz-atlas') as HTMLElement).hidden
    ).toBe(true);
    const png = host.querySelector(
      'button[aria-label="Save the image as PNG"]'
    ) as HTMLButtonElement;
    expect(png.disabled).toBe(false);
    // Re-run: the saved picture stays, dimmed, so that the run bar under it
    // does not move as Cancel is clicked; it is no longer offered as a PNG.
    atlas.setRun(submitted);
    atlas.setRun(running);
    const view = host.querySelector('.jp-FeatureViz-atlas-view');
    expect(view?.classList.contains('jp-mod-stale')).toBe(true);
    expect(host.querySelectorAll('img.jp-FeatureViz-stored')).toHaveLength(1);
    expect(png.disabled).toBe(true);
    // The first frame takes its place.
    atlas.pushFrame(frame(1, { batch: 2 }));
    expect(host.querySelector('img')).toBeNull();
    expect(view?.classList.contains('jp-mod-stale')).toBe(false);
    expect(
      (host.querySelector('.jp-FeatureViz-atlas') as HTMLElement).hidden
    ).toBe(false);
    atlas.dispose();
  });

  it('leaves no nodes or listeners behind when disposed', async () => {
    const host = document.createElement('div');
    const onCancel = jest.fn();
    const controller = new AbortController();
    const atlas = mountAtlas(
      host,
      { layer: 'conv2d', channels: [1, 2], filename: 'a', onCancel },
      { signal: controller.signal }
    );
    atlas.setRun(running);
    atlas.pushFrame(frame(1, { batch: 2 }));
    await paint();
    const grid = cells(host);
    grid[0].click();
    const buttons = [...host.querySelectorAll('button')];
    const detail = host.querySelector('.jp-FeatureViz-player');
    controller.abort();
    expect(host.childElementCount).toBe(0);
    expect(detail?.isConnected).toBe(false);
    buttons.forEach(b => b.click());
    expect(onCancel).not.toHaveBeenCalled();
    expect(grid[1].getAttribute('aria-pressed')).toBe('false');
    expect(() => atlas.dispose()).not.toThrow();
  });
});
