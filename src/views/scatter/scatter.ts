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
import { storedImage } from '../dom';
import { themeStyle } from '../figure';
import { type IRunState, INITIAL, startsNewRun } from '../run-state';
import { mountRunBar } from '../run-bar';
import { type IDrawnFigure, encodeFigureHere, pngAction } from '../save';
import { type IViewProps, type MountView, Lifetime } from '../view';
import { scatterLayout } from './layout';
import { legendButtons } from './legend';
import { LivePlot } from './live-plot';
import { type IPlotData, datasetIndices, plotData } from './plot-data';
import { scatterLibrary } from './renderer';
import { showSelectionGrid } from './selection-grid';
import { drawStillFigure, figureOnCanvas } from './still-figure';
import { Thumbnails } from './thumbnails';
import { showPointTooltip } from './tooltip';
import { HOW_TO, NO_WEBGL, pcaSentence } from './words';

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
  let live: LivePlot | null = null;
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
      onReset: () => live?.resetView()
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
    live?.setLasso(lasso);
  }

  function destroyScatter(): void {
    live?.destroy();
    live = null;
  }

  /** The figure written back and saved: the plot as shown, on a 2D canvas. */
  function savedFigure(): IDrawnFigure | null {
    if (!data) {
      return null;
    }
    return figureOnCanvas(
      data,
      { hidden, selected: new Set(selected) },
      themeStyle(node)
    );
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
    live?.filter(hidden);
    if (!live) {
      drawStill();
    }
  }

  /** Takes a new selection (plot indices): colours, grid, kernel, summary. */
  function select(points: readonly number[]): void {
    if (!result || !summary || !thumbnails) {
      return;
    }
    selected = [...points].sort((a, b) => a - b);
    void live?.draw(selected, hidden);
    if (!live) {
      drawStill();
    }
    // The grid waits for the shown examples' pixels; a newer selection wins.
    const chosen = selected;
    const shown = thumbnails;
    showSelectionGrid(
      selectionHost,
      result,
      chosen,
      shown,
      () => selected === chosen && thumbnails === shown
    );
    const indices = datasetIndices(result, selected);
    summary = { ...summary, selection: Array.from(indices) };
    result = { ...result, selection: indices };
    node.dataset.selected = String(selected.length);
    sentence.textContent = `${pcaSentence(summary)} ${HOW_TO}`;
    props.onResultChange?.(result, { ...summary, kind: 'pca' } as IJobSummary);
  }

  function showTooltip(point: number): void {
    const current = result;
    const shown = thumbnails;
    if (!current || !live || !shown) {
      return;
    }
    showPointTooltip(
      tooltip,
      point,
      current,
      shown,
      live.screenPosition(point),
      () => thumbnails === shown && !tooltip.hidden
    );
  }

  function drawStill(): void {
    if (data) {
      drawStillFigure(
        still,
        data,
        { hidden, selected: new Set(selected) },
        themeStyle(node)
      );
    }
  }

  async function startScatter(current: IPlotData, mine: number): Promise<void> {
    const loaded = await scatterLibrary();
    if (mine !== generation || life.disposed) {
      return;
    }
    if (!loaded) {
      node.dataset.webgl = 'none';
      notice.textContent = NO_WEBGL;
      drawStill();
      render();
      return;
    }
    node.dataset.webgl = 'on';
    const plotter = new LivePlot(
      loaded,
      current,
      {
        canvas,
        host: plot,
        ends,
        style: () => themeStyle(node),
        lassoing: () => lassoButton.getAttribute('aria-pressed') === 'true'
      },
      {
        onSelect: select,
        onPointOver: showTooltip,
        onPointOut: () => (tooltip.hidden = true)
      }
    );
    live = plotter;
    await plotter.draw(selected, hidden);
    node.dataset.drawn = 'true';
    render();
  }

  function render(): void {
    node.dataset.state = run.state;
    const shown = data !== null;
    stage.hidden = !shown;
    tools.hidden = !shown || !live;
    plot.hidden = !live;
    still.hidden = live !== null || !shown || node.dataset.webgl !== 'none';
    notice.hidden = node.dataset.webgl !== 'none' || !shown;
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
