/**
 * The player's row of images: one cell per image shown, each a canvas of
 * its own with its caption and value under it, painted from a frame.
 */
import type { IFrame } from '../engine/runtime/protocol';
import { h } from './dom';
import { formatValue } from './figure';
import { paintImage } from './frames';

/** One image of the row: its canvas, and its caption and value under it. */
export interface ICell {
  readonly node: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly label: HTMLElement;
  readonly value: HTMLElement;
}

/** `count` cells; captioned ones show `labels` and each image's value. */
export function createCells(
  count: number,
  captions: boolean,
  labels: readonly string[] | undefined
): ICell[] {
  return Array.from({ length: count }, (_, i) => {
    const canvas = h('canvas', { className: 'jp-FeatureViz-canvas' });
    const label = h('span', {
      className: 'jp-FeatureViz-label',
      text: captions ? (labels?.[i] ?? '') : ''
    });
    const value = h('span', { className: 'jp-FeatureViz-label-value' });
    label.hidden = value.hidden = !captions;
    return {
      canvas,
      label,
      value,
      node: h('div', {
        className: 'jp-FeatureViz-row-cell',
        children: [canvas, label, value]
      })
    };
  });
}

/** Paints image `images[i]` of `frame` into cell i, `scale` times its size. */
export function paintCells(
  cells: readonly ICell[],
  frame: IFrame,
  images: readonly number[],
  scale: number,
  captions: boolean
): void {
  images.forEach((image, i) => {
    const cell = cells[i];
    paintImage(cell.canvas, frame, image);
    cell.canvas.style.width = `${frame.width * scale}px`;
    cell.canvas.style.height = `${frame.height * scale}px`;
    if (captions) {
      cell.value.textContent = formatValue(frame.perImage[image] ?? NaN);
    }
  });
}
