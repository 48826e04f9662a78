/** The atlas: its grid, channel player, stored image, run bar and disposal. */
import { mountAtlas } from '../atlas';
import { INITIAL, type IRunState, type RunEvent, reduce } from '../run-state';
import { decodePng, frame, installCanvas } from '../testing/fixtures';

installCanvas();

function play(events: RunEvent[], from: IRunState = INITIAL): IRunState {
  return events.reduce(reduce, from);
}

const submitted = reduce(INITIAL, { type: 'submit' });
const running = reduce(submitted, { type: 'running', backend: 'webgl' });

const cells = (host: HTMLElement) =>
  [...host.querySelectorAll('.jp-FeatureViz-cell')] as HTMLButtonElement[];

describe('atlas', () => {
  it('lays out one labelled cell per channel, with its value', () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [4, 7, 9],
      filename: 'a'
    });
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
    // perImage is value + i.
    expect(
      cells(host).map(
        c => c.querySelector('.jp-FeatureViz-cell-value')?.textContent
      )
    ).toEqual(['1.50', '2.50', '3.50']);
    atlas.dispose();
  });

  it("shows the engine's notes on its cells and its caption, as text", () => {
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

  it('without channels, lays out the grid the job announces, in place', () => {
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
    expect(cells(host).map(c => c.dataset.channel)).toEqual([
      '0',
      '1',
      '2',
      '3'
    ]);
    const first = cells(host)[0];
    atlas.pushFrame(frame(1, { batch: 4 }));
    expect(cells(host)[0]).toBe(first);
    expect(host.querySelectorAll('.jp-FeatureViz-atlas-view')).toHaveLength(1);
    expect(host.firstElementChild).toBe(node);
    atlas.dispose();
  });

  it('opens the animation of the channel chosen', () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [4, 7],
      filename: 'a',
      scale: 1
    });
    atlas.setRun(running);
    atlas.pushFrame(frame(2, { batch: 2, fill: 100 }));
    cells(host)[1].click();
    expect(cells(host).map(c => c.getAttribute('aria-pressed'))).toEqual([
      'false',
      'true'
    ]);
    const detail = host.querySelector('.jp-FeatureViz-atlas-detail');
    expect(detail?.querySelectorAll('.jp-FeatureViz-player')).toHaveLength(1);
    // Channel 7's frames (image 1, filled with 101), followed as they come.
    atlas.pushFrame(frame(4, { batch: 2, fill: 120 }));
    expect(detail?.querySelector('.jp-FeatureViz-step')?.textContent).toBe(
      'step 4 / 8'
    );
    expect(detail?.querySelector('input[type=range]')).toHaveProperty(
      'max',
      '1'
    );
    const canvas = detail?.querySelector('canvas') as HTMLCanvasElement;
    expect(decodePng(canvas.toDataURL().split(',')[1]).rgba[0]).toBe(121);
    // The run's controls are the atlas's: the channel has no second Cancel.
    expect(host.querySelectorAll('[aria-label="Cancel the run"]')).toHaveLength(
      1
    );
    cells(host)[0].click();
    expect(detail?.querySelectorAll('.jp-FeatureViz-player')).toHaveLength(1);
    atlas.dispose();
  });

  it('saves the whole grid at display scale', () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [4, 7],
      filename: 'a'
    });
    expect(atlas.currentImage()).toBeNull();
    expect(atlas.animation()).toBeNull();
    atlas.setRun(running);
    atlas.pushFrame(frame(8, { batch: 2, fill: 50 }));
    const image = atlas.currentImage();
    // Two 3×4 images side by side at scale 4 (at most), 2 pixels apart.
    expect(image && [image.width, image.height]).toEqual([3 * 4 * 2 + 2, 16]);
    expect(image?.data[0]).toBe(50);
    expect(image?.data[(3 * 4 + 2) * 4]).toBe(51);
    const png = host.querySelector(
      'button[aria-label="Save the image as PNG"]'
    ) as HTMLButtonElement;
    expect(png.disabled).toBe(false);
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

  it('shows a stored image instead of the grid, until a new run', () => {
    const host = document.createElement('div');
    const atlas = mountAtlas(host, {
      layer: 'conv2d',
      channels: [1, 2],
      filename: 'a'
    });
    atlas.showStored('iVBORw0KGgo=');
    atlas.setRun(reduce(INITIAL, { type: 'stored' }));
    const img = host.querySelector('img.jp-FeatureViz-stored');
    expect(img?.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(img?.getAttribute('alt')).toBe('Saved atlas of conv2d');
    expect(
      (host.querySelector('.jp-FeatureViz-atlas') as HTMLElement).hidden
    ).toBe(true);
    const png = host.querySelector(
      'button[aria-label="Save the image as PNG"]'
    ) as HTMLButtonElement;
    expect(png.disabled).toBe(false);
    atlas.setRun(submitted);
    expect(host.querySelector('img')).toBeNull();
    expect(
      (host.querySelector('.jp-FeatureViz-atlas') as HTMLElement).hidden
    ).toBe(false);
    atlas.dispose();
  });

  it('leaves no nodes or listeners behind when disposed', () => {
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
