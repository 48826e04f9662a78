/**
 * One PCA scatter's interactive plot (docs/architecture.md, "PCA"):
 * regl-scatterplot on the page's shared renderer, the navigator that zooms
 * and pans it (previewing gestures where redraws are slow), the axes' edge
 * values that follow the camera, and the tool (pan or lasso). The view
 * (`scatter.ts`) owns the data, selection and legend; this owns the WebGL
 * side and lets go of it in `destroy()`.
 */
import type { IFigureStyle } from '../figure';
import { Navigator } from './navigator';
import {
  type AxisScale,
  type Scatterplot,
  axisScales,
  createPlot,
  drawPoints
} from './plot';
import { type IPlotData, shownPoints } from './plot-data';
import type { scatterLibrary } from './renderer';
import { PLOT_SIDE } from './scatter-figure';
import {
  IDENTITY,
  type IScreenTransform,
  domainsAfter
} from './screen-transform';

type Loaded = NonNullable<Awaited<ReturnType<typeof scatterLibrary>>>;

export interface ILivePlotParts {
  /** The plot's canvas, drawn by the shared renderer. */
  readonly canvas: HTMLCanvasElement;
  /** The element around it that takes the gestures. */
  readonly host: HTMLElement;
  /** x left, x right, y bottom, y top. */
  readonly ends: readonly HTMLElement[];
  readonly style: () => IFigureStyle;
  /** Whether the lasso tool is on (a plain drag lassoes, not pans). */
  readonly lassoing: () => boolean;
}

export interface ILivePlotEvents {
  /** A lasso or click chose these points (not a redraw's echo). */
  readonly onSelect: (points: number[]) => void;
  readonly onPointOver: (point: number) => void;
  readonly onPointOut: () => void;
}

export class LivePlot {
  private readonly _plot: Scatterplot;
  private readonly _navigator: Navigator;
  private readonly _life = new AbortController();
  private _redrawing = false;

  constructor(
    loaded: Loaded,
    private readonly _data: IPlotData,
    parts: ILivePlotParts,
    events: ILivePlotEvents
  ) {
    const scales = axisScales(_data);
    const plot = createPlot(loaded, parts.canvas, _data, parts.style(), scales);
    const showEnds = (t: IScreenTransform = IDENTITY) =>
      writeEnds(parts.ends, scales, t);
    showEnds();
    plot.subscribe('view', () => showEnds());
    this._navigator = new Navigator(plot, parts.canvas, parts.host, {
      side: PLOT_SIDE,
      background: () => parts.style().background,
      panning: () => !parts.lassoing(),
      onPreview: showEnds,
      signal: this._life.signal
    });
    plot.subscribe('select', ({ points }) => {
      if (!this._redrawing) {
        events.onSelect(points);
      }
    });
    plot.subscribe('pointOver', events.onPointOver);
    plot.subscribe('pointOut', events.onPointOut);
    this._plot = plot;
    // A re-run's plot keeps the tool the user picked.
    this.setLasso(parts.lassoing());
  }

  setLasso(lasso: boolean): void {
    void this._plot.set({ mouseMode: lasso ? 'lasso' : 'panZoom' });
  }

  /** Draws the points with the selection's colours and the legend's filter. */
  async draw(
    selected: readonly number[],
    hidden: ReadonlySet<number>
  ): Promise<void> {
    this._redrawing = true;
    try {
      await drawPoints(this._plot, this._data, selected, hidden);
    } finally {
      this._redrawing = false;
    }
  }

  /** Shows only the classes not hidden in the legend. */
  filter(hidden: ReadonlySet<number>): void {
    const shown = shownPoints(this._data, hidden);
    void (shown ? this._plot.filter(shown) : this._plot.unfilter());
  }

  /** Back to the first view (a pending gesture is dropped). */
  resetView(): void {
    this._navigator.cancel();
    void this._plot.reset();
  }

  screenPosition(point: number): [number, number] | undefined {
    return this._plot.getScreenPosition(point);
  }

  destroy(): void {
    this._life.abort();
    this._plot.destroy();
  }
}

/**
 * The axes' data values at the plot's edges, as the camera shows them, or
 * as a previewed zoom or pan `t` will show them.
 */
function writeEnds(
  ends: readonly HTMLElement[],
  [x, y]: readonly [AxisScale, AxisScale],
  t: IScreenTransform
): void {
  const [[xLow, xHigh], [yLow, yHigh]] = domainsAfter(
    x.domain(),
    y.domain(),
    t,
    PLOT_SIDE
  );
  [xLow, xHigh, yLow, yHigh].forEach((value, i) => {
    ends[i].textContent = value.toPrecision(3);
  });
}
