/**
 * The layer atlas: every channel of a layer in a grid, filled in as the one
 * batched run progresses, each cell labelled with its channel and value.
 * The grid is laid out from the spec's channels or, when the spec asks for
 * every channel, from those the job announces as it starts; cells are made
 * a few dozen per display frame, so that a layer of hundreds of channels
 * never freezes the page, and painted once per display frame from the
 * newest frame. Choosing a cell opens that channel's animation in a player
 * below the grid. The figure it writes back is the labelled grid.
 */
import type { IFrame } from '../engine/runtime/protocol';
import { h, storedImage } from './dom';
import { type IFigureSpec, formatValue } from './figure';
import { autoScale, gridShape, imageOf, paintImage } from './frames';
import { mountPlayer } from './player';
import { mountRunBar } from './run-bar';
import { type IRunState, INITIAL, startsNewRun } from './run-state';
import { type IFigure, encodeFigureHere, figureOf, pngAction } from './save';
import { paintScheduler } from './scheduler';
import {
  type IStoredImage,
  type IView,
  type IViewProps,
  type MountView,
  Lifetime
} from './view';

export interface IAtlasProps extends IViewProps {
  readonly layer: string;
  /** The channels to show; when omitted, those the job announces. */
  readonly channels?: readonly number[];
}

interface ICell {
  readonly canvas: HTMLCanvasElement;
  readonly value: HTMLElement;
  readonly node: HTMLButtonElement;
  /** The frame painted into it last. */
  painted: IFrame | null;
}

const MAX_COLUMNS = 8;
/** Cells made per display frame while a grid is laid out. */
const CELLS_PER_FRAME = 48;
/**
 * Screen pixels from one cell's image to the next in the live grid: the
 * canvas's border, the cell's padding and border, on both sides, and the
 * grid's gap (base.css: 1 + 2 + 1 on each side, and 4).
 */
const CELL_GAP = 12;

export const mountAtlas: MountView<IAtlasProps> = (
  host,
  props,
  options = {}
) => {
  const life = new Lifetime(options.signal);
  const { signal } = life;
  const frames: IFrame[] = [];
  let run: IRunState = INITIAL;
  let channels: readonly number[] = [];
  let columns = 1;
  let cells: ICell[] = [];
  // The open channel's player, and the lifetime that ends it.
  let detail: { view: IView; life: Lifetime } | null = null;
  let stored: IStoredImage | null = null;

  const grid = h('div', {
    className: 'jp-FeatureViz-atlas',
    attrs: { role: 'list', 'aria-label': `Channels of ${props.layer}` }
  });
  const detailHost = h('div', { className: 'jp-FeatureViz-atlas-detail' });
  const storedHost = h('div', { className: 'jp-FeatureViz-stage' });
  const idle = h('div', {
    className: 'jp-FeatureViz-idle',
    text: 'Not run yet: opening or trusting a notebook starts nothing. Press Run to compute this atlas.'
  });
  // What the engine's recipe did, and notes on the pictures.
  const caption = h('div', { className: 'jp-FeatureViz-caption' });
  const node = h('div', {
    className: 'jp-FeatureViz-atlas-view',
    children: [idle, storedHost, grid, caption]
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
          ready: () => frames.length > 0,
          figure,
          stored: () => stored?.png ?? null
        })
      ]
    },
    signal
  );
  node.appendChild(detailHost);
  host.appendChild(node);
  life.add(() => node.remove());
  const painter = paintScheduler(paintGrid, signal);
  // Cells are made every display frame, not at the paints' pace.
  const builder = paintScheduler(buildCells, signal, 0);
  layout(props.channels ?? []);

  /** One cell per channel, in order; a new list closes the open channel. */
  function layout(next: readonly number[]): void {
    if (
      next.length === channels.length &&
      next.every((c, i) => c === channels[i])
    ) {
      return;
    }
    channels = next;
    close();
    columns = gridShape(channels.length, MAX_COLUMNS).columns;
    grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
    cells = [];
    grid.replaceChildren();
    builder.request();
  }

  /** One display frame's share of the grid, then a paint into the new cells. */
  function buildCells(): void {
    addCells();
    if (cells.length < channels.length) {
      builder.request();
    }
    painter.request();
  }

  /** Makes the next few cells of the grid. */
  function addCells(): void {
    const fragment = document.createDocumentFragment();
    const end = Math.min(channels.length, cells.length + CELLS_PER_FRAME);
    for (let index = cells.length; index < end; index++) {
      const channel = channels[index];
      const canvas = h('canvas', { className: 'jp-FeatureViz-canvas' });
      canvas.hidden = true;
      const value = h('span', { className: 'jp-FeatureViz-cell-value' });
      const cell = h('button', {
        className: 'jp-FeatureViz-cell',
        attrs: {
          type: 'button',
          role: 'listitem',
          'aria-label': `Channel ${channel}: open its animation`,
          'data-channel': String(channel)
        },
        children: [
          canvas,
          h('span', {
            className: 'jp-FeatureViz-cell-label',
            text: `ch ${channel}`
          }),
          value
        ]
      });
      cell.addEventListener('click', () => select(index), { signal });
      cells.push({ canvas, value, node: cell, painted: null });
      fragment.appendChild(cell);
    }
    grid.appendChild(fragment);
  }

  function close(): void {
    detail?.life.dispose();
    detail = null;
  }

  function select(index: number): void {
    close();
    cells.forEach((c, i) =>
      c.node.setAttribute('aria-pressed', String(i === index))
    );
    // Disposed with the atlas, or when another channel opens.
    const detailLife = new Lifetime(signal);
    const view = mountPlayer(
      detailHost,
      {
        select: index,
        scale: props.scale,
        filename: `${props.filename}-channel-${channels[index]}`,
        encodeFigure: props.encodeFigure,
        controls: false
      },
      { signal: detailLife.signal }
    );
    detail = { view, life: detailLife };
    view.setRun(run);
    frames.forEach(f => view.pushFrame(f));
  }

  function scaleFor(frame: IFrame): number {
    return props.scale ?? autoScale(frame.width, frame.height, channels.length);
  }

  /** One paint: the newest frame in each cell that lacks it. */
  function paintGrid(): void {
    const frame = frames[frames.length - 1];
    if (frame) {
      const scale = scaleFor(frame);
      cells.forEach((c, i) => {
        if (i >= frame.batch || c.painted === frame) {
          return;
        }
        c.painted = frame;
        paintImage(c.canvas, frame, i);
        c.canvas.hidden = false;
        c.canvas.style.width = `${frame.width * scale}px`;
        c.canvas.style.height = `${frame.height * scale}px`;
        const note = frame.notes?.[i];
        c.value.textContent = `${formatValue(frame.perImage[i] ?? NaN)}${note ? ` · ${note}` : ''}`;
        if (note) {
          c.node.dataset.note = note;
        } else {
          delete c.node.dataset.note;
        }
      });
      caption.textContent = frame.caption ?? '';
    }
    render();
  }

  function figureSpec(frame: IFrame): IFigureSpec {
    const count = Math.min(frame.batch, channels.length || frame.batch);
    return {
      images: Array.from({ length: count }, (_, i) => imageOf(frame, i)),
      columns,
      labels: Array.from({ length: count }, (_, i) =>
        channels[i] === undefined ? '' : `ch ${channels[i]}`
      ),
      values: Array.from(frame.perImage.subarray(0, count)),
      displayScale: scaleFor(frame),
      displayGap: CELL_GAP
    };
  }

  function figure(): IFigure | null {
    const frame = frames[frames.length - 1];
    if (!frame) {
      return null;
    }
    return figureOf(figureSpec(frame), node);
  }

  /**
   * The grid in place of a saved picture (held or not). A held picture is
   * marked jp-mod-stale: the class is the hold's only state.
   */
  function showGrid(): void {
    node.classList.remove('jp-mod-stale');
    storedHost.replaceChildren();
    grid.hidden = false;
  }

  function render(): void {
    node.dataset.state = run.state;
    bar.update(run);
    idle.hidden = frames.length > 0 || stored !== null || run.state !== 'idle';
  }

  render();
  return {
    node,
    setRun(next) {
      if (startsNewRun(run, next)) {
        frames.length = 0;
        // A saved picture holds its place, dimmed, until the new run's
        // first frame (as the player's pictures do): the run bar under it
        // must not move just as its Cancel is clicked.
        if (stored) {
          stored = null;
          node.classList.add('jp-mod-stale');
        } else {
          showGrid();
        }
      }
      if (next.channels && !props.channels) {
        layout(next.channels);
      }
      const changed = next.state !== run.state;
      run = next;
      detail?.view.setRun(next);
      if (changed) {
        render();
      } else {
        painter.request();
      }
    },
    pushFrame(frame) {
      if (channels.length === 0) {
        // No channel list (an engine that announced none): one per image.
        layout(Array.from({ length: frame.batch }, (_, i) => i));
      }
      if (node.classList.contains('jp-mod-stale')) {
        showGrid();
      }
      frames.push(frame);
      detail?.view.pushFrame(frame);
      painter.request();
    },
    showStored(result) {
      node.classList.remove('jp-mod-stale');
      stored = result;
      storedHost.replaceChildren(
        storedImage(result.png, `Saved atlas of ${props.layer}`, result.width)
      );
      grid.hidden = true;
      render();
    },
    figure,
    animation: () => null,
    dispose: () => life.dispose()
  };
};
