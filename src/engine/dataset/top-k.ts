/**
 * The running top k (or bottom k) of a stream of values, in plain
 * TypeScript (docs/architecture.md, "Datasets and top examples"): the
 * activation pass reads back one value per example and merges each batch
 * here, so nothing grows with the dataset. Order: by value, ties broken by
 * the smaller index; deterministic whatever the batch size.
 */

export type Ranking = 'top' | 'bottom';

export interface IRanked {
  /** Dataset indices, best first. */
  readonly indices: Int32Array;
  readonly values: Float32Array;
  /** Where in the layer each was strongest (flat position), or −1. */
  readonly positions: Int32Array;
}

export class RunningTopK {
  private _indices: number[] = [];
  private _values: number[] = [];
  private _positions: number[] = [];

  constructor(
    private readonly _k: number,
    private readonly _ranking: Ranking
  ) {}

  /** Whether `a` (value, index) ranks before `b`. */
  private _before(va: number, ia: number, vb: number, ib: number): boolean {
    if (va !== vb) {
      return this._ranking === 'top' ? va > vb : va < vb;
    }
    return ia < ib;
  }

  /**
   * Merges one batch: `values[i]` belongs to example `first + i` (indices
   * grow through the stream), strongest at `positions[i]`.
   */
  push(values: ArrayLike<number>, positions: ArrayLike<number>, first: number) {
    const count = this._indices.length;
    const full = count === this._k;
    const worstValue = this._values[count - 1];
    const worstIndex = this._indices[count - 1];
    const candidates: number[] = [];
    for (let i = 0; i < values.length; i++) {
      // A full list keeps only what beats its last entry.
      if (!full || this._before(values[i], first + i, worstValue, worstIndex)) {
        candidates.push(i);
      }
    }
    if (candidates.length === 0) {
      return;
    }
    const merged = [
      ...this._indices.map((index, j) => ({
        index,
        value: this._values[j],
        position: this._positions[j]
      })),
      ...candidates.map(i => ({
        index: first + i,
        value: values[i],
        position: positions[i]
      }))
    ];
    merged.sort((a, b) =>
      this._before(a.value, a.index, b.value, b.index) ? -1 : 1
    );
    merged.length = Math.min(merged.length, this._k);
    this._indices = merged.map(m => m.index);
    this._values = merged.map(m => m.value);
    this._positions = merged.map(m => m.position);
  }

  result(): IRanked {
    return {
      indices: Int32Array.from(this._indices),
      values: Float32Array.from(this._values),
      positions: Int32Array.from(this._positions)
    };
  }
}

/**
 * The exact top (bottom) k of the union of partial rankings, each the top k
 * of its own disjoint slice of the examples: every example of the overall k
 * is in its slice's k, so the merge equals one pass over the whole, with
 * the same order and tie rule (docs/architecture.md, "Memory and speed").
 */
export function mergeRanked(
  parts: readonly IRanked[],
  k: number,
  ranking: Ranking
): IRanked {
  const merged = new RunningTopK(k, ranking);
  // Pushed one example at a time: indices of different parts interleave.
  for (const part of parts) {
    for (let i = 0; i < part.indices.length; i++) {
      merged.push(
        part.values.subarray(i, i + 1),
        part.positions.subarray(i, i + 1),
        part.indices[i]
      );
    }
  }
  return merged.result();
}
