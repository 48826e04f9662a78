/**
 * The PCA scatter view in jsdom, which has no WebGL: the view says so and
 * shows a still picture of the plot; the legend lists and toggles classes;
 * the plot data (positions, axis titles with the explained variance) and the
 * figure written back (legend and titles drawn in) follow the result;
 * thumbnails come from a small LRU; a selection's grid shows at most 64 and
 * says how many more; a saved result is shown with its sentence. The
 * interactive WebGL plot is tested in Galata (ui-tests/tests/lab/pca.spec.ts).
 */
import type {
  IPcaResult,
  JobSummaryOf
} from '../../../engine/runtime/protocol';
import { INITIAL, type IRunState, reduce } from '../../run-state';
import { drawnTexts, installCanvas, pixelAt } from '../../testing/fixtures';
import { edgeDomains, plotData, shownPoints } from '../plot-data';
import { axisScales } from '../plot';
import { mountPca } from '../scatter';
import { SELECTION_SHOWN, selectionGrid } from '../selection-grid';
import { THUMBNAIL_CACHE, Thumbnails } from '../thumbnails';
import { pcaSentence } from '../words';

installCanvas();

function result(count = 30): IPcaResult {
  return {
    kind: 'pca',
    layer: 'conv2d',
    count,
    components: 2,
    // Point i at (i, −2i − 1): x grows, y falls.
    coordinates: Float32Array.from({ length: count * 2 }, (_, j) =>
      j % 2 === 0 ? j / 2 : -j
    ),
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    labelNames: null,
    explainedVariance: Float32Array.from([4, 1]),
    explainedVarianceRatio: Float32Array.from([0.083, 0.0065]),
    first: 8000,
    imageShape: [2, 2, 1],
    images: Uint8Array.from({ length: count * 4 }, (_, j) => j >> 2),
    selection: new Int32Array(0)
  };
}

function summary(r: IPcaResult): JobSummaryOf<'pca'> {
  return {
    kind: 'pca',
    backend: 'wasm',
    elapsedMs: 1200,
    count: r.count,
    skipped: 0,
    layer: r.layer,
    width: 21632,
    components: 2,
    solver: 'randomized',
    passes: 3,
    explainedVariance: [4, 1],
    explainedVarianceRatio: [0.083, 0.0065],
    labelNames: null,
    batchSize: 64,
    selection: []
  };
}

const done: IRunState = reduce(reduce(INITIAL, { type: 'submit' }), {
  type: 'running',
  backend: 'wasm'
});

function mount() {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const view = mountPca(host, { filename: 'pca', layer: 'conv2d' });
  view.setRun(done);
  return { host, view };
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('PCA scatter view', () => {
  it('scales points into [−0.95, 0.95] and titles the axes with the explained variance', () => {
    const data = plotData(result(11));
    expect(data.x[0]).toBeCloseTo(-0.95);
    expect(data.x[10]).toBeCloseTo(0.95);
    expect(data.y[0]).toBeCloseTo(0.95);
    expect(data.y[10]).toBeCloseTo(-0.95);
    expect(data.xTitle).toBe('PC1 (8.3 % of variance)');
    expect(data.yTitle).toBe('PC2 (0.65 % of variance)');
    expect(data.classNames).toEqual(['0', '1', '2']);
    expect(data.extent).toEqual([0, 10, -21, -1]);
    expect(shownPoints(data, new Set())).toBeNull();
    expect(shownPoints(data, new Set([0, 2]))).toEqual([1, 4, 7, 10]);
  });

  it('says when WebGL is missing and shows a still picture with the legend', async () => {
    const { host, view } = mount();
    const r = result();
    view.showResult?.(r, summary(r));
    await flush();
    const node = host.querySelector('.jp-FeatureViz-pca') as HTMLElement;
    expect(node.dataset.webgl).toBe('none');
    const notice = host.querySelector(
      '.jp-FeatureViz-pca-notice'
    ) as HTMLElement;
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toMatch(/WebGL is not available/);
    const still = host.querySelector(
      'canvas.jp-FeatureViz-figure'
    ) as HTMLCanvasElement;
    expect(still.hidden).toBe(false);
    expect(drawnTexts(still)).toEqual(
      expect.arrayContaining([
        'PC1 (8.3 % of variance)',
        'PC2 (0.65 % of variance)',
        '0',
        '1',
        '2'
      ])
    );
    const legend = [...host.querySelectorAll('.jp-FeatureViz-pca-class')];
    expect(legend.map(b => b.textContent)).toEqual(['0', '1', '2']);
    (legend[1] as HTMLButtonElement).click();
    const after = [...host.querySelectorAll('.jp-FeatureViz-pca-class')];
    expect(after[1].getAttribute('aria-pressed')).toBe('false');
    expect(after[1].getAttribute('aria-label')).toBe('Show class 1');
    expect(drawnTexts(still)).toContain('1 (hidden)');
    expect(host.textContent).toContain(
      '30 examples at conv2d (21,632 values each) on their first two principal components: 9.0 % of the variance together (randomized solver, 3 passes).'
    );
    view.dispose();
  });

  it('writes back a labelled figure of the plot', () => {
    const { view } = mount();
    const r = result();
    view.showResult?.(r, summary(r));
    const figure = view.figure();
    expect(figure && 'canvas' in figure).toBe(true);
    if (figure && 'canvas' in figure) {
      expect([figure.width, figure.height]).toEqual([538, 416]);
      expect(drawnTexts(figure.canvas)).toEqual(
        expect.arrayContaining(['PC1 (8.3 % of variance)', '0', '1', '2'])
      );
    }
    view.dispose();
  });

  it("puts the data values at the plot's edges where the drawn points say they are", () => {
    const data = plotData(result(30));
    const [[xLow, xHigh], [yLow, yHigh]] = edgeDomains(data);
    // Linear from GL −1..1 to the edge values: each point lands on its
    // own coordinate (x = i, y = −2i − 1).
    const at = (gl: number, low: number, high: number) =>
      low + ((gl + 1) / 2) * (high - low);
    for (const i of [0, 7, 29]) {
      expect(at(data.x[i], xLow, xHigh)).toBeCloseTo(i, 4);
      expect(at(data.y[i], yLow, yHigh)).toBeCloseTo(-2 * i - 1, 4);
    }
    const [x] = axisScales(data);
    expect(x.domain()).toEqual([xLow, xHigh]);
    x.domain([1, 2]).range([0, 360]);
    expect([x.domain(), x.range()]).toEqual([
      [1, 2],
      [0, 360]
    ]);
  });

  it('cuts thumbnails from the result on demand and keeps a small LRU', () => {
    const r = result(300);
    const thumbnails = new Thumbnails(r);
    const a = thumbnails.get(5, 3);
    expect(a?.width).toBe(2);
    expect(a?.style.width).toBe('6px');
    expect(thumbnails.get(5, 3)).not.toBe(a); // a copy each time
    for (let i = 0; i < THUMBNAIL_CACHE + 20; i++) {
      thumbnails.get(i, 1);
    }
    expect(
      (thumbnails as unknown as { _cache: Map<number, unknown> })._cache.size
    ).toBe(THUMBNAIL_CACHE);
    expect(thumbnails.get(-1, 1)).toBeNull();
    expect(
      new Thumbnails({ ...r, images: new Uint8Array(0) }).get(0, 1)
    ).toBeNull();
  });

  it('asks the engine for the examples a result does not carry, once, by dataset index', async () => {
    const r = { ...result(300), images: new Uint8Array(0) };
    const asked: number[][] = [];
    // The engine's answer: example i's four pixels all equal i % 256.
    const thumbnails = new Thumbnails(r, async (indices, shape) => {
      expect(shape).toEqual([2, 2, 1]);
      asked.push([...indices]);
      return Uint8Array.from(
        { length: indices.length * 4 },
        (_, j) => indices[j >> 2] % 256
      );
    });
    expect(thumbnails.available).toBe(true);
    expect(thumbnails.get(7, 1)).toBeNull(); // not here yet
    expect(await thumbnails.load([7, 9])).toBe(true);
    expect(asked).toEqual([[8007, 8009]]);
    const image = thumbnails.get(9, 1);
    expect(image).not.toBeNull();
    expect(pixelAt(image as HTMLCanvasElement, 1, 1)).toEqual([
      8009 % 256,
      8009 % 256,
      8009 % 256,
      255
    ]);
    // Cached: asking again sends nothing; a new point asks for itself alone.
    expect(await thumbnails.load([7, 9, 11])).toBe(true);
    expect(asked).toEqual([[8007, 8009], [8011]]);
    // A failing engine: no image, no throw.
    const failing = new Thumbnails(r, () => Promise.reject(new Error('gone')));
    expect(await failing.load([1])).toBe(false);
    expect(failing.get(1, 1)).toBeNull();
    expect(new Thumbnails(r).available).toBe(false);
  });

  it('shows at most 64 selected examples and says how many more', () => {
    const r = result(300);
    const points = Array.from({ length: 100 }, (_, i) => i * 2);
    const grid = selectionGrid(r, points, new Thumbnails(r));
    const cells = [
      ...grid.querySelectorAll('.jp-FeatureViz-pca-cell')
    ] as HTMLElement[];
    expect(cells).toHaveLength(SELECTION_SHOWN);
    expect(cells[1].dataset.index).toBe('8002');
    expect(cells[1].textContent).toBe('2 · #8002');
    expect(grid.querySelector('.jp-FeatureViz-pca-more')?.textContent).toBe(
      'and 36 more'
    );
    expect(grid.textContent).toContain('100 selected examples');
  });

  it('shows a saved result with its sentence and selection', () => {
    const { host, view } = mount();
    const r = result();
    view.showStored(
      { png: 'iVBORw0KGgo=', gif: null, width: 538 },
      {
        ...summary(r),
        selection: [8001, 8004]
      }
    );
    expect(host.querySelector('img')).not.toBeNull();
    expect(host.textContent).toContain('2 selected.');
    expect(pcaSentence({ ...summary(r), count: 1 })).toMatch(/^1 example at/);
    view.dispose();
    expect(host.children).toHaveLength(0);
  });
});
