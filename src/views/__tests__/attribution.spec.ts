/**
 * The attribution views in jsdom: colour scales, the figure's layout, the
 * occlusion figure's percentages on their positions, the saliency panels side
 * by side, the opacity slider, the values table, stored results and the
 * filters grid. The canvas records what is drawn (testing/canvas-2d.ts).
 */
import type {
  IFiltersResult,
  IInputImage,
  IOcclusionResult,
  ISaliencyResult
} from '../../engine/attribution/types';
import type { JobSummaryOf } from '../../engine/runtime/protocol';
import { occlusionFigure } from '../attribution-panels';
import { mountAttribution } from '../attribution';
import { formatPercent, formatValue } from '../attribution-words';
import { colorOf, colorize, domainOf, inputImage, overlay } from '../colormap';
import { mountFilters } from '../filters';
import { layoutFigure } from '../panel-layout';
import { INITIAL, type IRunState } from '../run-state';
import {
  drawnImages,
  drawnTexts,
  installRecordingCanvas
} from '../testing/canvas-2d';

beforeAll(installRecordingCanvas);

const done: IRunState = {
  ...INITIAL,
  state: 'done',
  backend: 'wasm',
  progress: 1
};

function digit(): IInputImage {
  const values = Float32Array.from({ length: 28 * 28 }, (_, i) =>
    Math.floor(i / 28) > 5 &&
    Math.floor(i / 28) < 22 &&
    i % 28 > 8 &&
    i % 28 < 20
      ? 1
      : 0
  );
  return {
    height: 28,
    width: 28,
    channels: 1,
    values,
    range: [0, 1],
    label: 8,
    name: 'mnist test #2'
  };
}

function occlusion(size = 7, stride = 7): IOcclusionResult {
  const rows = Math.ceil((28 - size) / stride) + 1;
  const count = rows * rows;
  const change = Float32Array.from({ length: count }, (_, i) => -i * 3.3);
  return {
    kind: 'occlusion',
    input: digit(),
    example: 'mnist test #2',
    unit: 'logit 8',
    value: 11.26,
    label: 8,
    predicted: 8,
    grid: { rows, cols: rows, size, stride },
    fill: 0,
    values: change.map(c => 11.26 * (1 + c / 100)),
    change,
    map: new Float32Array(784).fill(0.5),
    predictions: Int32Array.from({ length: count }, (_, i) => (i > 12 ? 3 : 8))
  };
}

const occlusionSummary: JobSummaryOf<'occlusion'> = {
  kind: 'occlusion',
  backend: 'wasm',
  elapsedMs: 30,
  example: 'mnist test #2',
  unit: 'logit 8',
  value: 11.26,
  label: 8,
  predicted: 8,
  size: 7,
  stride: 7,
  fill: 0,
  rows: 4,
  cols: 4,
  largestDrop: { percent: -49.5, row: 3, col: 3 },
  changedPrediction: 3
};

describe('colour scales', () => {
  it('maps zero to white on the diverging scale and the ends to blue and red', () => {
    const domain = domainOf([-2, 1, 0.5], 'diverging');
    expect(domain).toEqual({ min: -2, max: 2 });
    expect(colorOf(0, 'diverging', domain)).toEqual([247, 247, 247]);
    const [r1, , b1] = colorOf(-2, 'diverging', domain);
    const [r2, , b2] = colorOf(2, 'diverging', domain);
    expect(b1).toBeGreaterThan(r1); // blue below zero
    expect(r2).toBeGreaterThan(b2); // red above
    expect(colorOf(NaN, 'diverging', domain)).toEqual([128, 128, 128]);
  });

  it('spans [0, max] on the sequential scale, dark to light', () => {
    const domain = domainOf([0, 3, 1], 'sequential');
    expect(domain).toEqual({ min: 0, max: 3 });
    const low = colorOf(0, 'sequential', domain);
    const high = colorOf(3, 'sequential', domain);
    expect(low).toEqual([0x44, 0x01, 0x54]);
    expect(high).toEqual([0xfd, 0xe7, 0x25]);
    // An empty map draws without dividing by zero.
    expect(domainOf([0, 0], 'sequential')).toEqual({ min: 0, max: 1 });
  });

  it('draws the input in its range and lays a map over it', () => {
    const image = inputImage([0, 0.5, 1, 2], 4, 1, 1, [0, 2]);
    expect(Array.from(image.data.filter((_, i) => i % 4 === 0))).toEqual([
      0, 64, 128, 255
    ]);
    const red = colorize([1, 1, 1, 1], 4, 1, 'diverging', { min: -1, max: 1 });
    const mixed = overlay(image, red, 0.25);
    expect(mixed.data[0]).toBe(Math.round(0.25 * red.data[0]));
    expect(mixed.data[3]).toBe(255);
  });
});

describe('numbers', () => {
  it('prints percentages signed, rounded as they fit a cell', () => {
    expect(formatPercent(-42.34)).toBe('−42%');
    expect(formatPercent(3.46)).toBe('+3.5%');
    expect(formatPercent(0.01)).toBe('0%');
    expect(formatPercent(NaN)).toBe('–');
    expect(formatValue(11.2596)).toBe('11.3');
    expect(formatValue(0.000123)).toBe('1.23e-4');
  });
});

describe('the figure layout', () => {
  it('puts panels side by side, wrapping at the column count', () => {
    const panel = { title: 'a', image: inputImage([0], 28, 28, 1, [0, 1]) };
    const one = layoutFigure({ panels: [panel, panel, panel] }, 8);
    expect(one.boxes.map(b => b.x)).toEqual([
      8,
      8 + 224 + 16,
      8 + 2 * (224 + 16)
    ]);
    expect(one.width).toBe(2 * 8 + 3 * 224 + 2 * 16);
    const wrapped = layoutFigure(
      { panels: [panel, panel, panel], columns: 2 },
      8
    );
    expect(wrapped.boxes[2].x).toBe(8);
    expect(wrapped.boxes[2].y).toBeGreaterThan(wrapped.boxes[0].y + 224);
  });
});

describe('the occlusion figure', () => {
  it('writes each position’s change on the middle of its square', () => {
    const result = occlusion(5, 3);
    const figure = occlusionFigure(result, 0.6);
    const cells = figure.panels[1].cells ?? [];
    expect(cells).toHaveLength(result.grid.rows * result.grid.cols);
    // Size 5, stride 3: position (r, c) stands for the middle 3×3 pixels.
    expect(cells[result.grid.cols + 2]).toMatchObject({
      x: 2 * 3 + 1,
      y: 3 + 1,
      width: 3,
      height: 3,
      text: formatPercent(result.change[result.grid.cols + 2])
    });
    // The last position is cut off by the edge.
    expect(cells[cells.length - 1].width).toBeLessThanOrEqual(3);
  });

  it('draws the input, the changes with a number per position, and the per-pixel map', () => {
    const host = document.createElement('div');
    const view = mountAttribution(host, { filename: 'f', kind: 'occlusion' });
    view.setRun(done);
    view.showResult?.(occlusion(), occlusionSummary);
    const canvas = host.querySelector(
      'canvas.jp-FeatureViz-figure'
    ) as HTMLCanvasElement;
    const texts = drawnTexts(canvas).map(t => t.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Input',
        'label 8, predicted 8',
        'Change of logit 8 when covered',
        'prediction changes at 3 of 16 positions',
        'Mean drop per pixel',
        'change of logit 8 (%)'
      ])
    );
    // A percentage per position, at the centre of its 56-pixel square.
    const result = occlusion();
    const box = layoutFigure(
      { panels: occlusionFigure(result, 0.6).panels, columns: 4 },
      8
    ).boxes[1];
    for (let i = 0; i < 16; i++) {
      const text = formatPercent(result.change[i]);
      const drawn = drawnTexts(canvas).find(
        t =>
          t.text === text &&
          t.x === box.imageX + ((i % 4) * 7 + 3.5) * 8 &&
          t.y === box.imageY + (Math.floor(i / 4) * 7 + 3.5) * 8
      );
      expect([i, drawn !== undefined]).toEqual([i, true]);
    }
    // The values table holds the same numbers, row by row.
    const cells = Array.from(
      host.querySelectorAll('table.jp-FeatureViz-values td')
    );
    expect(cells.map(c => c.textContent)).toEqual(
      Array.from(result.change, formatPercent)
    );
    expect(host.querySelector('.jp-FeatureViz-sentence')?.textContent).toBe(
      'logit 8 = 11.3 on mnist test #2 (label 8, predicted 8); covering row 3, column 3 changes it most: −50%; the prediction changes at 3 of 16 positions.'
    );
    view.dispose();
    expect(host.children).toHaveLength(0);
  });

  it('redraws the maps at the opacity the slider sets', () => {
    const host = document.createElement('div');
    const view = mountAttribution(host, {
      filename: 'f',
      kind: 'occlusion',
      opacity: 0
    });
    view.setRun(done);
    view.showResult?.(occlusion(), occlusionSummary);
    const canvas = host.querySelector(
      'canvas.jp-FeatureViz-figure'
    ) as HTMLCanvasElement;
    const mapPixels = () => drawnImages(canvas)[1].pixels.slice(0, 4);
    // Opacity 0: the input alone (black at the corner).
    expect(Array.from(mapPixels())).toEqual([0, 0, 0, 255]);
    const slider = host.querySelector('input[type=range]') as HTMLInputElement;
    slider.value = '100';
    slider.dispatchEvent(new Event('input'));
    const domain = domainOf(occlusion().change, 'diverging');
    expect(Array.from(mapPixels())).toEqual([
      ...colorOf(occlusion().change[0], 'diverging', domain),
      255
    ]);
    view.dispose();
  });
});

describe('the saliency figure', () => {
  function saliency(): ISaliencyResult {
    const map = (sign: number) =>
      Float32Array.from({ length: 784 }, (_, i) => sign * (i % 7) - 2);
    return {
      kind: 'saliency',
      input: digit(),
      example: 'mnist test #2',
      unit: 'logit 8',
      value: 11.26,
      label: 8,
      predicted: 8,
      maps: [
        { method: 'gradient', attribution: map(1), map: map(1), signed: true },
        {
          method: 'integrated-gradients',
          attribution: map(-1),
          map: map(-1),
          signed: true,
          completeness: { sum: 14.58, delta: 14.57, error: 0.0006 }
        },
        {
          method: 'grad-cam',
          attribution: map(1).map(Math.abs),
          map: map(1).map(Math.abs),
          signed: false,
          camLayer: 'conv2d_1',
          low: new Float32Array(576),
          lowShape: [24, 24]
        }
      ]
    };
  }

  it('shows each method beside the input, each with its own legend and note', () => {
    const host = document.createElement('div');
    const view = mountAttribution(host, { filename: 'f', kind: 'saliency' });
    view.setRun(done);
    view.showResult?.(saliency(), {
      kind: 'saliency',
      backend: 'wasm',
      elapsedMs: 1,
      example: 'mnist test #2',
      unit: 'logit 8',
      value: 11.26,
      label: 8,
      predicted: 8,
      methods: [{ method: 'gradient' }]
    });
    const canvas = host.querySelector(
      'canvas.jp-FeatureViz-figure'
    ) as HTMLCanvasElement;
    const texts = drawnTexts(canvas).map(t => t.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Input',
        'Gradient',
        'Integrated Gradients',
        'Σ 14.6 vs f(x) − f(b) 14.6 (0.06% off)',
        'Grad-CAM',
        'at conv2d_1 (24×24)'
      ])
    );
    // Three legends ("attribution to logit 8"), one per map.
    expect(texts.filter(t => t === 'attribution to logit 8')).toHaveLength(3);
    expect(canvas.getAttribute('aria-label')).toBe(
      'Input, Gradient, Integrated Gradients, Grad-CAM'
    );
    // An occlusion result is not this view's.
    view.showResult?.(occlusion(), occlusionSummary);
    expect(drawnTexts(canvas).map(t => t.text)).toContain('Grad-CAM');
    view.dispose();
  });

  it('shows a saved figure with what its summary says, and forgets it on a new run', () => {
    const host = document.createElement('div');
    const view = mountAttribution(host, { filename: 'f', kind: 'occlusion' });
    view.showStored({ png: 'iVBORw0KGgo=', gif: null }, occlusionSummary);
    expect(host.querySelector('img')?.getAttribute('src')).toBe(
      'data:image/png;base64,iVBORw0KGgo='
    );
    expect(host.querySelector('.jp-FeatureViz-sentence')?.textContent).toMatch(
      /^logit 8 = 11.3 on mnist test #2/
    );
    expect(view.figure()).toBeNull();
    view.setRun({ ...INITIAL, state: 'stored' });
    view.setRun({ ...INITIAL, state: 'queued' });
    expect(host.querySelector('img')).toBeNull();
    view.dispose();
  });

  it('writes back the whole figure as drawn live', () => {
    const host = document.createElement('div');
    const view = mountAttribution(host, { filename: 'f', kind: 'occlusion' });
    view.setRun(done);
    view.showResult?.(occlusion(), occlusionSummary);
    const figure = view.figure();
    const layout = layoutFigure(
      { ...occlusionFigure(occlusion(), 0.6), columns: 4 },
      8
    );
    if (!figure || !('canvas' in figure)) {
      throw new Error('no drawn figure');
    }
    expect(figure).toMatchObject({
      width: layout.width,
      height: layout.height
    });
    expect([figure.canvas.width, figure.canvas.height]).toEqual([
      layout.width,
      layout.height
    ]);
    view.dispose();
  });
});

describe('the filters grid', () => {
  function filters(inputs: number, readsInput: boolean): IFiltersResult {
    const shape: [number, number, number, number] = [3, 3, inputs, 4];
    const weights = Float32Array.from(
      { length: 9 * inputs * 4 },
      (_, i) => (i % 5) - 2
    );
    return {
      kind: 'filters',
      layer: 'conv2d',
      kernelShape: shape,
      weights,
      scale: 2,
      readsInput
    };
  }

  it('draws one labelled image per filter, on the weight scale with its legend', () => {
    const host = document.createElement('div');
    const view = mountFilters(host, { filename: 'f' });
    view.setRun(done);
    view.showResult?.(filters(1, true), {
      kind: 'filters',
      backend: 'wasm',
      elapsedMs: 1,
      layer: 'conv2d',
      kernelShape: [3, 3, 1, 4],
      readsInput: true
    });
    const canvas = host.querySelector('canvas') as HTMLCanvasElement;
    const texts = drawnTexts(canvas).map(t => t.text);
    expect(texts).toEqual(
      expect.arrayContaining(['0', '1', '2', '3', 'weight', '-2', '2'])
    );
    const images = drawnImages(canvas);
    // Four 3×3 filters and the legend's bar.
    expect(images.filter(i => i.width === 3 && i.height === 3)).toHaveLength(4);
    // Filter 0's top-left weight is w[0, 0, 0, 0] = -2: the scale's blue end.
    expect(Array.from(images[0].pixels.slice(0, 3))).toEqual(
      colorOf(-2, 'diverging', { min: -2, max: 2 })
    );
    expect(host.querySelector('.jp-FeatureViz-sentence')?.textContent).toBe(
      '4 filters of conv2d, 3×3 over 1 input channel.'
    );
    view.dispose();
  });

  it('draws a deeper layer one strip per filter, a cell per input channel', () => {
    const host = document.createElement('div');
    const view = mountFilters(host, { filename: 'f' });
    view.showResult?.(filters(5, false), {
      kind: 'filters',
      backend: 'wasm',
      elapsedMs: 1,
      layer: 'conv2d',
      kernelShape: [3, 3, 5, 4],
      readsInput: false
    });
    const canvas = host.querySelector('canvas') as HTMLCanvasElement;
    const strips = drawnImages(canvas).filter(i => i.height === 3);
    expect(strips).toHaveLength(4);
    expect(strips[0].width).toBe(5 * 4 - 1);
    view.dispose();
  });
});
