/**
 * The PCA scatter view (docs/architecture.md, "PCA"): every example at its
 * first two principal components, coloured by label, drawn by
 * regl-scatterplot on the page's one shared WebGL renderer (`renderer.ts`).
 * A legend toggles classes; the axis titles carry the explained variance;
 * zoom and pan; hover shows the example's thumbnail, label and index; a
 * lasso selects points, shows them as a grid and greys the rest, and the
 * selection goes to the kernel and into the saved summary
 * (`onResultChange`). Without WebGL the view says so and shows a still
 * picture. The PNG written back is drawn on a 2D canvas (`scatter-figure.ts`).
 */
import type {
  IJobSummary,
  IPcaResult,
  IPcaSummary,
  JobResult
} from '../../engine/runtime/protocol';
import { h, storedImage } from '../dom';
import { themeStyle } from '../figure';
import { type IRunState, INITIAL, startsNewRun } from '../run-state';
import { mountRunBar } from '../run-bar';
import { type IDrawnFigure, encodeFigureHere, pngAction } from '../save';
import { type IViewProps, type MountView, Lifetime } from '../view';
import { scatterLayout } from './layout';
import { legendButtons } from './legend';
import {
  type AxisScale,
  type Scatterplot,
  axisScales,
  createPlot,
  drawPoints
} from './plot';
import {
  type IPlotData,
  datasetIndices,
  plotData,
  shownPoints
} from './plot-data';
import { Navigator } from './navigator';
import { scatterLibrary } from './renderer';
import {
  IDENTITY,
  type IScreenTransform,
  domainsAfter
} from './screen-transform';
import { PLOT_SIDE, drawScatterFigure } from './scatter-figure';
import { SELECTION_SHOWN, selectionGrid } from './selection-grid';
import { Thumbnails } from './thumbnails';
import { HOW_TO, pcaSentence } from './words';

export interface IPcaProps extends IViewProps {
  readonly layer: string;
}

export const mountPca: MountView<IPcaProps> = (host, props, options = {}) => {
  const life = new Lifetime(options.signal);
  let run: IRunState = INITIAL;
  let result: IPcaResult | null = null;
  let summary: IPcaSummary | null = null;
  let data: IPlotData | null = null;
  let thumbnails: Thumbnails | null = null;
  let stored: string | null = null;
  let scatterplot: Scatterplot | null = null;
  let navigator: Navigator | null = null;
  // Aborted when the plot goes: its navigator's listeners go with it.
  let plotLife: AbortController | null = null;
  let hidden = new Set<number>();
  let selected: number[] = [];
  // Bumped on every result: a late WebGL start for an older one is dropped.
  let generation = 0;

  const {
    node,
    storedHost,
    notice,
    canvas,
    still,
    xTitle,
    yTitle,
    ends,
    tooltip,
    plot,
    legend,
    lasso: lassoButton,
    toolbar: tools,
    stage,
    sentence,
    selection: selectionHost
  } = scatterLayout(
    {
      onLasso: () =>
        setMode(lassoButton.getAttribute('aria-pressed') !== 'true'),
      onClear: () => select([]),
      onReset: () => {
        navigator?.cancel();
        void scatterplot?.reset();
      }
    },
    life.signal
  );
  const bar = mountRunBar(
    node,
    {
      onCancel: props.onCancel,
      onRerun: props.onRerun,
      saves: [
        pngAction({
          filename: props.filename,
          encode: props.encodeFigure ?? encodeFigureHere,
          ready: () => data !== null,
          figure: savedFigure,
          stored: () => stored
        })
      ]
    },
    life.signal
  );
  host.appendChild(node);
  life.add(() => node.remove());
  life.add(() => destroyScatter());

  function setMode(lasso: boolean): void {
    lassoButton.setAttribute('aria-pressed', String(lasso));
    void scatterplot?.set({ mouseMode: lasso ? 'lasso' : 'panZoom' });
  }

  /**
   * The axes' data values at the plot's edges, as the camera shows them, or
   * as a previewed zoom or pan `t` will show them.
   */
  function showEnds(
    [x, y]: readonly [AxisScale, AxisScale],
    t: IScreenTransform = IDENTITY
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

  function destroyScatter(): void {
    plotLife?.abort();
    plotLife = null;
    navigator = null;
    scatterplot?.destroy();
    scatterplot = null;
  }

  /** The figure written back and saved: the plot as shown, on a 2D canvas. */
  function savedFigure(): IDrawnFigure | null {
    if (!data) {
      return null;
    }
    const scratch = document.createElement('canvas');
    const size = drawScatterFigure(
      scratch,
      data,
      { hidden, selected: new Set(selected) },
      themeStyle(node)
    );
    return { canvas: scratch, ...size };
  }

  function drawLegend(): void {
    legend.replaceChildren(
      ...(data ? legendButtons(data, hidden, toggle, life.signal) : [])
    );
  }

  function toggle(c: number): void {
    const next = new Set(hidden);
    if (!next.delete(c)) {
      next.add(c);
    }
    hidden = next;
    drawLegend();
    if (data && scatterplot) {
      const shown = shownPoints(data, hidden);
      void (shown ? scatterplot.filter(shown) : scatterplot.unfilter());
    }
    if (!scatterplot) {
      drawStill();
    }
  }

  let redrawing = false;
  /** Draws the points with the selection's colours, keeping the legend's filter. */
  async function redraw(): Promise<void> {
    if (!data || !scatterplot) {
      return;
    }
    redrawing = true;
    try {
      await drawPoints(scatterplot, data, selected, hidden);
    } finally {
      redrawing = false;
    }
  }

  /** Takes a new selection (plot indices): colours, grid, kernel, summary. */
  function select(points: readonly number[]): void {
    if (!result || !summary || !thumbnails) {
      return;
    }
    selected = [...points].sort((a, b) => a - b);
    void redraw();
    if (!scatterplot) {
      drawStill();
    }
    showSelection(result, selected, thumbnails);
    const indices = datasetIndices(result, selected);
    summary = { ...summary, selection: Array.from(indices) };
    result = { ...result, selection: indices };
    node.dataset.selected = String(selected.length);
    sentence.textContent = `${pcaSentence(summary)} ${HOW_TO}`;
    props.onResultChange?.(result, { ...summary, kind: 'pca' } as IJobSummary);
  }

  /** The selection's grid, once the shown examples' pixels are here. */
  function showSelection(
    current: IPcaResult,
    points: readonly number[],
    shown: Thumbnails
  ): void {
    if (points.length === 0) {
      selectionHost.replaceChildren();
      return;
    }
    void shown.load(points.slice(0, SELECTION_SHOWN)).then(() => {
      if (selected === points && thumbnails === shown) {
        selectionHost.replaceChildren(selectionGrid(current, points, shown));
      }
    });
  }

  function showTooltip(point: number): void {
    const current = result;
    if (!current || !scatterplot || !thumbnails) {
      return;
    }
    const at = scatterplot.getScreenPosition(point);
    const label = current.labels[point];
    const name =
      label >= 0 ? (current.labelNames?.[label] ?? String(label)) : 'no label';
    const image = thumbnails.get(point, 3);
    tooltip.replaceChildren(
      ...(image ? [image] : []),
      h('div', { text: `label ${name}` }),
      h('div', { text: `example #${current.first + point}` })
    );
    tooltip.dataset.index = String(current.first + point);
    if (!image) {
      // Not carried by the result: the engine's dataset has it.
      const shown = thumbnails;
      void shown.load([point]).then(ok => {
        const later = ok && thumbnails === shown && !tooltip.hidden;
        if (later && tooltip.dataset.index === String(current.first + point)) {
          const loaded = shown.get(point, 3);
          if (loaded) {
            tooltip.prepend(loaded);
          }
        }
      });
    }
    if (at) {
      const [x, y] = at;
      tooltip.style.left = `${Math.min(x + 12, PLOT_SIDE - 60)}px`;
      tooltip.style.top = `${Math.max(y - 40, 0)}px`;
    }
    tooltip.hidden = false;
  }

  function drawStill(): void {
    if (!data) {
      return;
    }
    const size = drawScatterFigure(
      still,
      data,
      { hidden, selected: new Set(selected) },
      themeStyle(node),
      globalThis.devicePixelRatio || 1
    );
    still.style.width = `${size.width}px`;
    still.style.height = `${size.height}px`;
    still.setAttribute('aria-label', `${data.xTitle} against ${data.yTitle}`);
  }

  async function startScatter(current: IPlotData, mine: number): Promise<void> {
    const loaded = await scatterLibrary();
    if (mine !== generation || life.disposed) {
      return;
    }
    if (!loaded) {
      node.dataset.webgl = 'none';
      notice.textContent =
        'WebGL is not available in this browser, so the interactive plot (zoom, hover, lasso) cannot be shown: this is a still picture of it.';
      drawStill();
      render();
      return;
    }
    node.dataset.webgl = 'on';
    const scales = axisScales(current);
    const plotter = createPlot(
      loaded,
      canvas,
      current,
      themeStyle(node),
      scales
    );
    showEnds(scales);
    plotter.subscribe('view', () => showEnds(scales));
    scatterplot = plotter;
    plotLife = new AbortController();
    navigator = new Navigator(plotter, canvas, plot, {
      side: PLOT_SIDE,
      background: () => themeStyle(node).background,
      panning: () => lassoButton.getAttribute('aria-pressed') !== 'true',
      onPreview: t => showEnds(scales, t),
      signal: plotLife.signal
    });
    // A re-run's plot keeps the tool the user picked.
    setMode(lassoButton.getAttribute('aria-pressed') === 'true');
    plotter.subscribe('select', ({ points }) => {
      if (!redrawing) {
        select(points);
      }
    });
    plotter.subscribe('pointOver', showTooltip);
    plotter.subscribe('pointOut', () => (tooltip.hidden = true));
    await redraw();
    node.dataset.drawn = 'true';
    render();
  }

  function render(): void {
    node.dataset.state = run.state;
    const live = data !== null;
    stage.hidden = !live;
    tools.hidden = !live || !scatterplot;
    plot.hidden = !scatterplot;
    still.hidden =
      scatterplot !== null || !live || node.dataset.webgl !== 'none';
    notice.hidden = node.dataset.webgl !== 'none' || !live;
    bar.update(run);
  }

  function reset(): void {
    generation++;
    destroyScatter();
    result = null;
    summary = null;
    data = null;
    thumbnails = null;
    stored = null;
    hidden = new Set();
    selected = [];
    tooltip.hidden = true;
    ends.forEach(end => (end.textContent = ''));
    delete node.dataset.webgl;
    delete node.dataset.drawn;
    delete node.dataset.selected;
    storedHost.replaceChildren();
    selectionHost.replaceChildren();
    legend.replaceChildren();
  }

  setMode(false);
  tooltip.hidden = true;
  render();
  return {
    node,
    setRun(next) {
      if (startsNewRun(run, next)) {
        reset();
      }
      run = next;
      render();
    },
    pushFrame() {
      // A projection has no frames: progress events only.
    },
    showResult(next: JobResult, done: IJobSummary) {
      if (next.kind !== 'pca' || done.kind !== 'pca') {
        return;
      }
      reset();
      result = next;
      summary = done;
      data = plotData(next);
      thumbnails = new Thumbnails(next, props.examples ?? null);
      xTitle.textContent = data.xTitle;
      yTitle.textContent = data.yTitle;
      canvas.setAttribute(
        'aria-label',
        `${data.count} examples at ${props.layer}: ${data.xTitle} against ${data.yTitle}`
      );
      sentence.textContent = `${pcaSentence(done)} ${HOW_TO}`;
      drawLegend();
      render();
      void startScatter(data, generation);
    },
    showStored(saved, saveSummary?: IJobSummary) {
      reset();
      stored = saved.png;
      storedHost.replaceChildren(
        storedImage(saved.png, `Saved PCA of ${props.layer}`, saved.width)
      );
      sentence.textContent =
        saveSummary?.kind === 'pca' ? pcaSentence(saveSummary) : '';
      render();
    },
    figure: savedFigure,
    animation: () => null,
    dispose: () => life.dispose()
  };
};
