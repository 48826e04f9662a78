/**
 * The filters view (docs/architecture.md, "Views"): a convolution's kernels
 * as a labelled grid. Kernels that read the model's input are one image per
 * filter: grey inputs on the diverging weight scale shared by all filters
 * (with its legend), colour inputs in colour, each filter stretched to its
 * own range (the usual way to show first-layer filters). Deeper kernels are
 * one strip per filter, a cell per input channel. Same run bar, stored image
 * and PNG as every view.
 */
import type { IFiltersResult } from '../engine/attribution/types';
import type { IJobSummary, JobResult } from '../engine/runtime/protocol';
import { formatValue } from './attribution-words';
import { colorize } from './colormap';
import { storedImage } from './dom';
import type { IImage } from './frames';
import { SAVED_RATIO, drawFigure } from './panel-figure';
import type { IFigureSpec, IPanel } from './panel-layout';
import { themeStyle } from './figure';
import { mountFigureFrame } from './figure-frame';
import { type IRunState, INITIAL, startsNewRun } from './run-state';
import type { IDrawnFigure } from './save';
import { type IViewProps, type MountView, Lifetime } from './view';

/** Kernel (row, col) of input channel `i`, filter `f`. */
function weightAt(
  result: IFiltersResult,
  row: number,
  col: number,
  i: number,
  f: number
): number {
  const [, kw, inputs, filters] = result.kernelShape;
  return result.weights[((row * kw + col) * inputs + i) * filters + f];
}

/** One filter of a colour input, stretched to its own range. */
function colourFilter(result: IFiltersResult, f: number): IImage {
  const [kh, kw] = result.kernelShape;
  let low = Infinity;
  let high = -Infinity;
  for (let r = 0; r < kh; r++) {
    for (let c = 0; c < kw; c++) {
      for (let i = 0; i < 3; i++) {
        const w = weightAt(result, r, c, i, f);
        low = Math.min(low, w);
        high = Math.max(high, w);
      }
    }
  }
  const span = high - low || 1;
  const data = new Uint8ClampedArray(kh * kw * 4);
  for (let r = 0; r < kh; r++) {
    for (let c = 0; c < kw; c++) {
      for (let i = 0; i < 3; i++) {
        data[(r * kw + c) * 4 + i] =
          ((weightAt(result, r, c, i, f) - low) / span) * 255;
      }
      data[(r * kw + c) * 4 + 3] = 255;
    }
  }
  return { width: kw, height: kh, data };
}

/** One filter as a strip of its input channels, a gap between them. */
function stripFilter(
  result: IFiltersResult,
  f: number,
  inputs: number
): IImage {
  const [kh, kw] = result.kernelShape;
  const width = inputs * (kw + 1) - 1;
  const values = new Float32Array(kh * width).fill(NaN);
  for (let i = 0; i < inputs; i++) {
    for (let r = 0; r < kh; r++) {
      for (let c = 0; c < kw; c++) {
        values[r * width + i * (kw + 1) + c] = weightAt(result, r, c, i, f);
      }
    }
  }
  const domain = { min: -result.scale, max: result.scale };
  return colorize(values, width, kh, 'diverging', domain);
}

/** The grid of a layer's filters, and the scale it is drawn at. */
export function filtersFigure(result: IFiltersResult): {
  figure: IFigureSpec;
  scale: number;
} {
  const [kh, kw, inputs, filters] = result.kernelShape;
  const colour = result.readsInput && inputs === 3;
  // A deeper layer (or an input of other than 1 or 3 channels): a strip each.
  const strips = !colour && inputs > 1;
  const panels: IPanel[] = Array.from({ length: filters }, (_, f) => ({
    title: String(f),
    image: colour
      ? colourFilter(result, f)
      : stripFilter(result, f, strips ? inputs : 1)
  }));
  const stripWidth = strips ? inputs * (kw + 1) - 1 : kw;
  const scale = Math.max(
    2,
    Math.min(16, Math.floor((strips ? 480 : 48) / Math.max(stripWidth, kh)))
  );
  return {
    scale,
    figure: {
      panels,
      columns: strips ? 2 : 8,
      minPanel: Math.max(24, stripWidth * scale),
      gap: 8,
      legend: colour
        ? undefined
        : {
            scale: 'diverging',
            domain: { min: -result.scale, max: result.scale },
            label: strips
              ? `weight (each strip: the ${inputs} input channels of one filter)`
              : 'weight',
            format: formatValue
          }
    }
  };
}

function describe(result: { layer: string; kernelShape: readonly number[] }) {
  const [kh, kw, inputs, filters] = result.kernelShape;
  return `${filters} filters of ${result.layer}, ${kh}×${kw} over ${inputs} input channel${inputs === 1 ? '' : 's'}`;
}

export interface IFiltersProps extends IViewProps {
  readonly layer?: string;
}

export const mountFilters: MountView<IFiltersProps> = (
  host,
  props,
  options = {}
) => {
  const life = new Lifetime(options.signal);
  let run: IRunState = INITIAL;
  let result: IFiltersResult | null = null;
  let stored: string | null = null;
  const { node, canvas, storedHost, sentence, bar } = mountFigureFrame(
    host,
    props,
    {
      className: 'jp-FeatureViz-filters',
      ready: () => result !== null || stored !== null,
      figure: savedFigure,
      stored: () => stored,
      life
    }
  );

  function draw(
    target: HTMLCanvasElement,
    ratio: number
  ): { width: number; height: number } | null {
    if (!result) {
      return null;
    }
    const { figure, scale } = filtersFigure(result);
    const layout = drawFigure(target, figure, {
      scale,
      ratio,
      style: themeStyle(node)
    });
    if (target === canvas) {
      canvas.style.width = `${layout.width}px`;
      canvas.style.height = `${layout.height}px`;
      canvas.setAttribute('aria-label', describe(result));
    }
    return layout;
  }

  /** The figure written back and saved, as drawn live. */
  function savedFigure(): IDrawnFigure | null {
    const scratch = document.createElement('canvas');
    const layout = draw(scratch, SAVED_RATIO);
    return layout
      ? { canvas: scratch, width: layout.width, height: layout.height }
      : null;
  }

  function render(): void {
    node.dataset.state = run.state;
    canvas.hidden = result === null;
    bar.update(run);
  }

  render();
  return {
    node,
    setRun(next) {
      if (startsNewRun(run, next)) {
        result = null;
        stored = null;
        storedHost.replaceChildren();
      }
      run = next;
      render();
    },
    pushFrame() {
      // Filters are read, not computed over steps: no frames.
    },
    showResult(next: JobResult) {
      if (next.kind !== 'filters') {
        return;
      }
      result = next;
      stored = null;
      storedHost.replaceChildren();
      sentence.textContent = `${describe(next)}.`;
      draw(canvas, globalThis.devicePixelRatio || 1);
      render();
    },
    showStored(saved, summary?: IJobSummary) {
      stored = saved.png;
      result = null;
      storedHost.replaceChildren(
        storedImage(
          saved.png,
          `Saved filters of ${props.layer ?? 'the first convolution'}`,
          saved.width
        )
      );
      sentence.textContent =
        summary?.kind === 'filters' ? `${describe(summary)}.` : '';
      render();
    },
    figure: savedFigure,
    animation: () => null,
    dispose: () => life.dispose()
  };
};
