/**
 * Parts of the top-examples view (top-examples.ts) that hold no state: a
 * ranking's list and section, and the values of a saved view's examples.
 */
import type { IJobSummary } from '../engine/runtime/protocol';
import { h } from './dom';
import { captions, describeCaption } from './examples-grid';

/** The grid of one ranking's `count` cells, at most 8 a row. */
export function rankedList(title: string, count: number): HTMLElement {
  const list = h('div', {
    className: 'jp-FeatureViz-atlas jp-FeatureViz-example-grid',
    attrs: { role: 'list', 'aria-label': title }
  });
  list.style.gridTemplateColumns = `repeat(${Math.min(8, Math.max(1, count))}, auto)`;
  return list;
}

/** A ranking's list under its title. */
export function exampleSection(title: string, list: HTMLElement): HTMLElement {
  return h('section', {
    className: 'jp-FeatureViz-example-section',
    children: [
      h('div', { className: 'jp-FeatureViz-example-title', text: title }),
      list
    ]
  });
}

/** The saved examples' values as text under the stored image, when known. */
export function savedValues(summary?: IJobSummary): HTMLElement | null {
  return summary?.kind === 'top-examples'
    ? h('details', {
        className: 'jp-FeatureViz-example-values',
        children: [
          h('summary', { text: 'Values of the saved examples' }),
          ...[
            ['Top', summary.top] as const,
            ...(summary.bottom ? [['Bottom', summary.bottom] as const] : [])
          ].map(([end, ranked]) =>
            h('ol', {
              attrs: { 'aria-label': end },
              children: captions(ranked, summary.labelNames).map(c =>
                h('li', { text: describeCaption(c) })
              )
            })
          )
        ]
      })
    : null;
}
