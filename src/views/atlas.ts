/**
 * The layer atlas: every channel of a layer in a grid, filled in as the one
 * batched run progresses, each cell labelled with its channel and value.
 * The grid is laid out from the spec's channels or, when the spec asks for
 * every channel, from those the job announces as it starts. Choosing a cell
 * opens that channel's animation in a player below the grid.
 */
import type { IFrame } from '../engine/runtime/protocol';
import { h, storedImage } from './dom';
import {
  type IImage,
  autoScale,
  composeGrid,
  gridShape,
  imageOf,
  paint
} from './frames';
import { mountPlayer } from './player';
import { mountRunBar } from './run-bar';
import { type IRunState, INITIAL, startsNewRun } from './run-state';
import { pngAction } from './save';
import { type IView, type IViewProps, type MountView, Lifetime } from './view';

export interface IAtlasProps extends IViewProps {
  readonly layer: string;
  /** The channels to show; when omitted, those the job announces. */
  readonly channels?: readonly number[];
}

interface ICell {
  readonly canvas: HTMLCanvasElement;
  readonly value: HTMLElement;
  readonly node: HTMLButtonElement;
}

const MAX_COLUMNS = 8;

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
  let stored: string | null = null;

  const grid = h('div', {
    className: 'jp-FeatureViz-atlas',
    attrs: { role: 'list', 'aria-label': `Channels of ${props.layer}` }
  });
  const detailHost = h('div', { className: 'jp-FeatureViz-atlas-detail' });
  const storedHost = h('div', { className: 'jp-FeatureViz-stage' });
  // What the engine's recipe did, and notes on the pictures.
  const caption = h('div', { className: 'jp-FeatureViz-caption' });
  const node = h('div', {
    className: 'jp-FeatureViz-atlas-view',
    children: [storedHost, grid, caption]
  });
  const bar = mountRunBar(
    node,
    {
      onCancel: props.onCancel,
      onRerun: props.onRerun,
      saves: [
        pngAction({
          filename: props.filename,
          ready: () => frames.length > 0 || stored !== null,
          image: currentImage,
          stored: () => stored
        })
      ]
    },
    signal
  );
  node.appendChild(detailHost);
  host.appendChild(node);
  life.add(() => node.remove());
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
    cells = channels.map((channel, index) => {
      const canvas = h('canvas', { className: 'jp-FeatureViz-canvas' });
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
      return { canvas, value, node: cell };
    });
    grid.replaceChildren(...cells.map(c => c.node));
    frames.forEach(draw);
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
        controls: false
      },
      { signal: detailLife.signal }
    );
    detail = { view, life: detailLife };
    view.setRun(run);
    frames.forEach(f => view.pushFrame(f));
  }

  function scaleFor(frame: IFrame): number {
    return props.scale ?? autoScale(frame.width, frame.height, cells.length);
  }

  function draw(frame: IFrame): void {
    const scale = scaleFor(frame);
    cells.forEach((c, i) => {
      if (i >= frame.batch) {
        return;
      }
      paint(c.canvas, imageOf(frame, i));
      c.canvas.style.width = `${frame.width * scale}px`;
      c.canvas.style.height = `${frame.height * scale}px`;
      const v = frame.perImage[i];
      const note = frame.notes?.[i];
      c.value.textContent = `${Number.isFinite(v) ? v.toPrecision(3) : ''}${note ? ` · ${note}` : ''}`;
      if (note) {
        c.node.dataset.note = note;
      } else {
        delete c.node.dataset.note;
      }
    });
    caption.textContent = frame.caption ?? '';
  }

  function currentImage(): IImage | null {
    const frame = frames[frames.length - 1];
    if (!frame) {
      return null;
    }
    return composeGrid(
      cells.map((_, i) => imageOf(frame, i)),
      columns,
      Math.min(scaleFor(frame), 4),
      2
    );
  }

  function render(): void {
    node.dataset.state = run.state;
    bar.update(run);
  }

  render();
  return {
    node,
    setRun(next) {
      if (startsNewRun(run, next)) {
        frames.length = 0;
        stored = null;
        storedHost.replaceChildren();
        grid.hidden = false;
      }
      if (next.channels && !props.channels) {
        layout(next.channels);
      }
      run = next;
      detail?.view.setRun(next);
      render();
    },
    pushFrame(frame) {
      if (cells.length === 0) {
        // No channel list (an engine that announced none): one per image.
        layout(Array.from({ length: frame.batch }, (_, i) => i));
      }
      frames.push(frame);
      draw(frame);
      detail?.view.pushFrame(frame);
      render();
    },
    showStored(png) {
      stored = png;
      storedHost.replaceChildren(
        storedImage(png, `Saved atlas of ${props.layer}`)
      );
      grid.hidden = true;
      render();
    },
    currentImage,
    animation: () => null,
    dispose: () => life.dispose()
  };
};
