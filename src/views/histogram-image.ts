/**
 * The unit's histogram drawn into the PNG a top-examples view writes back
 * (docs/architecture.md, "The explorer"): the same geometry as the live SVG
 * (histogram-plot.ts), on the sheet's white background in fixed colours, so
 * that the saved figure reads on GitHub without the extension.
 */
import type { IUnitHistogram } from '../engine/dataset/top-examples';
import {
  HISTOGRAM_SIZE,
  histogramCaption,
  histogramPlot,
  histogramTitle
} from './histogram-plot';

const COLOURS = {
  values: '#1976d2',
  zeros: '#9e9e9e',
  axis: '#606060',
  text: '#202020',
  muted: '#555555',
  threshold: '#e8710a'
};
const TITLE = 20;
const CAPTION = 16;
const PLOT = HISTOGRAM_SIZE;

/** The height the histogram takes on the sheet. */
export const HISTOGRAM_SHEET_HEIGHT = TITLE + PLOT.height + CAPTION;

/** The width it needs. */
export const HISTOGRAM_SHEET_WIDTH = PLOT.width;

/** Draws title, plot and caption with its top-left corner at (x, y). */
export function drawHistogram(
  context: CanvasRenderingContext2D,
  histogram: IUnitHistogram,
  unit: string,
  k: number,
  x: number,
  y: number
): void {
  const plot = histogramPlot(histogram, k, PLOT.width, PLOT.height);
  context.save();
  context.textBaseline = 'top';
  context.textAlign = 'left';
  context.fillStyle = COLOURS.text;
  context.font = 'bold 13px sans-serif';
  context.fillText(histogramTitle(unit, histogram), x, y + 2);
  context.translate(x, y + TITLE);
  for (const bar of plot.bars) {
    context.fillStyle = COLOURS[bar.kind];
    context.fillRect(bar.x, bar.y, bar.width, bar.height);
  }
  const [left, top, right, bottom] = plot.area;
  // Rectangles only (no paths): the axis, and the threshold's dashes.
  context.fillStyle = COLOURS.axis;
  context.fillRect(left, top, 1, bottom - top + 1);
  context.fillRect(left, bottom, right - left, 1);
  if (plot.threshold) {
    context.fillStyle = COLOURS.threshold;
    for (let dash = top - 2; dash < bottom; dash += 7) {
      context.fillRect(
        plot.threshold.x - 0.75,
        dash,
        1.5,
        Math.min(4, bottom - dash)
      );
    }
  }
  context.fillStyle = COLOURS.text;
  context.font = '10px sans-serif';
  context.textBaseline = 'alphabetic';
  const align = { start: 'left', middle: 'center', end: 'right' } as const;
  for (const label of [
    ...plot.labels,
    ...(plot.threshold ? [plot.threshold.label] : [])
  ]) {
    context.textAlign = align[label.align];
    context.fillText(label.text, label.x, label.y);
  }
  context.textAlign = 'left';
  context.textBaseline = 'top';
  context.fillStyle = COLOURS.muted;
  context.font = '11px sans-serif';
  context.fillText(histogramCaption(histogram), 0, PLOT.height + 2);
  context.restore();
}
