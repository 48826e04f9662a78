/**
 * The running top and bottom k against a full sort of the whole stream
 * (value, then index), on values with many ties, fed in batches of every
 * size: the result never depends on how the stream was cut.
 */
import { RunningTopK } from '../top-k';

function stream(n: number, seed: number): number[] {
  let s = seed;
  // Few distinct values: ties everywhere.
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s % 7) - 3;
  });
}

describe('RunningTopK', () => {
  it.each([
    [1, 'top'],
    [5, 'top'],
    [5, 'bottom'],
    [40, 'bottom'],
    [300, 'top']
  ] as const)('keeps the %d %s of a stream cut any way', (k, ranking) => {
    const values = stream(257, k);
    const sorted = values
      .map((value, index) => ({ value, index }))
      .sort((a, b) =>
        a.value !== b.value
          ? ranking === 'top'
            ? b.value - a.value
            : a.value - b.value
          : a.index - b.index
      )
      .slice(0, k);
    for (const batch of [1, 3, 64, 257]) {
      const top = new RunningTopK(k, ranking);
      for (let first = 0; first < values.length; first += batch) {
        const part = values.slice(first, first + batch);
        top.push(
          part,
          part.map((_, i) => (first + i) * 10),
          first
        );
      }
      const result = top.result();
      expect(Array.from(result.indices)).toEqual(sorted.map(s => s.index));
      expect(Array.from(result.values)).toEqual(sorted.map(s => s.value));
      expect(Array.from(result.positions)).toEqual(
        sorted.map(s => s.index * 10)
      );
    }
  });
});
