/**
 * One scatter plot on the page's shared renderer (docs/architecture.md,
 * "PCA"): regl-scatterplot made for a PCA's plot data, its points coloured by
 * class through `valueA`, the points outside a selection grey, and the
 * legend's hidden classes filtered out.
 */
import type { IFigureStyle } from '../figure';
import { CLASS_COLOURS, INACTIVE, UNLABELLED } from './palette';
import { type IPlotData, edgeDomains, shownPoints } from './plot-data';
import { fitRenderer, type scatterLibrary } from './renderer';
import { PLOT_SIDE } from './scatter-figure';

type Loaded = NonNullable<Awaited<ReturnType<typeof scatterLibrary>>>;
export type Scatterplot = ReturnType<Loaded['library']['default']>;

/** Point colours: one per class, then grey for points outside a selection. */
export function pointColours(data: IPlotData): string[] {
  return [
    ...(data.colours ??
      data.classes.map(label =>
        label < 0 ? UNLABELLED : CLASS_COLOURS[label % CLASS_COLOURS.length]
      )),
    INACTIVE
  ];
}

/** Each point's colour index: its class, or grey outside a selection. */
export function categories(
  data: IPlotData,
  selected: readonly number[]
): Float32Array {
  if (selected.length === 0) {
    return data.category;
  }
  const grey = data.classes.length;
  const out = new Float32Array(data.count).fill(grey);
  for (const p of selected) {
    out[p] = data.category[p];
  }
  return out;
}

type Options = NonNullable<Parameters<Loaded['library']['default']>[0]>;
type Scale = NonNullable<Options['xScale']>;

/**
 * The one part of a d3 linear scale regl-scatterplot uses: it sets the
 * domain to what the camera shows and the range to the canvas's size, and
 * the view reads the domain back for the axes' end values.
 */
export class AxisScale {
  constructor(
    private _domain: [number, number],
    private _range: [number, number] = [0, 1]
  ) {}

  domain(): [number, number];
  domain(next: readonly number[]): this;
  domain(next?: readonly number[]): [number, number] | this {
    if (next === undefined) {
      return [...this._domain];
    }
    this._domain = [next[0], next[1]];
    return this;
  }

  range(): [number, number];
  range(next: readonly number[]): this;
  range(next?: readonly number[]): [number, number] | this {
    if (next === undefined) {
      return [...this._range];
    }
    this._range = [next[0], next[1]];
    return this;
  }
}

/** The axes' scales for a plot of `data` (data units at the edges). */
export function axisScales(data: IPlotData): [AxisScale, AxisScale] {
  const [x, y] = edgeDomains(data);
  return [new AxisScale([...x]), new AxisScale([...y])];
}

/** A scatterplot on `canvas`, drawn by the shared renderer. */
export function createPlot(
  loaded: Loaded,
  canvas: HTMLCanvasElement,
  data: IPlotData,
  style: IFigureStyle,
  scales: readonly [AxisScale, AxisScale]
): Scatterplot {
  fitRenderer(loaded.renderer);
  return loaded.library.default({
    // The typings ask for a whole d3 scale; the library calls only
    // domain() and range(), which AxisScale has.
    xScale: scales[0] as unknown as Scale,
    yScale: scales[1] as unknown as Scale,
    renderer: loaded.renderer,
    canvas,
    width: PLOT_SIDE,
    height: PLOT_SIDE,
    pointSize: data.count > 100_000 ? 1 : data.count > 10_000 ? 2 : 4,
    pointColor: pointColours(data),
    colorBy: 'valueA',
    backgroundColor: style.background,
    lassoColor: style.text,
    opacityInactiveScale: 1,
    deselectOnDblClick: false,
    // Zoom and pan are the navigator's (navigator.ts), which previews them
    // where redraws are slow.
    cameraIsFixed: true,
    // Shift + drag lassoes (the Lasso tool makes a plain drag lasso).
    keyMap: {
      shift: 'lasso',
      alt: 'rotate',
      cmd: 'merge',
      ctrl: 'merge',
      meta: 'merge'
    }
  });
}

/** Draws the points with the selection's colours and the legend's filter. */
export function drawPoints(
  plot: Scatterplot,
  data: IPlotData,
  selected: readonly number[],
  hidden: ReadonlySet<number>
): Promise<void> {
  const shown = shownPoints(data, hidden);
  return plot.draw(
    { x: data.x, y: data.y, valueA: categories(data, selected) },
    shown ? { filter: shown } : {}
  );
}
