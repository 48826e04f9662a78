/**
 * The PCA plot as a picture (`scatter-figure.ts` draws it): on a scratch
 * canvas for the figure written back and saved, and on the view's still
 * canvas where WebGL is missing.
 */
import type { IFigureStyle } from '../figure';
import type { IDrawnFigure } from '../save';
import type { IPlotData } from './plot-data';
import { type IScatterState, drawScatterFigure } from './scatter-figure';

/** The plot as shown, drawn on a new 2D canvas. */
export function figureOnCanvas(
  data: IPlotData,
  state: IScatterState,
  style: IFigureStyle
): IDrawnFigure {
  const scratch = document.createElement('canvas');
  const size = drawScatterFigure(scratch, data, state, style);
  return { canvas: scratch, ...size };
}

/** Draws the plot on `still` at the screen's pixel ratio, sized in CSS pixels. */
export function drawStillFigure(
  still: HTMLCanvasElement,
  data: IPlotData,
  state: IScatterState,
  style: IFigureStyle
): void {
  const size = drawScatterFigure(
    still,
    data,
    state,
    style,
    globalThis.devicePixelRatio || 1
  );
  still.style.width = `${size.width}px`;
  still.style.height = `${size.height}px`;
  still.setAttribute('aria-label', `${data.xTitle} against ${data.yTitle}`);
}
