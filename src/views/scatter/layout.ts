/**
 * The scatter view's elements (docs/architecture.md, "PCA"): the saved
 * image's host, the no-WebGL notice, the plot (its canvas for the shared
 * renderer, axis titles and end values, the hover tooltip), the still picture, the legend,
 * the tools (Lasso, Clear selection, Reset view), the sentence and the
 * selection's host. The view fills them; this module only builds them.
 */
import { button, h } from '../dom';

export interface IScatterTools {
  readonly onLasso: () => void;
  readonly onClear: () => void;
  readonly onReset: () => void;
}

export function scatterLayout(tools: IScatterTools, signal: AbortSignal) {
  const storedHost = h('div', { className: 'jp-FeatureViz-stage' });
  const notice = h('p', { className: 'jp-FeatureViz-pca-notice' });
  const canvas = h('canvas', {
    className: 'jp-FeatureViz-pca-canvas',
    attrs: { role: 'img' }
  });
  const still = h('canvas', { className: 'jp-FeatureViz-figure' });
  const xTitle = h('div', { className: 'jp-FeatureViz-pca-xtitle' });
  const yTitle = h('div', { className: 'jp-FeatureViz-pca-ytitle' });
  const tooltip = h('div', {
    className: 'jp-FeatureViz-pca-tooltip',
    attrs: { role: 'tooltip' }
  });
  // The data values at the plot's edges (they follow zoom and pan).
  const ends = (['x-low', 'x-high', 'y-low', 'y-high'] as const).map(edge =>
    h('div', {
      className: 'jp-FeatureViz-pca-end',
      attrs: { 'data-edge': edge }
    })
  );
  const plot = h('div', {
    className: 'jp-FeatureViz-pca-plot',
    children: [yTitle, canvas, xTitle, ...ends, tooltip]
  });
  const legend = h('div', {
    className: 'jp-FeatureViz-pca-legend',
    attrs: { role: 'group', 'aria-label': 'Classes (click to hide or show)' }
  });
  const lasso = button(
    'Lasso: drag to select points',
    'Lasso',
    tools.onLasso,
    signal
  );
  const toolbar = h('div', {
    className: 'jp-FeatureViz-pca-tools',
    children: [
      lasso,
      button('Clear the selection', 'Clear selection', tools.onClear, signal),
      button('Zoom back to all points', 'Reset view', tools.onReset, signal)
    ]
  });
  const stage = h('div', {
    className: 'jp-FeatureViz-pca-stage',
    children: [plot, still, legend]
  });
  const sentence = h('p', { className: 'jp-FeatureViz-sentence' });
  const selection = h('div');
  const node = h('div', {
    className: 'jp-FeatureViz-pca',
    children: [storedHost, notice, stage, toolbar, sentence, selection]
  });
  return {
    node,
    storedHost,
    notice,
    canvas,
    still,
    xTitle,
    yTitle,
    ends,
    tooltip,
    plot,
    legend,
    lasso,
    toolbar,
    stage,
    sentence,
    selection
  };
}
