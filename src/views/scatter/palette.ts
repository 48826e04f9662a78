/**
 * Class colours of the scatter plot and its written-back figure
 * (docs/architecture.md, "PCA"): Tableau's ten categorical colours (the
 * default of matplotlib and d3), which stay apart on light and dark
 * backgrounds; more classes cycle them. Unlabelled points and points outside
 * a selection are grey.
 */
export const CLASS_COLOURS: readonly string[] = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf'
];

/** The colour of unlabelled points. */
export const UNLABELLED = '#6c8ebf';
/** Points outside a selection, and hidden classes' legend entries. */
export const INACTIVE = '#9e9e9e';

/** The colour of class `label` (−1: no label). */
export function classColour(label: number): string {
  return label < 0 ? UNLABELLED : CLASS_COLOURS[label % CLASS_COLOURS.length];
}

/** The classes present in `labels`, sorted; [-1] when there are none. */
export function classesOf(labels: Int32Array): number[] {
  const seen = new Set<number>();
  for (const label of labels) {
    seen.add(label < 0 ? -1 : label);
  }
  return [...seen].sort((a, b) => a - b);
}

/** A class's name in the legend. */
export function className(
  label: number,
  names: readonly string[] | null
): string {
  if (label < 0) {
    return 'no label';
  }
  return names?.[label] ?? String(label);
}
