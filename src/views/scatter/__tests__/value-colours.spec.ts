/**
 * A PCA coloured by a unit's value (issue 16): bands cut by hand-computed
 * edges, the highest band first with viridis's bright end, the legend's
 * names and title, the plot's and the figure's colours, and the sentence.
 */
import type { IPcaResult } from '../../../engine/runtime/protocol';
import { installCanvas } from '../../testing/fixtures';
import { legendButtons } from '../legend';
import { pointColours } from '../plot';
import { plotData } from '../plot-data';
import { drawScatterFigure } from '../scatter-figure';
import { VALUE_BANDS, colouredByValue, wrapWords } from '../value-colours';
import { pcaSentence } from '../words';

installCanvas();

const COUNT = 9;
// Values 0, 1, ..., 8: with 8 bands over [0, 8] each is 1 wide.
const result: IPcaResult = {
  kind: 'pca',
  layer: 'conv2d_1',
  count: COUNT,
  components: 2,
  coordinates: Float32Array.from({ length: COUNT * 2 }, (_, j) => j),
  labels: new Int32Array(COUNT),
  labelNames: null,
  explainedVariance: Float32Array.from([2, 1]),
  explainedVarianceRatio: Float32Array.from([0.5, 0.25]),
  first: 0,
  imageShape: [1, 1, 1],
  images: new Uint8Array(COUNT),
  selection: new Int32Array(0),
  unitValues: Float32Array.from({ length: COUNT }, (_, i) => i),
  colorBy: 'channel 5 of conv2d_1 (max over positions)'
};

describe('PCA coloured by a unit', () => {
  it('cuts the values into equal bands, the highest first', () => {
    const data = plotData(result);
    expect(VALUE_BANDS).toBe(8);
    // Value v is in band floor(v) (8 in the last, closed): category 7 − band.
    expect(Array.from(data.category)).toEqual([7, 6, 5, 4, 3, 2, 1, 0, 0]);
    expect(data.classNames[0]).toBe('7.00 to 8.00');
    expect(data.classNames[7]).toBe('0.00 to 1.00');
    // Viridis: bright yellow on top, dark purple at the bottom.
    expect(data.colours?.[0]).toBe('#fde725');
    expect(data.colours?.[7]).toBe('#440154');
    expect(pointColours(data).slice(0, 8)).toEqual(data.colours);
    expect(data.colourTitle).toBe(
      'Colour: channel 5 of conv2d_1 (max over positions)'
    );
  });

  it('titles the live legend with the unit; its bands toggle like classes', () => {
    const data = plotData(result);
    const [title, ...bands] = legendButtons(
      data,
      new Set([0]),
      () => undefined,
      new AbortController().signal
    );
    expect(title.textContent).toBe(
      'Colour: channel 5 of conv2d_1 (max over positions)'
    );
    expect(bands).toHaveLength(VALUE_BANDS);
    expect(bands[0].getAttribute('aria-pressed')).toBe('false');
    expect(bands[0].textContent).toBe(data.classNames[0]);
  });

  it('puts every point in one band when the unit is constant', () => {
    const flat = colouredByValue(
      plotData({ ...result, unitValues: undefined }),
      new Float32Array(COUNT),
      'x'
    );
    expect(flat.classes).toHaveLength(1);
    expect(Array.from(flat.category)).toEqual(new Array(COUNT).fill(0));
  });

  it('keeps labels where no unit was asked for', () => {
    const data = plotData({
      ...result,
      unitValues: undefined,
      colorBy: undefined
    });
    expect(data.colours).toBeUndefined();
    expect(data.classNames).toEqual(['0']);
  });

  it('draws the figure and says what the colours mean', () => {
    const canvas = document.createElement('canvas');
    const size = drawScatterFigure(
      canvas,
      plotData(result),
      { hidden: new Set(), selected: new Set() },
      {
        background: '#fff',
        text: '#000',
        muted: '#555',
        font: 'sans-serif'
      }
    );
    expect(size.width).toBeGreaterThan(0);
    const words = { measureText: (t: string) => ({ width: t.length * 6 }) };
    expect(wrapWords(words, 'Colour: channel 5 of conv2d_1', 72)).toEqual([
      'Colour:',
      'channel 5 of',
      'conv2d_1'
    ]);
    expect(
      pcaSentence({
        count: 9,
        skipped: 0,
        layer: 'conv2d_1',
        width: 100,
        components: 2,
        solver: 'exact',
        passes: 2,
        explainedVariance: [2, 1],
        explainedVarianceRatio: [0.5, 0.25],
        labelNames: null,
        batchSize: 9,
        selection: [],
        colorBy: 'logit 8'
      })
    ).toContain('Coloured by the value of logit 8, brightest highest.');
  });
});
