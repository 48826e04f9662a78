/**
 * One top example enlarged (docs/architecture.md, "Views"): the whole
 * example with its receptive-field box drawn on it, its patch beside it at
 * the same height, the caption's words and a Close button. The top-examples
 * view shows it when a cell is clicked or Enter is pressed on it.
 */
import type { ITopExamplesResult } from '../engine/runtime/protocol';
import { button, h } from './dom';
import { type Ranked, exampleImage, placeBox } from './examples-grid';
import { paint } from './frames';

/** The enlarged example `n` of `ranked`, drawn at `scale`, as elements. */
export function enlargedExample(
  result: ITopExamplesResult,
  ranked: Ranked,
  n: number,
  words: string,
  scale: number,
  close: () => void,
  signal: AbortSignal
): HTMLElement[] {
  const whole = h('canvas', { className: 'jp-FeatureViz-canvas' });
  const image = exampleImage(result, ranked, n, false);
  paint(whole, image);
  whole.style.width = `${image.width * scale}px`;
  whole.style.height = `${image.height * scale}px`;
  const box = h('div', { className: 'jp-FeatureViz-rf-box' });
  placeBox(box, ranked.boxes.subarray(n * 4, n * 4 + 4), scale);
  const parts: HTMLElement[] = [
    h('div', {
      className: 'jp-FeatureViz-example-frame',
      attrs: { role: 'img', 'aria-label': `${words}, enlarged` },
      children: [whole, box]
    })
  ];
  if (result.patchWidth > 0) {
    const patch = h('canvas', { className: 'jp-FeatureViz-canvas' });
    const crop = exampleImage(result, ranked, n, true);
    paint(patch, crop);
    const patchScale = Math.max(
      1,
      Math.floor((image.height * scale) / crop.height)
    );
    patch.style.width = `${crop.width * patchScale}px`;
    patch.style.height = `${crop.height * patchScale}px`;
    patch.setAttribute('role', 'img');
    patch.setAttribute('aria-label', 'Its receptive-field patch');
    parts.push(patch);
  }
  return [
    h('div', { className: 'jp-FeatureViz-example-large', children: parts }),
    h('div', { className: 'jp-FeatureViz-step', text: words }),
    button('Close the enlarged example', 'Close', close, signal)
  ];
}
