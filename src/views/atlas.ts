/**
 * The layer atlas: every channel of a layer in a grid, filled in as the one
 * batched run progresses, each cell labelled with its channel and value.
 * Choosing a cell opens that channel's animation in a player below the grid.
 */
import type { IFrame } from '../engine/runtime/protocol';
import { h } from './dom';
import {
  type IImage,
  autoScale,
  composeGrid,
  gridShape,
  imageOf,
  paint
} from './frames';
import { type IPlayer, mountPlayer } from './player';
import { type IRunState, INITIAL, describeState } from './run-state';

export interface IAtlasProps {
  readonly layer: string;
  readonly channels: readonly number[];
  readonly filename: string;
  readonly scale?: number;
  readonly onCancel?: () => void;
  readonly onRerun?: () => void;
}

export interface IAtlas {
  readonly node: HTMLElement;
  setRun(run: IRunState): void;
  pushFrame(frame: IFrame): void;
  showStored(png: string): void;
  /** The whole grid at display scale (saved in the notebook). */
  currentImage(): IImage | null;
  dispose(): void;
}

const MAX_COLUMNS = 8;

export function mountAtlas(
  host: HTMLElement,
  props: IAtlasProps,
  options: { signal?: AbortSignal } = {}
): IAtlas {
  const controller = new AbortController();
  const { signal } = controller;
  options.signal?.addEventListener('abort', () => dispose(), {
    once: true,
    signal
  });
  const frames: IFrame[] = [];
  let run: IRunState = INITIAL;
  let detail: IPlayer | null = null;
  let selected: number | null = null;

  const status = h('div', {
    className: 'jp-FeatureViz-status',
    attrs: { role: 'status', 'aria-live': 'polite' }
  });
  const cancel = h('button', {
    className: 'jp-FeatureViz-button jp-mod-styled',
    text: 'Cancel',
    attrs: { type: 'button', 'aria-label': 'Cancel the run' }
  });
  const rerun = h('button', {
    className: 'jp-FeatureViz-button jp-mod-styled',
    text: 'Re-run',
    attrs: { type: 'button', 'aria-label': 'Run again' }
  });
  cancel.addEventListener('click', () => props.onCancel?.(), { signal });
  rerun.addEventListener('click', () => props.onRerun?.(), { signal });
  const progress = h('progress', {
    className: 'jp-FeatureViz-progress',
    attrs: { max: '1', value: '0', 'aria-label': 'Progress' }
  });
  const grid = h('div', {
    className: 'jp-FeatureViz-atlas',
    attrs: { role: 'list', 'aria-label': `Channels of ${props.layer}` }
  });
  const { columns } = gridShape(props.channels.length, MAX_COLUMNS);
  grid.style.gridTemplateColumns = `repeat(${columns}, auto)`;
  const detailHost = h('div', { className: 'jp-FeatureViz-atlas-detail' });
  const storedHost = h('div', { className: 'jp-FeatureViz-stage' });
  const cells = props.channels.map((channel, index) => {
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
    grid.appendChild(cell);
    return { canvas, value, cell };
  });
  const node = h('div', {
    className: 'jp-FeatureViz-atlas-view',
    children: [
      h('div', {
        className: 'jp-FeatureViz-runbar',
        children: [status, progress]
      }),
      storedHost,
      grid,
      h('div', {
        className: 'jp-FeatureViz-actions',
        children: [cancel, rerun]
      }),
      detailHost
    ]
  });
  host.appendChild(node);

  function select(index: number): void {
    selected = index;
    cells.forEach((c, i) =>
      c.cell.setAttribute('aria-pressed', String(i === index))
    );
    detail?.dispose();
    detail = mountPlayer(
      detailHost,
      {
        select: index,
        scale: props.scale,
        filename: `${props.filename}-channel-${props.channels[index]}`
      },
      { signal }
    );
    frames.forEach(f => detail?.pushFrame(f));
    detail.setRun(run);
  }

  function render(): void {
    node.dataset.state = run.state;
    status.textContent = describeState(run);
    progress.value = run.progress;
    progress.hidden = run.state !== 'running' && run.state !== 'queued';
    cancel.disabled = !(run.state === 'running' || run.state === 'queued');
    rerun.disabled = run.state === 'running' || run.state === 'queued';
  }

  function dispose(): void {
    if (signal.aborted) {
      return;
    }
    detail?.dispose();
    controller.abort();
    node.remove();
  }

  render();
  return {
    node,
    setRun(next) {
      if (
        next.state === 'queued' &&
        run.state !== 'queued' &&
        run.state !== 'running'
      ) {
        frames.length = 0;
        storedHost.replaceChildren();
        grid.hidden = false;
      }
      run = next;
      detail?.setRun(next);
      render();
    },
    pushFrame(frame) {
      frames.push(frame);
      const scale =
        props.scale ??
        autoScale(frame.width, frame.height, props.channels.length);
      cells.forEach((c, i) => {
        paint(c.canvas, imageOf(frame, i));
        c.canvas.style.width = `${frame.width * scale}px`;
        c.canvas.style.height = `${frame.height * scale}px`;
        const v = frame.perImage[i];
        c.value.textContent = Number.isFinite(v) ? v.toPrecision(3) : '';
      });
      if (selected !== null) {
        detail?.pushFrame(frame);
      }
    },
    showStored(png) {
      storedHost.replaceChildren(
        h('img', {
          className: 'jp-FeatureViz-stored',
          attrs: {
            src: `data:image/png;base64,${png}`,
            alt: `Saved atlas of ${props.layer}`
          }
        })
      );
      grid.hidden = true;
    },
    currentImage() {
      const frame = frames[frames.length - 1];
      if (!frame) {
        return null;
      }
      const scale =
        props.scale ??
        autoScale(frame.width, frame.height, props.channels.length);
      return composeGrid(
        props.channels.map((_, i) => imageOf(frame, i)),
        columns,
        Math.min(scale, 4),
        2
      );
    },
    dispose
  };
}
