/**
 * The image a top-examples view writes back (docs/architecture.md, "Views"):
 * its grids on a white sheet, small examples upscaled without smoothing, the
 * receptive-field boxes drawn, and each example's rank, value, label and
 * prediction written under it, so the PNG reads on GitHub without the
 * extension. Where the page has no 2D canvas text (jsdom), the grids alone.
 */
import { h } from './dom';
import {
  type IImage,
  composeGrid,
  context2d,
  gridShape,
  paint
} from './frames';
import type { ICaption } from './examples-grid';
import type { IUnitHistogram } from '../engine/dataset/top-examples';
import {
  HISTOGRAM_SHEET_HEIGHT,
  HISTOGRAM_SHEET_WIDTH,
  drawHistogram
} from './histogram-image';

export interface ISheetSection {
  readonly title: string;
  readonly images: readonly IImage[];
  readonly captions: readonly ICaption[];
  /** Receptive-field boxes (top, left, bottom, right) per image, or none. */
  readonly boxes: Int32Array | null;
}

/** The unit's histogram, drawn under the grids. */
export interface ISheetHistogram {
  readonly histogram: IUnitHistogram;
  readonly unit: string;
  readonly k: number;
}

const MAX_COLUMNS = 8;
const GAP = 6;
const TITLE = 20;
const LINE = 13;
const BOX_COLOUR = '#e8710a';

export function examplesSheet(
  sections: readonly ISheetSection[],
  scale: number,
  histogram: ISheetHistogram | null = null
): IImage {
  const first = sections.find(s => s.images.length > 0)?.images[0];
  if (!first) {
    return { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  }
  const canvas = h('canvas');
  // In memory, not on the GPU (frames.ts's context2d): far faster to draw.
  const context = context2d(canvas) as CanvasRenderingContext2D | null;
  if (
    !context ||
    typeof context.fillText !== 'function' ||
    typeof context.drawImage !== 'function' ||
    typeof context.getImageData !== 'function'
  ) {
    return composeGrid(
      sections.flatMap(s => s.images),
      gridShape(sections[0].images.length, MAX_COLUMNS).columns,
      scale,
      2
    );
  }
  const cellWidth = Math.max(first.width * scale, 64);
  const cellHeight = first.height * scale + 2 * LINE + 4;
  const columns = Math.max(
    ...sections.map(s => gridShape(s.images.length, MAX_COLUMNS).columns)
  );
  const rows = sections.map(s => gridShape(s.images.length, MAX_COLUMNS).rows);
  canvas.width = Math.max(
    GAP + columns * (cellWidth + GAP),
    histogram ? 2 * GAP + HISTOGRAM_SHEET_WIDTH : 0
  );
  const grids =
    GAP +
    sections.reduce(
      (total, _, i) => total + TITLE + rows[i] * (cellHeight + GAP),
      0
    );
  canvas.height = grids + (histogram ? HISTOGRAM_SHEET_HEIGHT + GAP : 0);
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingEnabled = false;
  context.textBaseline = 'top';
  const tile = h('canvas');
  let y = GAP;
  sections.forEach((section, s) => {
    context.fillStyle = '#202020';
    context.font = 'bold 13px sans-serif';
    context.fillText(section.title, GAP, y + 2);
    y += TITLE;
    section.images.forEach((image, n) => {
      const x = GAP + (n % columns) * (cellWidth + GAP);
      const top = y + Math.floor(n / columns) * (cellHeight + GAP);
      const left = x + (cellWidth - image.width * scale) / 2;
      paint(tile, image);
      context.drawImage(
        tile,
        left,
        top,
        image.width * scale,
        image.height * scale
      );
      // A frame, so that white examples keep their edges on the white sheet.
      context.strokeStyle = '#b0b0b0';
      context.lineWidth = 1;
      context.strokeRect(
        left - 0.5,
        top - 0.5,
        image.width * scale + 1,
        image.height * scale + 1
      );
      const box = section.boxes?.subarray(n * 4, n * 4 + 4);
      if (box && box.length === 4) {
        context.strokeStyle = BOX_COLOUR;
        context.lineWidth = 2;
        context.strokeRect(
          left + box[1] * scale,
          top + box[0] * scale,
          (box[3] - box[1]) * scale,
          (box[2] - box[0]) * scale
        );
      }
      const caption = section.captions[n];
      const below = top + image.height * scale + 2;
      context.fillStyle = '#202020';
      context.font = '11px sans-serif';
      context.fillText(
        `#${caption.rank} · ${caption.value}`,
        x,
        below,
        cellWidth
      );
      context.fillStyle = '#555555';
      context.fillText(
        [caption.label, caption.prediction].filter(Boolean).join(' · '),
        x,
        below + LINE,
        cellWidth
      );
    });
    y += rows[s] * (cellHeight + GAP);
  });
  if (histogram) {
    const { unit, k } = histogram;
    drawHistogram(context, histogram.histogram, unit, k, GAP, grids);
  }
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  return { width: canvas.width, height: canvas.height, data };
}
