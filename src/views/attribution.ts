/**
 * The view of the lenses on one input, occlusion and saliency
 * (docs/architecture.md, "Views"): one figure of panels (the input, each
 * map over it with its colour scale and legend, occlusion's percentages on
 * its positions), a slider for the maps' opacity, the values as a table
 * (screen readers, and a reader who wants the numbers), and the run bar. The
 * figure is drawn on a canvas; the PNG written back is the same drawing, so
 * a saved notebook shows the labels and numbers too.
 */
import type {
  IOcclusionResult,
  ISaliencyResult
} from '../engine/attribution/types';
import type { IJobSummary, JobResult } from '../engine/runtime/protocol';
import { occlusionFigure, saliencyFigure } from './attribution-panels';
import {
  METHOD_NAMES,
  formatPercent,
  occlusionSentence,
  saliencySentence
} from './attribution-words';
import { h, storedImage } from './dom';
import { autoScale } from './frames';
import { SAVED_RATIO, drawFigure } from './panel-figure';
import type { IFigureSpec } from './panel-layout';
import { themeStyle } from './figure';
import { mountFigureFrame } from './figure-frame';
import { type IRunState, INITIAL, startsNewRun } from './run-state';
import type { IDrawnFigure } from './save';
import { type IViewProps, type MountView, Lifetime } from './view';

export interface IAttributionProps extends IViewProps {
  readonly kind: 'occlusion' | 'saliency';
  /** The maps' opacity over the input at first, 0 to 1. */
  readonly opacity?: number;
}

type AttributionResult = IOcclusionResult | ISaliencyResult;

/** Panels per row: the input and up to three maps. */
const COLUMNS = 4;

/** The numbers behind the figure, as a table. */
function valuesTable(result: AttributionResult): HTMLElement {
  if (result.kind === 'occlusion') {
    const { rows, cols } = result.grid;
    return h('table', {
      className: 'jp-FeatureViz-values',
      attrs: { 'aria-label': `Change of ${result.unit} per position (%)` },
      children: [
        h('caption', {
          text: `Change of ${result.unit} when the square covers each position (row, column)`
        }),
        ...Array.from({ length: rows }, (_, r) =>
          h('tr', {
            children: Array.from({ length: cols }, (_, c) =>
              h('td', {
                text: formatPercent(result.change[r * cols + c]),
                attrs: { 'data-row': String(r), 'data-col': String(c) }
              })
            )
          })
        )
      ]
    });
  }
  return h('table', {
    className: 'jp-FeatureViz-values',
    children: [
      h('caption', { text: `Largest attribution to ${result.unit}` }),
      ...result.maps.map(map => {
        let best = 0;
        map.map.forEach((v, i) => {
          if (Math.abs(v) > Math.abs(map.map[best])) {
            best = i;
          }
        });
        const x = best % result.input.width;
        const y = Math.floor(best / result.input.width);
        return h('tr', {
          children: [
            h('th', { text: METHOD_NAMES[map.method] }),
            h('td', { text: `${map.map[best].toPrecision(3)} at (${x}, ${y})` })
          ]
        });
      })
    ]
  });
}

/** What a saved summary says, field by field checked by the reader. */
function storedSentence(summary?: IJobSummary): string {
  if (summary?.kind === 'occlusion') {
    return occlusionSentence(summary);
  }
  if (summary?.kind === 'saliency') {
    return saliencySentence(summary);
  }
  return '';
}

export const mountAttribution: MountView<IAttributionProps> = (
  host,
  props,
  options = {}
) => {
  const life = new Lifetime(options.signal);
  const { signal } = life;
  let run: IRunState = INITIAL;
  let result: AttributionResult | null = null;
  let stored: string | null = null;
  let opacity = props.opacity ?? 0.6;

  const slider = h('input', {
    className: 'jp-FeatureViz-opacity',
    attrs: {
      type: 'range',
      min: '0',
      max: '100',
      step: '5',
      value: String(Math.round(opacity * 100)),
      'aria-label': "The maps' opacity over the input"
    }
  });
  const controls = h('label', {
    className: 'jp-FeatureViz-opacity-control',
    children: [h('span', { text: 'Map opacity' }), slider]
  });
  const details = h('details', {
    className: 'jp-FeatureViz-details',
    children: [h('summary', { text: 'Values' })]
  });
  const { node, canvas, storedHost, sentence, bar } = mountFigureFrame(
    host,
    props,
    {
      className: 'jp-FeatureViz-attribution',
      controls: [controls, details],
      ready: () => result !== null || stored !== null,
      figure: savedFigure,
      stored: () => stored,
      life
    }
  );
  slider.addEventListener(
    'input',
    () => {
      opacity = Number(slider.value) / 100;
      draw();
    },
    { signal }
  );

  function figure(): IFigureSpec | null {
    if (!result) {
      return null;
    }
    const spec =
      result.kind === 'occlusion'
        ? occlusionFigure(result, opacity)
        : saliencyFigure(result, opacity);
    return { ...spec, columns: COLUMNS };
  }

  function scaleFor(r: AttributionResult): number {
    return props.scale ?? autoScale(r.input.width, r.input.height);
  }

  function draw(): void {
    const spec = figure();
    if (!spec || !result) {
      return;
    }
    const ratio = globalThis.devicePixelRatio || 1;
    const layout = drawFigure(canvas, spec, {
      scale: scaleFor(result),
      ratio,
      style: themeStyle(node)
    });
    canvas.style.width = `${layout.width}px`;
    canvas.style.height = `${layout.height}px`;
    canvas.setAttribute('aria-label', spec.panels.map(p => p.title).join(', '));
  }

  /**
   * The figure written back and saved, as drawn live (SAVED_RATIO canvas
   * pixels per CSS pixel).
   */
  function savedFigure(): IDrawnFigure | null {
    const spec = figure();
    if (!spec || !result) {
      return null;
    }
    const scratch = document.createElement('canvas');
    const layout = drawFigure(scratch, spec, {
      scale: scaleFor(result),
      ratio: SAVED_RATIO,
      style: themeStyle(node)
    });
    return { canvas: scratch, width: layout.width, height: layout.height };
  }

  function render(): void {
    node.dataset.state = run.state;
    const live = result !== null;
    canvas.hidden = !live;
    controls.hidden = !live;
    details.hidden = !live;
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
        sentence.textContent = '';
      }
      run = next;
      render();
    },
    pushFrame() {
      // A lens on one input has no frames: its result comes when done.
    },
    showResult(next: JobResult, summary: IJobSummary) {
      if (next.kind !== props.kind) {
        return;
      }
      result = next as AttributionResult;
      stored = null;
      storedHost.replaceChildren();
      sentence.textContent = storedSentence(summary);
      details.replaceChildren(
        h('summary', { text: 'Values' }),
        valuesTable(result)
      );
      draw();
      render();
    },
    showStored(saved, summary) {
      stored = saved.png;
      result = null;
      storedHost.replaceChildren(
        storedImage(saved.png, `Saved ${props.kind} figure`, saved.width)
      );
      sentence.textContent = storedSentence(summary);
      render();
    },
    figure: savedFigure,
    animation: () => null,
    dispose: () => life.dispose()
  };
};
