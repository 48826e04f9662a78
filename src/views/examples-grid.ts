/**
 * One end of a top-examples ranking as a grid of cells (docs/architecture.md,
 * "Views"): each cell a button with the example (or its receptive-field
 * patch) drawn pixelated, its rank, value, label and the model's
 * prediction; in whole-image mode the field's box is drawn over the image.
 * Drawing only: the engine computed the images, boxes and patches.
 */
import type {
  ITopExamplesResult,
  ITopExamplesSummary
} from '../engine/runtime/protocol';
import { h } from './dom';
import { type IImage, paint } from './frames';

export type Ranked = ITopExamplesResult['top'];

/** What a cell says about its example, as words. */
export interface ICaption {
  readonly rank: number;
  readonly index: number;
  readonly value: string;
  /** "label 8", "label cat"; null without labels. */
  readonly label: string | null;
  /** "pred 8"; null for a model without class logits. */
  readonly prediction: string | null;
}

/** The captions of one end of a ranking (live result or saved summary). */
export function captions(
  ranked: ITopExamplesSummary['top'],
  labelNames: readonly string[] | null
): ICaption[] {
  return ranked.indices.map((index, n) => {
    const label = ranked.labels[n];
    const prediction = ranked.predictions[n];
    return {
      rank: n + 1,
      index,
      value: formatValue(ranked.values[n]),
      label:
        label === null || label < 0
          ? null
          : `label ${labelNames?.[label] ?? label}`,
      prediction:
        prediction === null || prediction < 0 ? null : `pred ${prediction}`
    };
  });
}

export function formatValue(value: number): string {
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(2)
    : Number(value.toPrecision(3)).toString();
}

/** One sentence per example, for screen readers and the saved list. */
export function describeCaption(caption: ICaption): string {
  return [
    `#${caption.rank}: example ${caption.index}`,
    `value ${caption.value}`,
    caption.label,
    caption.prediction
  ]
    .filter(Boolean)
    .join(', ');
}

/** Image n of a ranking: the whole example or its patch. */
export function exampleImage(
  result: ITopExamplesResult,
  ranked: Ranked,
  n: number,
  patch: boolean
): IImage {
  const [width, height, pixels] = patch
    ? [result.patchWidth, result.patchHeight, ranked.patches]
    : [result.width, result.height, ranked.rgba];
  const size = width * height * 4;
  return { width, height, data: pixels.subarray(n * size, (n + 1) * size) };
}

export interface IGridCell {
  readonly node: HTMLButtonElement;
  /** Redraws the cell as a patch or whole, at `scale`. */
  draw(patch: boolean, scale: number): void;
}

/** A cell for example n of `ranked`; `open` enlarges it. */
export function gridCell(
  result: ITopExamplesResult,
  ranked: Ranked,
  caption: ICaption,
  n: number,
  open: () => void,
  signal: AbortSignal
): IGridCell {
  const canvas = h('canvas', { className: 'jp-FeatureViz-canvas' });
  const box = h('div', { className: 'jp-FeatureViz-rf-box' });
  const frame = h('div', {
    className: 'jp-FeatureViz-example-frame',
    children: [canvas, box]
  });
  const node = h('button', {
    className: 'jp-FeatureViz-cell jp-FeatureViz-example',
    attrs: {
      type: 'button',
      role: 'listitem',
      'aria-label': `${describeCaption(caption)}: enlarge`,
      'data-index': String(caption.index),
      'data-value': String(ranked.values[n])
    },
    children: [
      frame,
      h('span', {
        className: 'jp-FeatureViz-cell-label',
        text: `#${caption.rank} · ${caption.value}`
      }),
      h('span', {
        className: 'jp-FeatureViz-cell-value',
        text: [caption.label, caption.prediction].filter(Boolean).join(' · ')
      })
    ]
  });
  node.addEventListener('click', open, { signal });
  return {
    node,
    draw(patch, scale) {
      const image = exampleImage(result, ranked, n, patch);
      paint(canvas, image);
      canvas.style.width = `${image.width * scale}px`;
      canvas.style.height = `${image.height * scale}px`;
      placeBox(
        box,
        patch ? null : ranked.boxes.subarray(n * 4, n * 4 + 4),
        scale
      );
    }
  };
}

/** Puts the receptive-field box over an image drawn at `scale`. */
export function placeBox(
  box: HTMLElement,
  corners: Int32Array | null,
  scale: number
): void {
  box.hidden = !corners || corners.length < 4;
  if (!corners || box.hidden) {
    return;
  }
  const [top, left, bottom, right] = corners;
  box.style.top = `${top * scale}px`;
  box.style.left = `${left * scale}px`;
  box.style.width = `${(right - left) * scale}px`;
  box.style.height = `${(bottom - top) * scale}px`;
}
