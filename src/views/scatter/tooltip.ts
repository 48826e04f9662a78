/**
 * The PCA scatter's hover tooltip (docs/architecture.md, "PCA"): the
 * example's thumbnail, its label, its index in the dataset and, where the
 * points are coloured by a unit, the unit's value for it. A thumbnail the
 * result does not carry is asked of the engine and added when it comes, if
 * the tooltip still shows that example.
 */
import type { IPcaResult } from '../../engine/runtime/protocol';
import { h } from '../dom';
import { PLOT_SIDE } from './scatter-figure';
import type { Thumbnails } from './thumbnails';

/** How much larger than the data a thumbnail is drawn. */
const THUMBNAIL_SCALE = 3;

export function showPointTooltip(
  tooltip: HTMLElement,
  point: number,
  result: IPcaResult,
  thumbnails: Thumbnails,
  at: readonly [number, number] | undefined,
  current: () => boolean
): void {
  const label = result.labels[point];
  const name =
    label >= 0 ? (result.labelNames?.[label] ?? String(label)) : 'no label';
  const index = String(result.first + point);
  const value = result.unitValues?.[point];
  const image = thumbnails.get(point, THUMBNAIL_SCALE);
  tooltip.replaceChildren(
    ...(image ? [image] : []),
    h('div', { text: `label ${name}` }),
    h('div', { text: `example #${index}` }),
    ...(value === undefined
      ? []
      : [
          h('div', {
            text: `${result.colorBy ?? 'unit'}: ${value.toPrecision(3)}`
          })
        ])
  );
  tooltip.dataset.index = index;
  if (!image) {
    // Not carried by the result: the engine's dataset has it.
    void thumbnails.load([point]).then(ok => {
      if (ok && current() && tooltip.dataset.index === index) {
        const loaded = thumbnails.get(point, THUMBNAIL_SCALE);
        if (loaded) {
          tooltip.prepend(loaded);
        }
      }
    });
  }
  if (at) {
    const [x, y] = at;
    tooltip.style.left = `${Math.min(x + 12, PLOT_SIDE - 60)}px`;
    tooltip.style.top = `${Math.max(y - 40, 0)}px`;
  }
  tooltip.hidden = false;
}
