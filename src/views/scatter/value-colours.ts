/**
 * A PCA scatter coloured by one unit's value instead of by label
 * (docs/architecture.md, "The explorer"): the engine sent each example's
 * value of the unit (`IPcaResult.unitValues`); here they are cut into equal
 * bands from the smallest to the largest, each band a colour of the
 * sequential (viridis) scale, the highest first. The bands take the place of
 * the classes, so the legend becomes a colour bar whose bands toggle like
 * classes, and the plot, the still picture and the PNG need no other change.
 * Which band a value falls in is drawing, as in colormap.ts.
 */
import { colorOf } from '../colormap';
import { formatValue } from '../figure';
import type { IPlotData } from './plot-data';

/** Bands of the colour bar. */
export const VALUE_BANDS = 8;

const hex = (rgb: readonly number[]) =>
  `#${rgb.map(c => c.toString(16).padStart(2, '0')).join('')}`;

/** `data` with its points coloured by `values` (one per point, in order). */
export function colouredByValue(
  data: IPlotData,
  values: ArrayLike<number>,
  unit: string
): IPlotData {
  let [low, high] = [Infinity, -Infinity];
  for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i]);
    high = Math.max(high, values[i]);
  }
  if (values.length === 0) {
    [low, high] = [0, 0];
  }
  const bands = high > low ? VALUE_BANDS : 1;
  const width = (high - low) / bands;
  // Category 0 is the highest band: the legend lists it first, on top.
  const category = Float32Array.from({ length: data.count }, (_, i) => {
    const band = width > 0 ? Math.floor((values[i] - low) / width) : 0;
    return bands - 1 - Math.min(bands - 1, band);
  });
  const levels = Array.from({ length: bands }, (_, c) => bands - 1 - c);
  return {
    ...data,
    category,
    classes: levels,
    classNames: levels.map(
      band =>
        `${formatValue(low + band * width)} to ${formatValue(
          band === bands - 1 ? high : low + (band + 1) * width
        )}`
    ),
    colours: levels.map(band =>
      hex(
        colorOf(bands > 1 ? band / (bands - 1) : 1, 'sequential', {
          min: 0,
          max: 1
        })
      )
    ),
    colourTitle: `Colour: ${unit}`
  };
}

/** `text` in lines no wider than `width` (the figure's legend column). */
export function wrapWords(
  context: { measureText(text: string): { width: number } },
  text: string,
  width: number
): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    const joined = last >= 0 ? `${lines[last]} ${word}` : word;
    if (last >= 0 && context.measureText(joined).width <= width) {
      lines[last] = joined;
    } else {
      lines.push(word);
    }
  }
  return lines;
}
