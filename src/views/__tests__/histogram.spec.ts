/**
 * The unit's histogram in jsdom: bars where the bins say (heights in
 * proportion, checked by hand-computed ratios), the exact zeros apart and
 * cut, the top-k threshold at its value, the words, the bins' table, and the
 * histogram in the top-examples view and under its written-back sheet.
 */
import type { IUnitHistogram } from '../../engine/dataset/top-examples';
import { histogramSection } from '../histogram';
import {
  HISTOGRAM_SIZE,
  histogramCaption,
  histogramPlot
} from '../histogram-plot';
import { INITIAL, reduce } from '../run-state';
import {
  installCanvas,
  topExamplesResult,
  topExamplesSummary
} from '../testing/fixtures';
import { mountTopExamples } from '../top-examples';

installCanvas();

/** 100 examples of a ReLU unit over [0, 3] in 3 bins: 70 exact zeros. */
const RELU: IUnitHistogram = {
  count: 100,
  min: 0,
  max: 3,
  counts: [80, 15, 5],
  mean: 0.4,
  zeros: 70,
  threshold: 2.5
};

describe('unit histogram', () => {
  it('places the bins to scale and the zeros apart, cut', () => {
    const plot = histogramPlot(RELU, 4, 380, 150);
    const [left, top, right, bottom] = plot.area;
    const values = plot.bars.filter(b => b.kind === 'values');
    // Bin 0 keeps its 10 non-zero examples; 15 is the tallest of the rest.
    expect(
      values.map(b => Math.round((b.height / (bottom - top)) * 300))
    ).toEqual([200, 300, 100]);
    expect(values[0].x).toBeCloseTo(left + 0.5);
    const zeros = plot.bars.find(b => b.kind === 'zeros');
    expect(zeros).toMatchObject({ cut: true, height: bottom - top });
    expect(plot.threshold?.x).toBeCloseTo(left + (2.5 / 3) * (right - left));
    expect(plot.threshold?.label.text).toBe('top 4 ≥ 2.50');
    expect(plot.labels.map(l => l.text)).toEqual(
      expect.arrayContaining(['15', '0', '0.00', '3.00', '70 = 0 (cut)'])
    );
    expect(histogramCaption(RELU)).toBe(
      'Mean 0.400, range 0.00 to 3.00; 70% exactly 0 (the unit is off for them).'
    );
  });

  it('draws an SVG with a bar per non-empty bin and a table of every count', () => {
    const node = histogramSection(RELU, 'channel 5 of conv2d_1', 4);
    expect(
      node.querySelector('.jp-FeatureViz-example-title')?.textContent
    ).toBe('Histogram of channel 5 of conv2d_1 over 100 examples');
    const svg = node.querySelector('svg');
    expect(svg?.getAttribute('width')).toBe(String(HISTOGRAM_SIZE.width));
    expect(svg?.getAttribute('aria-label')).toContain('70% exactly 0');
    expect(
      node.querySelectorAll('rect.jp-FeatureViz-histogram-values')
    ).toHaveLength(3);
    expect(
      node.querySelectorAll('rect.jp-FeatureViz-histogram-zeros')
    ).toHaveLength(1);
    expect(
      node.querySelector('.jp-FeatureViz-histogram-threshold')
    ).not.toBeNull();
    const counts = [
      ...node.querySelectorAll('.jp-FeatureViz-histogram-count')
    ].map(c => Number(c.textContent));
    expect(counts).toEqual([80, 15, 5]);
    expect(node.dataset.count).toBe('100');
  });

  it('is shown under the grids and drawn under the sheet written back', () => {
    const host = document.createElement('div');
    const view = mountTopExamples(host, {
      filename: 'top',
      unit: 'logit 8',
      patches: false,
      scale: 2
    });
    view.setRun(
      reduce(reduce(INITIAL, { type: 'submit' }), {
        type: 'running',
        backend: 'wasm'
      })
    );
    const plain = topExamplesResult({ k: 2 });
    view.showResult?.(plain, topExamplesSummary(plain));
    expect(host.querySelector('.jp-FeatureViz-histogram')).toBeNull();
    const without = view.figure();
    const result = { ...plain, histogram: RELU };
    view.showResult?.(result, topExamplesSummary(result));
    expect(host.querySelector('.jp-FeatureViz-histogram')).not.toBeNull();
    const figure = view.figure();
    if (
      !figure ||
      !('canvas' in figure) ||
      !without ||
      !('canvas' in without)
    ) {
      throw new Error('no drawn figure');
    }
    // As wide as the plot and its margins, taller by the plot and its words.
    expect(figure.width).toBe(HISTOGRAM_SIZE.width + 12);
    expect(figure.height).toBeGreaterThan(
      without.height + HISTOGRAM_SIZE.height
    );
  });
});
