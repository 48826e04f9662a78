/**
 * The explorer's layer atlas: a grid of the layer's channels (or units)
 * computed lazily, only where the user looks. Cells are watched with an
 * IntersectionObserver; visible cells are queued in the page's one engine a
 * few channels per job (a batched atlas run), and a job whose cells all
 * left the view, or whose layer was left, is cancelled
 * (docs/architecture.md, "The explorer"). Arrow keys move between cells;
 * Enter or a click opens the unit's card.
 */
import type { IModelRequest, IFrame } from '../engine/runtime/protocol';
import type { ModelRef } from '../spec';
import { serializeError } from '../engine/runtime/protocol';
import { toJobRequest } from '../spec/to-engine';
import type { IFeatureVizEngine } from '../tokens';
import { h } from '../views/dom';
import { paintImage } from '../views/frames';
import { type ICardOptions, atlasSpec } from './card-spec';

/** Channels per engine job: enough to batch, few enough to cancel cheaply. */
export const CHUNK = 8;
/** Cells per row of the grid. */
export const COLUMNS = 4;
/** How long the view must rest before its cells are queued (a quick scroll queues nothing). */
const SETTLE_MS = 150;

export interface IAtlasGridOptions {
  readonly engine: IFeatureVizEngine;
  readonly modelRef: ModelRef;
  readonly model: IModelRequest;
  readonly layer: string;
  readonly count: number;
  readonly options: ICardOptions;
  readonly limits: { readonly maxBytes: number; readonly maxMs: number };
  readonly select: (unit: number) => void;
}

type ChunkState = 'waiting' | 'queued' | 'done' | 'failed';

interface IChunk {
  state: ChunkState;
  abort: AbortController | null;
  /** Cells of the chunk now in view. */
  visible: number;
}

export class AtlasGrid {
  readonly node: HTMLElement;
  private readonly _cells: HTMLElement[] = [];
  private readonly _canvases: HTMLCanvasElement[] = [];
  private readonly _chunks: IChunk[];
  private readonly _message: HTMLElement;
  private readonly _observer: IntersectionObserver | null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _disposed = false;

  constructor(
    private readonly _options: IAtlasGridOptions,
    signal: AbortSignal
  ) {
    const { count, layer } = _options;
    const rows: HTMLElement[] = [];
    for (let i = 0; i < count; i++) {
      const canvas = h('canvas', {
        className: 'jp-FeatureViz-explorer-cellimage'
      });
      const cell = h('div', {
        className: 'jp-FeatureViz-explorer-cell',
        attrs: {
          role: 'gridcell',
          tabindex: i === 0 ? '0' : '-1',
          'aria-label': `${layer} unit ${i}`,
          'data-unit': String(i),
          'data-state': 'waiting'
        },
        children: [canvas, h('span', { text: String(i) })]
      });
      this._cells.push(cell);
      this._canvases.push(canvas);
      if (i % COLUMNS === 0) {
        rows.push(
          h('div', {
            className: 'jp-FeatureViz-explorer-row',
            attrs: { role: 'row' }
          })
        );
      }
      rows[rows.length - 1].appendChild(cell);
    }
    this._chunks = Array.from({ length: Math.ceil(count / CHUNK) }, () => ({
      state: 'waiting' as ChunkState,
      abort: null,
      visible: 0
    }));
    const grid = h('div', {
      className: 'jp-FeatureViz-explorer-grid',
      attrs: {
        role: 'grid',
        'aria-label': `Atlas of ${layer}: ${count} units`,
        'aria-rowcount': String(rows.length),
        'aria-colcount': String(Math.min(COLUMNS, count))
      },
      children: rows
    });
    this._message = h('div', {
      className: 'jp-FeatureViz-explorer-message',
      attrs: { role: 'status' }
    });
    this.node = h('div', {
      className: 'jp-FeatureViz-explorer-atlas',
      children: [grid, this._message]
    });
    grid.addEventListener('click', event => this._onClick(event), { signal });
    grid.addEventListener('keydown', event => this._onKey(event), { signal });
    // Without IntersectionObserver (old browsers, jsdom) every cell counts as seen.
    this._observer =
      typeof IntersectionObserver === 'function'
        ? new IntersectionObserver(entries => this._onIntersect(entries))
        : null;
    if (this._observer) {
      this._cells.forEach(cell => this._observer?.observe(cell));
    } else {
      this._chunks.forEach(chunk => (chunk.visible = CHUNK));
      this._settle();
    }
    signal.addEventListener('abort', () => this.dispose(), { once: true });
  }

  /** Marks the selected unit. */
  mark(unit: number | null): void {
    this._cells.forEach((cell, i) => {
      cell.setAttribute('aria-selected', String(i === unit));
      if (i === unit) {
        this._focusable(i);
      }
    });
  }

  /** Cancels every job of this grid; the grid shows nothing more. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._observer?.disconnect();
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    for (const chunk of this._chunks) {
      chunk.abort?.abort();
    }
  }

  private _onIntersect(entries: readonly IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const unit = Number((entry.target as HTMLElement).dataset.unit);
      const chunk = this._chunks[Math.floor(unit / CHUNK)];
      const was = (entry.target as HTMLElement).dataset.seen === 'true';
      if (entry.isIntersecting !== was) {
        chunk.visible += entry.isIntersecting ? 1 : -1;
        (entry.target as HTMLElement).dataset.seen = String(
          entry.isIntersecting
        );
      }
    }
    this._settle();
  }

  private _settle(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      this._sync();
    }, SETTLE_MS);
  }

  /** Queues the chunks in view; cancels those out of view. */
  private _sync(): void {
    if (this._disposed) {
      return;
    }
    this._chunks.forEach((chunk, index) => {
      if (chunk.visible > 0 && chunk.state === 'waiting') {
        void this._run(index);
      } else if (chunk.visible === 0 && chunk.state === 'queued') {
        chunk.abort?.abort();
      }
    });
  }

  /** A chunk's channels: never empty, as a chunk covers at least one cell. */
  private _channels(index: number): [number, ...number[]] {
    const first = index * CHUNK;
    const last = Math.min(this._options.count, first + CHUNK);
    const rest = Array.from(
      { length: last - first - 1 },
      (_, i) => first + 1 + i
    );
    return [first, ...rest];
  }

  private async _run(index: number): Promise<void> {
    const { engine, modelRef, model, layer, options, limits } = this._options;
    const chunk = this._chunks[index];
    const channels = this._channels(index);
    const abort = new AbortController();
    chunk.state = 'queued';
    chunk.abort = abort;
    this._setState(channels, 'queued');
    let latest: IFrame | null = null;
    let pending = false;
    const paint = () => {
      pending = false;
      if (latest && !abort.signal.aborted) {
        const frame = latest;
        channels.forEach((unit, i) =>
          paintImage(this._canvases[unit], frame, i)
        );
      }
    };
    try {
      const spec = atlasSpec(modelRef, layer, channels, options);
      await engine.run(
        { ...toJobRequest(spec, model), limits },
        {
          signal: abort.signal,
          onEvent: event => {
            if (event.type === 'frame') {
              latest = event.frame;
              if (!pending) {
                pending = true;
                requestAnimationFrame(paint);
              }
            }
          }
        }
      );
      paint();
      chunk.state = 'done';
      this._setState(channels, 'done');
    } catch (reason) {
      if (abort.signal.aborted) {
        // Left the view (or the layer): it may be asked for again.
        chunk.state = 'waiting';
        this._setState(channels, 'waiting');
      } else {
        chunk.state = 'failed';
        this._setState(channels, 'failed');
        this._message.textContent = `Units ${channels[0]}–${channels[channels.length - 1]}: ${serializeError(reason).message}`;
        this._message.classList.add('jp-mod-error');
      }
    } finally {
      chunk.abort = null;
    }
  }

  private _setState(units: readonly number[], state: ChunkState): void {
    for (const unit of units) {
      this._cells[unit].dataset.state = state;
    }
  }

  private _focusable(unit: number): void {
    this._cells.forEach((cell, i) => (cell.tabIndex = i === unit ? 0 : -1));
  }

  private _onClick(event: MouseEvent): void {
    const cell = (event.target as Element).closest('[role="gridcell"]');
    if (cell instanceof HTMLElement && cell.dataset.unit !== undefined) {
      const unit = Number(cell.dataset.unit);
      this._focusable(unit);
      this._options.select(unit);
    }
  }

  private _onKey(event: KeyboardEvent): void {
    const unit = Number((event.target as HTMLElement).dataset.unit);
    if (!Number.isInteger(unit)) {
      return;
    }
    const moves: Record<string, number> = {
      ArrowRight: unit + 1,
      ArrowLeft: unit - 1,
      ArrowDown: unit + COLUMNS,
      ArrowUp: unit - COLUMNS,
      Home: 0,
      End: this._cells.length - 1
    };
    if (event.key in moves) {
      const next = moves[event.key];
      if (next >= 0 && next < this._cells.length) {
        this._focusable(next);
        this._cells[next].focus();
      }
      event.preventDefault();
    } else if (event.key === 'Enter' || event.key === ' ') {
      this._options.select(unit);
      event.preventDefault();
    }
  }
}
