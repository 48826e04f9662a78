/**
 * The labelled figure a view writes back into the notebook and saves as PNG
 * (docs/architecture.md, "Views"): its images in the live view's grid,
 * scaled up nearest-neighbour so that a 28-pixel digit is at least 224
 * pixels wide, with each image's label and value drawn under it, on an
 * opaque background in the theme's colours. GitHub and nbviewer then show
 * a readable figure; the notebook shows it at the size the live view had.
 *
 * The layout is pure arithmetic (tested alone); drawing needs a 2D canvas,
 * a document's or, in the outputs' worker, an OffscreenCanvas, so that the
 * page's thread neither draws nor encodes it (save.ts, output-worker.ts).
 */
import { type IImage, context2d } from './frames';

/** What a figure shows. */
export interface IFigureSpec {
  /** Images of one size, in reading order. */
  readonly images: readonly IImage[];
  readonly columns: number;
  /** A caption under each image (a digit, "ch 5"); none when omitted. */
  readonly labels?: readonly string[];
  /** A value under each image (NaN: none); no value line when omitted. */
  readonly values?: readonly number[];
  /** Screen pixels per image pixel in the live view. */
  readonly displayScale: number;
  /** Screen pixels between two images in the live view. */
  readonly displayGap: number;
}

/** Where everything of a figure goes, in PNG pixels. */
export interface IFigureLayout {
  /** PNG pixels per image pixel: an integer, so pixels stay square. */
  readonly scale: number;
  /** PNG pixels per screen pixel of the live view. */
  readonly ratio: number;
  readonly width: number;
  readonly height: number;
  /** The size the live view showed it at, in screen pixels. */
  readonly displayWidth: number;
  readonly displayHeight: number;
  readonly columns: number;
  readonly cellWidth: number;
  readonly imageHeight: number;
  readonly gap: number;
  readonly fontPx: number;
  readonly lineHeight: number;
  /** Caption lines under each image (0, 1 or 2). */
  readonly lines: number;
  /** Top-left corner of image `index`. */
  position(index: number): { readonly x: number; readonly y: number };
}

/** The smallest side, in PNG pixels, that a small image is drawn at. */
export const MIN_FIGURE_SIDE = 224;
// Canvas limits every browser accepts, and a cap on stored pixels that
// keeps a saved notebook small: a big grid is drawn at a smaller scale.
const MAX_FIGURE_SIDE = 8192;
const MAX_FIGURE_PIXELS = 12e6;
/** Captions as the live view draws them, in screen pixels. */
const CAPTION_FONT = 11;
const CAPTION_LINE = 15;
const CAPTION_PAD = 3;

export function figureLayout(spec: IFigureSpec): IFigureLayout {
  const [w, h] = [spec.images[0]?.width ?? 1, spec.images[0]?.height ?? 1];
  const count = Math.max(1, spec.images.length);
  const lines =
    (spec.labels?.some(l => l !== '') ? 1 : 0) +
    (spec.values?.some(v => Number.isFinite(v)) ? 1 : 0);
  const displayScale = Math.max(1, spec.displayScale);
  let columns = Math.max(1, Math.min(spec.columns, count));
  const size = (scale: number, cols: number) => {
    const ratio = scale / displayScale;
    const gap = Math.round(spec.displayGap * ratio);
    const caption = lines
      ? Math.round((CAPTION_PAD + lines * CAPTION_LINE) * ratio)
      : 0;
    const rows = Math.ceil(count / cols);
    return {
      width: cols * w * scale + (cols - 1) * gap,
      height: rows * (h * scale + caption) + (rows - 1) * gap
    };
  };
  const fits = (scale: number, cols: number) => {
    const { width, height } = size(scale, cols);
    return (
      width <= MAX_FIGURE_SIDE &&
      height <= MAX_FIGURE_SIDE &&
      width * height <= MAX_FIGURE_PIXELS
    );
  };
  let scale = Math.max(
    Math.ceil(displayScale),
    Math.ceil(MIN_FIGURE_SIDE / Math.max(w, h))
  );
  while (scale > 1 && !fits(scale, columns)) {
    scale--;
  }
  // A grid too tall even at one pixel per pixel gets more columns.
  while (!fits(scale, columns) && columns < count) {
    columns = Math.min(count, columns * 2);
  }
  const ratio = scale / displayScale;
  const gap = Math.round(spec.displayGap * ratio);
  const { width, height } = size(scale, columns);
  const cellWidth = w * scale;
  const imageHeight = h * scale;
  const lineHeight = Math.round(CAPTION_LINE * ratio);
  const rowHeight =
    imageHeight +
    (lines ? Math.round((CAPTION_PAD + lines * CAPTION_LINE) * ratio) : 0) +
    gap;
  return {
    scale,
    ratio,
    width,
    height,
    displayWidth: Math.round(width / ratio),
    displayHeight: Math.round(height / ratio),
    columns,
    cellWidth,
    imageHeight,
    gap,
    fontPx: Math.max(8, Math.round(CAPTION_FONT * ratio)),
    lineHeight,
    lines,
    position: index => ({
      x: (index % columns) * (cellWidth + gap),
      y: Math.floor(index / columns) * rowHeight
    })
  };
}

/** The theme's colours and font, read where the figure is shown. */
export interface IFigureStyle {
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly font: string;
}

/** The figure's style from the theme's CSS variables at `node`. */
export function themeStyle(node: Element): IFigureStyle {
  const css = getComputedStyle(node);
  const read = (name: string, fallback: string) =>
    css.getPropertyValue(name).trim() || fallback;
  return {
    background: read('--jp-layout-color0', '#ffffff'),
    text: read('--jp-content-font-color1', 'rgba(0, 0, 0, 0.87)'),
    muted: read('--jp-content-font-color2', 'rgba(0, 0, 0, 0.54)'),
    font: read('--jp-ui-font-family', 'sans-serif')
  };
}

/** A value as the live view prints it. */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(3) : '';
}

/** A canvas a figure can be drawn on: a document's, or an OffscreenCanvas. */
export type FigureCanvas = HTMLCanvasElement | OffscreenCanvas;

/** Draws and encodes a figure as PNG, wherever it does it. */
export type FigureEncoder = (
  spec: IFigureSpec,
  style: IFigureStyle
) => Promise<Blob>;

/**
 * Draws the figure into `canvas` (resized to the layout): each image at
 * 1:1 into a scratch canvas made by `scratch`, then scaled with smoothing
 * off, so pixels stay square whatever the scale.
 */
export function drawFigure(
  canvas: FigureCanvas,
  spec: IFigureSpec,
  layout: IFigureLayout,
  style: IFigureStyle,
  scratch: (width: number, height: number) => FigureCanvas
): void {
  canvas.width = layout.width;
  canvas.height = layout.height;
  const context = context2d(canvas);
  const first = spec.images[0];
  if (!context || !first) {
    return;
  }
  context.fillStyle = style.background;
  context.fillRect(0, 0, layout.width, layout.height);
  const source = scratch(first.width, first.height);
  const pixels = context2d(source);
  context.imageSmoothingEnabled = false;
  context.textAlign = 'center';
  context.textBaseline = 'top';
  context.font = `${layout.fontPx}px ${style.font}`;
  spec.images.forEach((image, i) => {
    const { x, y } = layout.position(i);
    pixels?.putImageData(
      new ImageData(image.data, image.width, image.height),
      0,
      0
    );
    context.drawImage(source, x, y, layout.cellWidth, layout.imageHeight);
    const centre = x + layout.cellWidth / 2;
    let line = y + layout.imageHeight + Math.round(CAPTION_PAD * layout.ratio);
    if (layout.lines > 0 && spec.labels) {
      context.fillStyle = style.text;
      context.fillText(spec.labels[i] ?? '', centre, line, layout.cellWidth);
      line += layout.lineHeight;
    }
    const value = spec.values?.[i];
    if (value !== undefined && Number.isFinite(value)) {
      context.fillStyle = style.muted;
      context.fillText(formatValue(value), centre, line, layout.cellWidth);
    }
  });
}
