/**
 * The geometry and words of a unit's histogram (docs/architecture.md, "The
 * explorer"): where each bar, tick and the top-k threshold go in a box of a
 * given size, and the sentences under it. The engine computed the bins
 * (engine/dataset/histogram.ts); this only places them, so that the live SVG
 * (histogram.ts) and the PNG sheet (examples-image.ts) draw the same plot.
 *
 * Exact zeros (a ReLU's floor, often most examples) get a bar of their own
 * in a muted colour, cut at the height of the tallest other bar with their
 * count written on it: drawn to scale they would flatten everything else.
 */
import type { IUnitHistogram } from '../engine/dataset/top-examples';
import { formatValue } from './figure';

export interface IPlotRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** 'values': a bin; 'zeros': the examples exactly 0. */
  readonly kind: 'values' | 'zeros';
  /** Whether the bar was cut at the top (drawn shorter than to scale). */
  readonly cut: boolean;
  /** What it counts, in words (for its tooltip). */
  readonly words: string;
}

export interface IPlotLabel {
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly align: 'start' | 'middle' | 'end';
}

export interface IHistogramPlot {
  readonly width: number;
  readonly height: number;
  /** The plot area: [left, top, right, bottom]. */
  readonly area: readonly [number, number, number, number];
  readonly bars: readonly IPlotRect[];
  readonly labels: readonly IPlotLabel[];
  /** The dashed line where the top k begins, and its label; or null. */
  readonly threshold: { readonly x: number; readonly label: IPlotLabel } | null;
}

/** The plot's size in pixels, live (CSS) and on the PNG sheet. */
export const HISTOGRAM_SIZE = { width: 380, height: 150 } as const;

const MARGIN = { left: 44, right: 12, top: 20, bottom: 22 };

/** Lays out `histogram` in a box of `width` × `height` pixels. */
export function histogramPlot(
  histogram: IUnitHistogram,
  k: number,
  width: number,
  height: number
): IHistogramPlot {
  const [left, top] = [MARGIN.left, MARGIN.top];
  const [right, bottom] = [width - MARGIN.right, height - MARGIN.bottom];
  const { min, max, counts, zeros } = histogram;
  const span = max - min;
  const x = (value: number) =>
    span > 0 ? left + ((value - min) / span) * (right - left) : left;
  const binWidth = (right - left) / Math.max(1, counts.length);
  // The bin 0 falls in holds the exact zeros: they are drawn apart.
  const zeroBin =
    zeros > 0
      ? span > 0
        ? Math.min(counts.length - 1, Math.floor((-min / span) * counts.length))
        : 0
      : -1;
  const others = counts.map((n, i) => (i === zeroBin ? n - zeros : n));
  const tallest = Math.max(1, ...others);
  const y = (count: number) =>
    bottom - (Math.min(count, tallest) / tallest) * (bottom - top);
  const bars: IPlotRect[] = [];
  others.forEach((n, i) => {
    if (n > 0) {
      const low = min + (span * i) / counts.length;
      const high = min + (span * (i + 1)) / counts.length;
      bars.push({
        x: left + i * binWidth + 0.5,
        y: y(n),
        width: Math.max(1, binWidth - 1),
        height: bottom - y(n),
        kind: 'values',
        cut: false,
        words: `${n} example${n === 1 ? '' : 's'} from ${formatValue(low)} to ${formatValue(high)}`
      });
    }
  });
  const labels: IPlotLabel[] = [
    { x: left - 4, y: top, text: String(tallest), align: 'end' },
    { x: left - 4, y: bottom, text: '0', align: 'end' },
    { x: left, y: height - 4, text: formatValue(min), align: 'start' },
    { x: right, y: height - 4, text: formatValue(max), align: 'end' }
  ];
  if (zeros > 0) {
    const at = Math.min(right - binWidth, Math.max(left, x(0) - binWidth / 2));
    const cut = zeros > tallest;
    bars.push({
      x: at + 0.5,
      y: y(zeros),
      width: Math.max(1, binWidth - 1),
      height: bottom - y(zeros),
      kind: 'zeros',
      cut,
      words: `${zeros} example${zeros === 1 ? '' : 's'} exactly 0`
    });
    labels.push({
      x: at + binWidth / 2,
      y: y(zeros) - 4,
      text: `${zeros} = 0${cut ? ' (cut)' : ''}`,
      align: at - left < 40 ? 'start' : 'middle'
    });
    // 0 on the axis where it is inside the range and clear of its ends.
    if (min < 0 && max > 0 && x(0) - left > 30 && right - x(0) > 30) {
      labels.push({ x: x(0), y: height - 4, text: '0', align: 'middle' });
    }
  }
  const threshold =
    histogram.threshold === null || span <= 0
      ? null
      : {
          x: x(histogram.threshold),
          label: {
            x: x(histogram.threshold),
            y: top - 6,
            text: `top ${k} ≥ ${formatValue(histogram.threshold)}`,
            align: (x(histogram.threshold) > (left + right) / 2
              ? 'end'
              : 'start') as IPlotLabel['align']
          }
        };
  return {
    width,
    height,
    area: [left, top, right, bottom],
    bars,
    labels,
    threshold
  };
}

/** The plot's heading: what it counts and over how many examples. */
export function histogramTitle(
  unit: string,
  histogram: IUnitHistogram
): string {
  return `Histogram of ${unit} over ${histogram.count.toLocaleString('en-US')} examples`;
}

/** The sentence under it: mean, and how many are exactly zero. */
export function histogramCaption(histogram: IUnitHistogram): string {
  const { count, mean, zeros, min } = histogram;
  const share = count > 0 ? (100 * zeros) / count : 0;
  const zeroWords =
    zeros === 0
      ? 'none exactly 0'
      : `${share.toFixed(share >= 10 ? 0 : 1)}% exactly 0${
          min === 0 ? ' (the unit is off for them)' : ''
        }`;
  return `Mean ${formatValue(mean)}, range ${formatValue(min)} to ${formatValue(
    histogram.max
  )}; ${zeroWords}.`;
}
