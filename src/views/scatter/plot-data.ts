/**
 * What the scatter view plots, from a PCA result (docs/architecture.md,
 * "PCA"): the first two components scaled into regl-scatterplot's
 * normalized device coordinates [−1, 1] (a margin kept), each point's class
 * index into the legend, the axis titles with their explained variance, and
 * which points a legend or a selection leaves active. Pure: tested in jsdom.
 */
import type { IPcaResult } from '../../engine/runtime/protocol';
import { classesOf, className } from './palette';
import { colouredByValue } from './value-colours';

export interface IPlotData {
  readonly count: number;
  /** Positions in [−0.95, 0.95]. */
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Each point's index into `classes`. */
  readonly category: Float32Array;
  /** The labels present, sorted (−1: unlabelled). */
  readonly classes: readonly number[];
  readonly classNames: readonly string[];
  /** "PC1 (8.3 % of variance)". */
  readonly xTitle: string;
  readonly yTitle: string;
  /** The data range of each axis: [xmin, xmax, ymin, ymax]. */
  readonly extent: readonly [number, number, number, number];
  /** One colour per class where they are not the labels' (value-colours.ts). */
  readonly colours?: readonly string[];
  /** What the colours mean, where they are not labels. */
  readonly colourTitle?: string;
}

const MARGIN = 0.95;

/** "8.3 %", "0.42 %". */
export function percent(ratio: number): string {
  const p = ratio * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toPrecision(2)} %`;
}

export function plotData(result: IPcaResult): IPlotData {
  const { count, components, coordinates, labels } = result;
  const range = (c: number): [number, number] => {
    let [low, high] = [Infinity, -Infinity];
    for (let i = 0; i < count; i++) {
      const v = coordinates[i * components + c];
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    return count ? [low, high] : [0, 0];
  };
  const [xl, xh] = range(0);
  const [yl, yh] = range(1);
  const scale = (v: number, low: number, high: number) =>
    high > low ? ((2 * (v - low)) / (high - low) - 1) * MARGIN : 0;
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    x[i] = scale(coordinates[i * components], xl, xh);
    y[i] = scale(coordinates[i * components + 1], yl, yh);
  }
  const classes = classesOf(labels);
  const position = new Map(classes.map((label, i) => [label, i]));
  const category = Float32Array.from(
    labels,
    label => position.get(label < 0 ? -1 : label) ?? 0
  );
  const title = (c: number) =>
    `PC${c + 1} (${percent(result.explainedVarianceRatio[c])} of variance)`;
  const byLabel: IPlotData = {
    count,
    x,
    y,
    category,
    classes,
    classNames: classes.map(label => className(label, result.labelNames)),
    xTitle: title(0),
    yTitle: title(1),
    extent: [xl, xh, yl, yh]
  };
  // Coloured by a unit's value where the spec asked (colorBy, issue 16).
  return result.unitValues
    ? colouredByValue(byLabel, result.unitValues, result.colorBy ?? 'the unit')
    : byLabel;
}

/**
 * Each axis's data values at the plot's edges (GL −1 and 1): the points'
 * range widened by the margin they are drawn inside.
 */
export function edgeDomains(
  data: IPlotData
): readonly [readonly [number, number], readonly [number, number]] {
  const edges = (low: number, high: number): [number, number] => {
    const mid = (low + high) / 2;
    const half = high > low ? (high - low) / 2 / MARGIN : 1;
    return [mid - half, mid + half];
  };
  const [xl, xh, yl, yh] = data.extent;
  return [edges(xl, xh), edges(yl, yh)];
}

/**
 * The points a legend leaves shown (classes not hidden), as indices; null
 * when every class is shown.
 */
export function shownPoints(
  data: IPlotData,
  hidden: ReadonlySet<number>
): number[] | null {
  if (hidden.size === 0) {
    return null;
  }
  const shown: number[] = [];
  for (let i = 0; i < data.count; i++) {
    if (!hidden.has(data.category[i])) {
      shown.push(i);
    }
  }
  return shown;
}

/** Plot indices of a selection as dataset indices (sorted). */
export function datasetIndices(
  result: IPcaResult,
  points: readonly number[]
): Int32Array {
  return Int32Array.from(points, p => result.first + p).sort();
}
