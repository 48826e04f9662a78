/**
 * The selected examples as a grid under the scatter (docs/architecture.md,
 * "PCA"): at most SELECTION_SHOWN thumbnails, each with its label and
 * dataset index, and "and 312 more" for the rest.
 */
import type { IPcaResult } from '../../engine/runtime/protocol';
import { h } from '../dom';
import { className } from './palette';
import type { Thumbnails } from './thumbnails';

export const SELECTION_SHOWN = 64;

export function selectionGrid(
  result: IPcaResult,
  points: readonly number[],
  thumbnails: Thumbnails
): HTMLElement {
  const shown = points.slice(0, SELECTION_SHOWN);
  const cells = shown.map(point => {
    const label = result.labels[point];
    const caption = `${label >= 0 ? className(label, result.labelNames) : '–'} · #${result.first + point}`;
    return h('figure', {
      className: 'jp-FeatureViz-pca-cell',
      attrs: { 'data-index': String(result.first + point) },
      children: [thumbnails.get(point, 2), h('figcaption', { text: caption })]
    });
  });
  const rest = points.length - shown.length;
  return h('div', {
    className: 'jp-FeatureViz-pca-selection',
    children: [
      h('div', {
        className: 'jp-FeatureViz-pca-selection-title',
        text: `${points.length.toLocaleString('en-US')} selected example${points.length === 1 ? '' : 's'}${thumbnails.available ? '' : ' (no thumbnails: too many examples to carry their pixels)'}`
      }),
      h('div', { className: 'jp-FeatureViz-pca-grid', children: cells }),
      rest > 0 &&
        h('div', {
          className: 'jp-FeatureViz-pca-more',
          text: `and ${rest.toLocaleString('en-US')} more`
        })
    ]
  });
}

/**
 * Shows `points`' grid in `host` once their pixels are loaded, unless
 * `current()` says a newer selection or result took over meanwhile.
 */
export function showSelectionGrid(
  host: HTMLElement,
  result: IPcaResult,
  points: readonly number[],
  thumbnails: Thumbnails,
  current: () => boolean
): void {
  if (points.length === 0) {
    host.replaceChildren();
    return;
  }
  void thumbnails.load(points.slice(0, SELECTION_SHOWN)).then(() => {
    if (current()) {
      host.replaceChildren(selectionGrid(result, points, thumbnails));
    }
  });
}
