/**
 * The layout of a figure of labelled panels (docs/architecture.md, "Views"):
 * what a figure holds (panels, cell text, legends) and where each part goes.
 * Arithmetic only, tested alone; `panel-figure.ts` draws it on a 2D canvas.
 */
import type { ColorScale, IDomain } from './colormap';
import type { IImage } from './frames';

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

// Sizes in CSS pixels.
const PAD = 8;
const DEFAULT_GAP = 16;
const TITLE = 18;
/** The height of a note's line (panel-figure.ts moves below it). */
export const NOTE = 16;
const LEGEND = 34;
const MIN_PANEL = 140;

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
