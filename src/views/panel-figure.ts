/**
 * A figure of labelled panels side by side, drawn on one canvas
 * (docs/architecture.md, "Views"): each panel an image scaled up
 * nearest-neighbour, its title above, a note below, optional text on cells of
 * the image (occlusion's percentages) and a colour-scale legend. The live
 * view shows this canvas and the PNG written back is the same drawing, so
 * the notebook on GitHub shows the labels, numbers and legends too.
 *
 * The layout is arithmetic (panel-layout.ts, tested alone); drawing needs a
 * 2D canvas.
 */
import { scaleBar } from './colormap';
import type { IFigureStyle } from './figure';
import { type IImage, context2d } from './frames';
import {
  type ICellText,
  type IFigureLayout,
  type IFigureSpec,
  type ILegend,
  type IPanelBox,
  NOTE,
  layoutFigure
} from './panel-layout';

/**
 * A document canvas's 2D context kept in memory (frames.ts's context2d):
 * drawing on a GPU canvas with software WebGL took hundreds of
 * milliseconds of the page's thread.
 */
function memoryContext(
  canvas: HTMLCanvasElement
): CanvasRenderingContext2D | null {
  return context2d(canvas) as CanvasRenderingContext2D | null;
}
// Sizes in CSS pixels.
const TITLE_FONT = 12;
const SMALL_FONT = 11;
const LEGEND_BAR = 10;

/** Draws an image scaled up without smoothing: pixels stay square. */
function drawImage(
  context: CanvasRenderingContext2D,
  image: IImage,
  x: number,
  y: number,
  width: number,
  height: number
): void {
  const scratch = document.createElement('canvas');
  scratch.width = image.width;
  scratch.height = image.height;
  const pixels = memoryContext(scratch);
  if (!pixels) {
    return;
  }
  const data = pixels.createImageData(image.width, image.height);
  data.data.set(image.data);
  pixels.putImageData(data, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(scratch, x, y, width, height);
}

/** Text inside cells of the image, where it fits, with a light halo. */
function drawCells(
  context: CanvasRenderingContext2D,
  cells: readonly ICellText[],
  box: IPanelBox,
  scale: number,
  style: IFigureStyle
): void {
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.lineJoin = 'round';
  for (const cell of cells) {
    const w = cell.width * scale;
    const h = cell.height * scale;
    const size = Math.min(SMALL_FONT, Math.floor(h * 0.5));
    if (size < 7) {
      continue;
    }
    context.font = `${size}px ${style.font}`;
    if (context.measureText(cell.text).width > w - 2) {
      continue;
    }
    const cx = box.imageX + (cell.x + cell.width / 2) * scale;
    const cy = box.imageY + (cell.y + cell.height / 2) * scale;
    context.lineWidth = 3;
    context.strokeStyle = 'rgba(255, 255, 255, 0.85)';
    context.strokeText(cell.text, cx, cy);
    context.fillStyle = '#000000';
    context.fillText(cell.text, cx, cy);
  }
}

function drawLegend(
  context: CanvasRenderingContext2D,
  legend: ILegend,
  box: IPanelBox,
  top: number,
  style: IFigureStyle
): void {
  const width = Math.min(box.width, 200);
  const left = box.x + Math.floor((box.width - width) / 2);
  drawImage(context, scaleBar(legend.scale, 256), left, top, width, LEGEND_BAR);
  context.font = `${SMALL_FONT}px ${style.font}`;
  context.fillStyle = style.muted;
  context.textBaseline = 'top';
  const ticks: [number, CanvasTextAlign, number][] = [
    [legend.domain.min, 'left', left],
    [legend.domain.max, 'right', left + width]
  ];
  if (legend.domain.min < 0 && legend.domain.max > 0) {
    ticks.push([0, 'center', left + width / 2]);
  }
  for (const [value, align, x] of ticks) {
    context.textAlign = align;
    context.fillText(legend.format(value), x, top + LEGEND_BAR + 2);
  }
  context.textAlign = 'center';
  context.fillText(
    legend.label,
    left + width / 2,
    top + LEGEND_BAR + 2 + SMALL_FONT + 2,
    box.width
  );
}

/**
 * Draws the figure into `canvas`, `ratio` canvas pixels per CSS pixel
 * (the screen's for the live view, 1 for the PNG). Returns the layout.
 */
export function drawFigure(
  canvas: HTMLCanvasElement,
  figure: IFigureSpec,
  options: {
    readonly scale: number;
    readonly ratio: number;
    readonly style: IFigureStyle;
  }
): IFigureLayout {
  const { scale, ratio, style } = options;
  const { panels } = figure;
  const layout = layoutFigure(figure, scale);
  canvas.width = Math.round(layout.width * ratio);
  canvas.height = Math.round(layout.height * ratio);
  const context = memoryContext(canvas);
  if (!context) {
    return layout;
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = style.background;
  context.fillRect(0, 0, layout.width, layout.height);
  panels.forEach((panel, i) => {
    const box = layout.boxes[i];
    context.font = `600 ${TITLE_FONT}px ${style.font}`;
    context.fillStyle = style.text;
    context.textAlign = 'center';
    context.textBaseline = 'top';
    context.fillText(panel.title, box.x + box.width / 2, box.y + 2, box.width);
    drawImage(
      context,
      panel.image,
      box.imageX,
      box.imageY,
      box.imageWidth,
      box.imageHeight
    );
    if (panel.cells) {
      drawCells(context, panel.cells, box, scale, style);
    }
    let below = box.imageY + box.imageHeight + 3;
    if (panel.note !== undefined) {
      context.font = `${SMALL_FONT}px ${style.font}`;
      context.fillStyle = style.muted;
      context.textAlign = 'center';
      context.textBaseline = 'top';
      context.fillText(panel.note, box.x + box.width / 2, below, box.width);
      below += NOTE;
    }
    if (panel.legend) {
      drawLegend(context, panel.legend, box, below + 2, style);
    }
  });
  if (figure.legend && layout.legend) {
    drawLegend(
      context,
      figure.legend,
      layout.legend,
      layout.legend.y + 4,
      style
    );
  }
  return layout;
}

/**
 * Canvas pixels per CSS pixel of a figure written back: its live size. The
 * panels already show a digit at 6–8× (about 200 pixels); twice that made a
 * saved walkthrough twice as large (820 kB for twelve outputs).
 */
export const SAVED_RATIO = 1;
