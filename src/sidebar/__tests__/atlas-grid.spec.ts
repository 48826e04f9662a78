/**
 * The explorer's lazy atlas: only the cells in view are queued, a few
 * channels per job; a job whose cells all left the view is cancelled, and
 * so is every job when the layer is left; keyboard moves between cells.
 * The IntersectionObserver is driven by the test (jsdom has none).
 */
import { CancelledError } from '../../engine/errors';
import { FakeEngine } from '../../output/testing/fakes';
import { installCanvas } from '../../views/testing/fixtures';
import { AtlasGrid, CHUNK } from '../atlas-grid';

installCanvas();

/** The observer the grid made, to tell it which cells are in view. */
let observer: {
  callback: (entries: Partial<IntersectionObserverEntry>[]) => void;
  observed: Element[];
} | null = null;

class TestObserver {
  readonly observed: Element[] = [];
  constructor(
    callback: (entries: Partial<IntersectionObserverEntry>[]) => void
  ) {
    observer = { callback, observed: this.observed };
  }
  observe(node: Element): void {
    this.observed.push(node);
  }
  disconnect(): void {}
}

function see(units: readonly number[], visible: boolean): void {
  observer?.callback(
    units.map(u => ({
      target: observer?.observed[u],
      isIntersecting: visible
    }))
  );
}

const settle = () => jest.advanceTimersByTimeAsync(200);

function makeGrid(engine: FakeEngine, select = jest.fn()) {
  const abort = new AbortController();
  const grid = new AtlasGrid(
    {
      engine,
      modelRef: { builtin: 'mnist-cnn' },
      model: { url: 'https://x/model.json', format: 'layers' },
      layer: 'conv2d_1',
      count: 64,
      options: { data: { builtin: 'mnist' }, steps: 16, size: null },
      limits: { maxBytes: 1e9, maxMs: 6e5 },
      select
    },
    abort.signal
  );
  document.body.appendChild(grid.node);
  return { grid, abort, select };
}

beforeEach(() => {
  jest.useFakeTimers();
  (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver =
    TestObserver;
});

afterEach(() => {
  jest.useRealTimers();
  document.body.replaceChildren();
});

describe('AtlasGrid', () => {
  it('queues only the chunks in view, as batched atlas jobs of their channels', async () => {
    const engine = new FakeEngine();
    makeGrid(engine);
    see([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], true);
    await settle();
    expect(engine.jobs.map(j => j.request)).toEqual([
      expect.objectContaining({
        kind: 'layer-atlas',
        layer: 'conv2d_1',
        channels: [0, 1, 2, 3, 4, 5, 6, 7],
        optimization: expect.objectContaining({ steps: 16 })
      }),
      expect.objectContaining({
        channels: [8, 9, 10, 11, 12, 13, 14, 15]
      })
    ]);
    expect(CHUNK).toBe(8);
  });

  it('queues nothing for cells that pass by in a quick scroll', async () => {
    const engine = new FakeEngine();
    makeGrid(engine);
    see([40], true);
    await jest.advanceTimersByTimeAsync(50);
    see([40], false);
    await settle();
    expect(engine.jobs).toEqual([]);
  });

  it('cancels a job whose cells all left the view; it may be asked for again', async () => {
    const engine = new FakeEngine();
    const { grid } = makeGrid(engine);
    see([0, 1], true);
    await settle();
    see([0], false);
    await settle();
    expect(engine.jobs[0].options.signal?.aborted).toBe(false);
    see([1], false);
    await settle();
    expect(engine.jobs[0].options.signal?.aborted).toBe(true);
    await expect(engine.jobs[0].done).rejects.toBeInstanceOf(CancelledError);
    const cell = grid.node.querySelector('[data-unit="1"]') as HTMLElement;
    expect(cell.dataset.state).toBe('waiting');
    see([1], true);
    await settle();
    expect(engine.jobs).toHaveLength(2);
  });

  it('cancels every job when the layer is left', async () => {
    const engine = new FakeEngine();
    const { abort } = makeGrid(engine);
    see([0, 8, 16], true);
    await settle();
    expect(engine.jobs).toHaveLength(3);
    abort.abort();
    expect(engine.jobs.every(j => j.options.signal?.aborted)).toBe(true);
  });

  it('moves with the arrow keys and selects with Enter', () => {
    const engine = new FakeEngine();
    const { grid, select } = makeGrid(engine);
    const cell = (u: number) =>
      grid.node.querySelector(`[data-unit="${u}"]`) as HTMLElement;
    expect(
      grid.node.querySelector('[role="grid"]')?.getAttribute('aria-label')
    ).toBe('Atlas of conv2d_1: 64 units');
    cell(5).focus();
    cell(5).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true })
    );
    expect(document.activeElement).toBe(cell(9));
    cell(9).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true })
    );
    expect(document.activeElement).toBe(cell(8));
    cell(8).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    expect(select).toHaveBeenCalledWith(8);
  });
});
