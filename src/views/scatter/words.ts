/**
 * The scatter view's sentences (docs/architecture.md, "PCA"): what a run
 * (or a saved one) shows, from its summary, and how to use the plot.
 */
import type { IPcaSummary } from '../../engine/runtime/protocol';
import { percent } from './plot-data';

export function pcaSentence(summary: IPcaSummary): string {
  const [first, second] = summary.explainedVarianceRatio;
  const examples = `${summary.count.toLocaleString('en-US')} example${summary.count === 1 ? '' : 's'}`;
  const selected = summary.selection.length
    ? ` ${summary.selection.length.toLocaleString('en-US')} selected.`
    : '';
  const coloured = summary.colorBy
    ? ` Coloured by the value of ${summary.colorBy}, brightest highest.`
    : '';
  return `${examples} at ${summary.layer} (${summary.width.toLocaleString('en-US')} values each) on their first two principal components: ${percent(first + second)} of the variance together (${summary.solver} solver, ${summary.passes} passes).${coloured}${selected}`;
}

export const HOW_TO =
  'Scroll to zoom, drag to pan; hover a point to see its example; lasso with Shift + drag (or the Lasso tool) to select; click a class in the legend to hide it.';

export const NO_WEBGL =
  'WebGL is not available in this browser, so the interactive plot (zoom, hover, lasso) cannot be shown: this is a still picture of it.';
