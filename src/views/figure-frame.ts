/**
 * What the result views drawn on one canvas share (docs/architecture.md,
 * "Views"): the attribution lenses and the filters grid. The figure's
 * canvas, the host of a saved image, the sentence saying what the figure
 * shows, the view's own controls, and the run bar whose PNG button saves the
 * figure shown or else the saved image.
 */
import { h } from './dom';
import { type IRunBar, mountRunBar } from './run-bar';
import { type IDrawnFigure, encodeFigureHere, pngAction } from './save';
import type { IViewProps, Lifetime } from './view';

export interface IFigureFrame {
  readonly node: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly storedHost: HTMLElement;
  readonly sentence: HTMLElement;
  readonly bar: IRunBar;
}

export function mountFigureFrame(
  host: HTMLElement,
  props: IViewProps,
  options: {
    readonly className: string;
    /** Elements under the sentence (sliders, a values table). */
    readonly controls?: readonly HTMLElement[];
    /** Whether there is a figure or a saved image to save. */
    readonly ready: () => boolean;
    /** The figure written back and saved (see IView.figure). */
    readonly figure: () => IDrawnFigure | null;
    readonly stored: () => string | null;
    readonly life: Lifetime;
  }
): IFigureFrame {
  const canvas = h('canvas', {
    className: 'jp-FeatureViz-figure',
    attrs: { role: 'img' }
  });
  const storedHost = h('div', { className: 'jp-FeatureViz-stage' });
  const sentence = h('p', { className: 'jp-FeatureViz-sentence' });
  const node = h('div', {
    className: options.className,
    children: [storedHost, canvas, sentence, ...(options.controls ?? [])]
  });
  const bar = mountRunBar(
    node,
    {
      onCancel: props.onCancel,
      onRerun: props.onRerun,
      saves: [
        pngAction({
          filename: props.filename,
          encode: props.encodeFigure ?? encodeFigureHere,
          ready: options.ready,
          figure: options.figure,
          stored: options.stored
        })
      ]
    },
    options.life.signal
  );
  host.appendChild(node);
  options.life.add(() => node.remove());
  return { node, canvas, storedHost, sentence, bar };
}
