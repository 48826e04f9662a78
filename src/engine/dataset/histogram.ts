/**
 * The histogram of a unit's value over a whole dataset (docs/architecture.md,
 * "Datasets and top examples"): the activation pass already reads back one
 * value per example to rank them; with `histogram` it also keeps them (4
 * bytes an example) and this module bins them once the pass is done. Plain
 * TypeScript over a Float32Array: no tensors, nothing for the views to
 * compute. The result is plain JSON, so it goes into the notebook's summary.
 */

/** Bins of every histogram: fine enough to show a shape, few enough to read. */
export const HISTOGRAM_BINS = 30;

export interface IValueHistogram {
  /** Examples counted (the sum of `counts`). */
  readonly count: number;
  /** The smallest and largest value: the first bin's low and last bin's high edge. */
  readonly min: number;
  readonly max: number;
  /**
   * Examples per bin; bin i holds [min + i·w, min + (i+1)·w) with
   * w = (max − min) / bins, the last bin closed at max. One bin when every
   * value is equal.
   */
  readonly counts: readonly number[];
  readonly mean: number;
  /** Examples whose value is exactly 0 (after a ReLU, usually most). */
  readonly zeros: number;
}

/** Bins `values` (finite; the pass rejects any other) into `bins` bins. */
export function histogramOf(
  values: ArrayLike<number>,
  bins = HISTOGRAM_BINS
): IValueHistogram {
  const count = values.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    zeros += v === 0 ? 1 : 0;
  }
  if (count === 0) {
    return { count, min: 0, max: 0, counts: [], mean: 0, zeros };
  }
  const width = (max - min) / bins;
  const counts = new Array<number>(width > 0 ? bins : 1).fill(0);
  for (let i = 0; i < count; i++) {
    const bin = width > 0 ? Math.floor((values[i] - min) / width) : 0;
    counts[Math.min(counts.length - 1, bin)]++;
  }
  return { count, min, max, counts, mean: sum / count, zeros };
}

/** The scores of consecutive slices of examples, in order, as one array. */
export function joinScores(parts: readonly Float32Array[]): Float32Array {
  const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
