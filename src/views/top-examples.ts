/**
 * The top-examples view (docs/architecture.md, "Views"): the k examples that
 * most excite a unit (and, when asked, the k that least do) in grids sorted
 * by value, each with its value, label and the model's prediction; whole
 * examples with their receptive-field box, or the patches themselves; a
 * click (or Enter) enlarges one. The shared run bar counts images with an
 * ETA; the PNG written back is the grids with their captions drawn in.
 */
import type {
  IJobSummary,
  ITopExamplesResult
} from '../engine/runtime/protocol';
import { button, h, storedImage } from './dom';
import {
  type IGridCell,
  type Ranked,
  captions,
  describeCaption,
  gridCell
} from './examples-grid';
import { enlargedExample } from './enlarged-example';
import { exampleSection, rankedList, savedValues } from './top-examples-parts';
import { rankedSections, topExamplesSheet } from './top-examples-sheet';
import { histogramSection } from './histogram';
import { autoScale } from './frames';
import { mountRunBar } from './run-bar';
import { type IRunState, INITIAL, startsNewRun } from './run-state';
import {
  type IDrawnFigure,
  encodeFigureHere,
  imageFigure,
  pngAction
} from './save';
import {
  type IStoredImage,
  type IViewProps,
  type MountView,
  Lifetime
} from './view';

export interface ITopExamplesProps extends IViewProps {
  /** The unit, in words ("logit 8"), for headings. */
  readonly unit: string;
  /** Start in patch mode (the spec asked for patches). */
  readonly patches: boolean;
}

const ENLARGED = 2;

export const mountTopExamples: MountView<ITopExamplesProps> = (
  host,
  props,
  options = {}
) => {
  const life = new Lifetime(options.signal);
  const { signal } = life;
  let run: IRunState = INITIAL;
  let result: ITopExamplesResult | null = null;
  let stored: string | null = null;
  let patchMode = props.patches;
  let cells: IGridCell[] = [];

  const grids = h('div', { className: 'jp-FeatureViz-examples' });
  // What the ranking left out (unreadable files of a folder).
  const note = h('div', { className: 'jp-FeatureViz-saved' });
  note.hidden = true;
  const detail = h('div', {
    className: 'jp-FeatureViz-example-detail',
    attrs: { role: 'region', 'aria-label': 'Enlarged example', tabindex: '-1' }
  });
  detail.hidden = true;
  const toggle = button(
    'Show the receptive-field patches instead of whole examples',
    'Patches',
    () => {
      patchMode = !patchMode;
      redraw();
    },
    signal
  );
  toggle.hidden = true;
  const node = h('div', {
    className: 'jp-FeatureViz-top-examples',
    children: [note, grids, detail]
  });
  const bar = mountRunBar(
    node,
    {
      onCancel: props.onCancel,
      onRerun: props.onRerun,
      saves: [
        pngAction({
          filename: props.filename,
          encode: props.encodeFigure ?? encodeFigureHere,
          ready: () => result !== null || stored !== null,
          figure: savedFigure,
          stored: () => stored
        })
      ],
      extras: [toggle]
    },
    signal
  );
  host.appendChild(node);
  life.add(() => node.remove());
  detail.addEventListener(
    'keydown',
    event => {
      if (event.key === 'Escape') {
        close();
      }
    },
    { signal }
  );

  function scaleFor(patch: boolean): number {
    if (!result) {
      return 1;
    }
    const [w, hgt] = patch
      ? [result.patchWidth, result.patchHeight]
      : [result.width, result.height];
    return props.scale ?? autoScale(w, hgt, 2);
  }

  function sections(): { title: string; ranked: Ranked }[] {
    return result ? rankedSections(result, props.unit) : [];
  }

  function layout(): void {
    close();
    cells = [];
    grids.replaceChildren(
      ...sections().map(({ title, ranked }) => {
        const shown = captions(
          {
            ...ranked,
            indices: Array.from(ranked.indices),
            values: Array.from(ranked.values),
            labels: Array.from(ranked.labels),
            predictions: Array.from(ranked.predictions)
          },
          result?.labelNames ?? null
        );
        const list = rankedList(title, shown.length);
        shown.forEach((caption, n) => {
          const cell = gridCell(
            result as ITopExamplesResult,
            ranked,
            caption,
            n,
            () => open(ranked, n, describeCaption(caption)),
            signal
          );
          cells.push(cell);
          list.appendChild(cell.node);
        });
        return exampleSection(title, list);
      })
    );
    if (result?.histogram) {
      grids.appendChild(
        histogramSection(
          result.histogram,
          props.unit,
          result.top.indices.length
        )
      );
    }
    redraw();
  }

  function redraw(): void {
    const patches = patchMode && (result?.patchWidth ?? 0) > 0;
    toggle.hidden = !result || result.patchWidth === 0;
    toggle.textContent = patches ? 'Whole images' : 'Patches';
    toggle.setAttribute('aria-pressed', String(patches));
    const scale = scaleFor(patches);
    cells.forEach(c => c.draw(patches, scale));
  }

  function open(ranked: Ranked, n: number, words: string): void {
    if (!result) {
      return;
    }
    detail.replaceChildren(
      ...enlargedExample(
        result,
        ranked,
        n,
        words,
        scaleFor(false) * ENLARGED,
        close,
        signal
      )
    );
    detail.hidden = false;
    detail.focus();
  }

  function close(): void {
    detail.hidden = true;
    detail.replaceChildren();
  }

  function currentImage() {
    return result
      ? topExamplesSheet(
          result,
          props.unit,
          patchMode && result.patchWidth > 0,
          props.scale
        )
      : null;
  }

  /** The sheet written back and saved, at its live size. */
  function savedFigure(): IDrawnFigure | null {
    const image = currentImage();
    return image ? imageFigure(image) : null;
  }

  function render(): void {
    node.dataset.state = run.state;
    bar.update(run);
  }

  function showStored(saved: IStoredImage, summary?: IJobSummary): void {
    const png = saved.png;
    stored = png;
    result = null;
    cells = [];
    close();
    const list = savedValues(summary);
    grids.replaceChildren(
      storedImage(png, `Saved top examples of ${props.unit}`, saved.width),
      ...(list ? [list] : [])
    );
    toggle.hidden = true;
    render();
  }

  render();
  return {
    node,
    setRun(next) {
      if (startsNewRun(run, next)) {
        result = null;
        stored = null;
        cells = [];
        close();
        grids.replaceChildren();
        toggle.hidden = true;
        note.hidden = true;
      }
      run = next;
      render();
    },
    pushFrame() {
      // A dataset pass has no frames: its result comes whole, at the end.
    },
    showResult(next, summary) {
      if (next.kind !== 'top-examples') {
        return;
      }
      const skipped = summary.kind === 'top-examples' ? summary.skipped : 0;
      note.textContent = skipped
        ? `${skipped} unreadable file${skipped === 1 ? '' : 's'} skipped`
        : '';
      note.hidden = !skipped;
      result = next;
      stored = null;
      layout();
      render();
    },
    showStored,
    figure: savedFigure,
    animation: () => null,
    dispose: () => life.dispose()
  };
};
