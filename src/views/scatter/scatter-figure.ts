/**
 * The scatter plot drawn on a 2D canvas (docs/architecture.md, "PCA"): the
 * PNG written back into the notebook and saved, and the still picture shown
 * where WebGL is missing. Points by class (a selection in colour, the rest
 * grey), the axis titles with their explained variance, and the legend, in
 * the theme's colours, so that GitHub and a reloaded notebook show a
 * labelled figure.
 */
import type { IFigureStyle } from '../figure';
import { CLASS_COLOURS, INACTIVE, UNLABELLED } from './palette';
import type { IPlotData } from './plot-data';
import { wrapWords } from './value-colours';

export const PLOT_SIDE = 360;
const LEFT = 48;
const TOP = 12;
const BOTTOM = 44;
const LEGEND = 130;

export interface IScatterState {
  /** Hidden classes (indices into the data's classes). */
  readonly hidden: ReadonlySet<number>;
  /** Selected points (plot indices); empty: none. */
  readonly selected: ReadonlySet<number>;
}

/** The figure's size in CSS pixels. */
export function scatterFigureSize(): { width: number; height: number } {
  return { width: LEFT + PLOT_SIDE + LEGEND, height: TOP + PLOT_SIDE + BOTTOM };
}

function colourOf(data: IPlotData, category: number): string {
  if (data.colours) {
    return data.colours[category];
  }
  const label = data.classes[category];
  return label < 0 ? UNLABELLED : CLASS_COLOURS[label % CLASS_COLOURS.length];
}

/** Draws the figure on `canvas` at `ratio` device pixels per CSS pixel. */
export function drawScatterFigure(
  canvas: HTMLCanvasElement,
  data: IPlotData,
  state: IScatterState,
  style: IFigureStyle,
  ratio = 1
): { width: number; height: number } {
  const { width, height } = scatterFigureSize();
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) {
    return { width, height };
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = style.background;
  context.fillRect(0, 0, width, height);
  // The plot's frame.
  context.strokeStyle = style.muted;
  context.lineWidth = 1;
  context.strokeRect(LEFT + 0.5, TOP + 0.5, PLOT_SIDE, PLOT_SIDE);
  const toX = (v: number) => LEFT + ((v + 1) / 2) * PLOT_SIDE;
  const toY = (v: number) => TOP + ((1 - v) / 2) * PLOT_SIDE;
  const selecting = state.selected.size > 0;
  // Grey first, so the coloured points lie on top.
  for (const pass of selecting ? ['grey', 'colour'] : ['colour']) {
    for (let i = 0; i < data.count; i++) {
      const category = data.category[i];
      if (state.hidden.has(category)) {
        continue;
      }
      const active = !selecting || state.selected.has(i);
      if ((pass === 'grey') === active) {
        continue;
      }
      context.fillStyle = active ? colourOf(data, category) : INACTIVE;
      context.globalAlpha = active ? 0.85 : 0.35;
      context.fillRect(toX(data.x[i]) - 1.5, toY(data.y[i]) - 1.5, 3, 3);
    }
  }
  context.globalAlpha = 1;
  // Axis titles.
  context.fillStyle = style.text;
  context.font = `12px ${style.font}`;
  context.textAlign = 'center';
  context.textBaseline = 'top';
  context.fillText(data.xTitle, LEFT + PLOT_SIDE / 2, TOP + PLOT_SIDE + 22);
  context.save();
  context.translate(16, TOP + PLOT_SIDE / 2);
  context.rotate(-Math.PI / 2);
  context.textBaseline = 'middle';
  context.fillText(data.yTitle, 0, 0);
  context.restore();
  // The axes' data ranges at their ends.
  context.fillStyle = style.muted;
  context.font = `10px ${style.font}`;
  const [xl, xh, yl, yh] = data.extent;
  context.textAlign = 'left';
  context.fillText(xl.toPrecision(3), LEFT, TOP + PLOT_SIDE + 4);
  context.textAlign = 'right';
  context.fillText(xh.toPrecision(3), LEFT + PLOT_SIDE, TOP + PLOT_SIDE + 4);
  context.save();
  context.translate(LEFT - 4, TOP + PLOT_SIDE);
  context.rotate(-Math.PI / 2);
  context.textAlign = 'left';
  context.textBaseline = 'bottom';
  context.fillText(yl.toPrecision(3), 0, 0);
  context.textAlign = 'right';
  context.fillText(yh.toPrecision(3), PLOT_SIDE, 0);
  context.restore();
  // The legend.
  context.font = `12px ${style.font}`;
  context.textAlign = 'left';
  context.textBaseline = 'middle';
  const x = LEFT + PLOT_SIDE + 16;
  data.classNames.forEach((name, c) => {
    const y = TOP + 10 + c * 18;
    const hidden = state.hidden.has(c);
    context.fillStyle = hidden ? INACTIVE : colourOf(data, c);
    context.fillRect(x, y - 5, 10, 10);
    context.fillStyle = hidden ? style.muted : style.text;
    context.fillText(hidden ? `${name} (hidden)` : name, x + 16, y);
  });
  if (data.colourTitle) {
    context.fillStyle = style.muted;
    const lines = wrapWords(context, data.colourTitle, LEGEND - 20);
    lines.forEach((line, n) =>
      context.fillText(
        line,
        x,
        TOP + PLOT_SIDE - 8 - (lines.length - 1 - n) * 14
      )
    );
  }
  if (selecting) {
    context.fillStyle = style.text;
    context.fillText(
      `${state.selected.size.toLocaleString('en-US')} selected`,
      x,
      TOP + 10 + data.classNames.length * 18 + 8
    );
  }
  return { width, height };
}
