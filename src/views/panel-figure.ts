/**
 * A figure of labelled panels side by side, drawn on one canvas
 * (docs/architecture.md, "Views"): each panel an image scaled up
 * nearest-neighbour, its title above, a note below, optional text on cells of
 * the image (occlusion's percentages) and a colour-scale legend. The live
 * view shows this canvas and the PNG written back is the same drawing, so
 * the notebook on GitHub shows the labels, numbers and legends too.
 *
 * The layout is arithmetic (tested alone); drawing needs a 2D canvas.
 */
import { type ColorScale, type IDomain, scaleBar } from './colormap';
import type { IFigureStyle } from './figure';
import { type IImage, context2d } from './frames';

export interface ILegend {
  readonly scale: ColorScale;
  readonly domain: IDomain;
  /** What the colours mean, e.g. "change of logit 8 (%)". */
  readonly label: string;
  readonly format: (value: number) => string;
}

/** Text on a rectangle of a panel's image, in image pixels. */
export interface ICellText {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly text: string;
}

export interface IPanel {
  readonly title: string;
  readonly image: IImage;
  /** A line under the image (a check, a layer's name). */
  readonly note?: string;
  readonly cells?: readonly ICellText[];
  readonly legend?: ILegend;
}

/** Panels, how they are laid out, and a legend under them all. */
export interface IFigureSpec {
  readonly panels: readonly IPanel[];
  /** Panels per row; all in one row when omitted. */
  readonly columns?: number;
  /** The narrowest a panel is (its title's room); 140 when omitted. */
  readonly minPanel?: number;
  /** Space between panels; 16 when omitted. */
  readonly gap?: number;
  /** One legend for every panel, under the figure. */
  readonly legend?: ILegend;
}

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
const PAD = 8;
const DEFAULT_GAP = 16;
const TITLE = 18;
const NOTE = 16;
const LEGEND = 34;
const MIN_PANEL = 140;
const TITLE_FONT = 12;
const SMALL_FONT = 11;
const LEGEND_BAR = 10;

export interface IPanelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  /** The image's place and size. */
  readonly imageX: number;
  readonly imageY: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
}

export interface IFigureLayout {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly IPanelBox[];
  /** Where the figure's own legend goes. */
  readonly legend: IPanelBox | null;
}

/** Where each panel goes, `scale` screen pixels per image pixel. */
export function layoutFigure(
  figure: IFigureSpec,
  scale: number
): IFigureLayout {
  const { panels } = figure;
  const GAP = figure.gap ?? DEFAULT_GAP;
  const cols = Math.max(
    1,
    Math.min(figure.columns ?? panels.length, panels.length)
  );
  const minPanel = figure.minPanel ?? MIN_PANEL;
  const panelWidth = (p: IPanel) => Math.max(minPanel, p.image.width * scale);
  const height = (p: IPanel) =>
    TITLE +
    p.image.height * scale +
    (p.note !== undefined ? NOTE : 0) +
    (p.legend ? LEGEND : 0);
  const colWidth = Array.from({ length: cols }, (_, c) =>
    Math.max(...panels.filter((_, i) => i % cols === c).map(panelWidth))
  );
  const rows = Math.ceil(panels.length / cols);
  const rowHeight = Array.from({ length: rows }, (_, r) =>
    Math.max(...panels.slice(r * cols, (r + 1) * cols).map(height))
  );
  const boxes = panels.map((panel, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    const x = PAD + colWidth.slice(0, c).reduce((a, w) => a + w + GAP, 0);
    const y = PAD + rowHeight.slice(0, r).reduce((a, h) => a + h + GAP, 0);
    const imageWidth = panel.image.width * scale;
    return {
      x,
      y,
      width: colWidth[c],
      imageX: x + Math.floor((colWidth[c] - imageWidth) / 2),
      imageY: y + TITLE,
      imageWidth,
      imageHeight: panel.image.height * scale
    };
  });
  const width =
    2 * PAD + colWidth.reduce((a, w) => a + w, 0) + GAP * (cols - 1);
  const panelsHeight =
    2 * PAD + rowHeight.reduce((a, h) => a + h, 0) + GAP * (rows - 1);
  return {
    width,
    height: panelsHeight + (figure.legend ? LEGEND : 0),
    boxes,
    legend: figure.legend
      ? {
          x: PAD,
          y: panelsHeight - PAD,
          width: width - 2 * PAD,
          imageX: PAD,
          imageY: panelsHeight - PAD,
          imageWidth: 0,
          imageHeight: 0
        }
      : null
  };
}

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
