/**
 * Zoom and pan for one scatter plot (docs/architecture.md, "PCA", "Zoom and
 * pan on software WebGL"). regl-scatterplot redraws every point on every
 * camera move; on a GPU that is a millisecond, but on software WebGL
 * (SwiftShader: headless browsers, many Binder and remote desktops) it is
 * about 1.7 µs a point, so 100,000 points pan at 6 frames a second.
 *
 * So the plot's camera is fixed and the navigator drives it. While the
 * redraws keep up (under `SLOW_DRAW_MS`), every frame of a gesture moves the
 * camera, as regl-scatterplot would. Once a redraw is slow, the gesture is
 * previewed instead: the last drawn frame is moved and scaled on the plot's
 * 2D canvas at the browser's frame rate, the axes' edge values follow it,
 * and the camera takes the gesture (one full redraw) when the drag ends or
 * the wheel rests. The preview and the redraw agree: `viewAfter` is the
 * view matrix of the same screen transform.
 *
 * During a preview regl-scatterplot must not redraw with the old camera
 * (its hover would), so the window's mouse moves do not reach it then;
 * pointer events, which the navigator uses, are not affected.
 */
import type { Scatterplot } from './plot';
import { paintPreview, takeSnapshot } from './preview-paint';
import {
  IDENTITY,
  type IScreenTransform,
  isIdentity,
  panBy,
  zoomAbout,
  viewAfter
} from './screen-transform';

/**
 * A redraw slower than this makes gestures previews: measured from the
 * camera's move to the frame after the redrawn one, two frames when
 * redraws keep up, so this is a frame rate under about 27 a second. The
 * host's `data-preview-above-ms` overrides it: the UI tests set 0 to check
 * the preview where redraws are fast.
 */
export const SLOW_DRAW_MS = 75;
/** How long the wheel must rest before a previewed zoom is drawn. */
export const WHEEL_REST_MS = 160;
/** A press that moves less than this (CSS pixels) is a click, not a drag. */
const DRAG_START_PX = 3;

export interface INavigatorOptions {
  /** The plot's side in CSS pixels (the plot is square). */
  readonly side: number;
  /** The plot's background, for the edges a preview uncovers. */
  readonly background: () => string;
  /** Whether a plain drag pans (not while the lasso tool is on). */
  readonly panning: () => boolean;
  /** Called with each previewed transform; IDENTITY once it is drawn. */
  readonly onPreview?: (t: IScreenTransform) => void;
  readonly signal: AbortSignal;
}

interface IDrag {
  readonly pointer: number;
  x: number;
  y: number;
  moved: boolean;
}

export class Navigator {
  /** The last measured redraw time (ms), null before the first move. */
  drawMs: number | null = null;
  /** Frames shown during gestures: redraws and previews (for benchmarks). */
  framesShown = 0;

  private _pending: IScreenTransform = IDENTITY;
  private _snapshot: HTMLCanvasElement | null = null;
  private _drag: IDrag | null = null;
  private _frame = 0;
  private _rest = 0;
  private _movedAt: number | null = null;
  private _dragMoved = false;

  constructor(
    private readonly _plot: Scatterplot,
    private readonly _canvas: HTMLCanvasElement,
    private readonly _host: HTMLElement,
    private readonly _options: INavigatorOptions
  ) {
    const signal = _options.signal;
    const capture = { capture: true, signal };
    _host.addEventListener('wheel', this._onWheel, {
      ...capture,
      passive: false
    });
    _host.addEventListener('pointerdown', this._onPointerDown, capture);
    _host.addEventListener('click', this._onClick, capture);
    window.addEventListener('pointermove', this._onPointerMove, { signal });
    window.addEventListener('pointerup', this._onPointerUp, { signal });
    window.addEventListener('pointercancel', this._onPointerUp, { signal });
    window.addEventListener('mousemove', this._onMouseMove, capture);
    const drawn = _plot.subscribe('drawing', () => this._onDrawn());
    signal.addEventListener('abort', () => {
      delete _host.dataset.previewing;
      _plot.unsubscribe(drawn);
      cancelAnimationFrame(this._frame);
      clearTimeout(this._rest);
    });
  }

  /** Whether a previewed gesture waits to be drawn. */
  get previewing(): boolean {
    return this._snapshot !== null;
  }

  /** Moves the view by (dx, dy) CSS pixels, as a drag does. */
  panBy(dx: number, dy: number): void {
    this._move(panBy(this._pending, dx, dy));
  }

  /** Zooms by `factor` about (ox, oy) CSS pixels, as the wheel does. */
  zoomBy(factor: number, ox: number, oy: number): void {
    this._move(zoomAbout(this._pending, factor, ox, oy));
    clearTimeout(this._rest);
    this._rest = window.setTimeout(() => {
      if (!this._drag?.moved) {
        this.settle();
      }
    }, WHEEL_REST_MS);
  }

  /** Draws the gesture so far with the camera (the end of a drag or zoom). */
  settle(): void {
    clearTimeout(this._rest);
    cancelAnimationFrame(this._frame);
    this._frame = 0;
    this._snapshot = null;
    delete this._host.dataset.previewing;
    this._commit();
  }

  /** Forgets a gesture not yet drawn (the camera was reset). */
  cancel(): void {
    clearTimeout(this._rest);
    cancelAnimationFrame(this._frame);
    this._frame = 0;
    this._snapshot = null;
    delete this._host.dataset.previewing;
    this._pending = IDENTITY;
    this._options.onPreview?.(IDENTITY);
  }

  private _move(next: IScreenTransform): void {
    this._pending = next;
    if (!this._frame) {
      this._frame = requestAnimationFrame(() => this._showFrame());
    }
  }

  private _showFrame(): void {
    this._frame = 0;
    if (isIdentity(this._pending)) {
      return;
    }
    const limit = Number(this._host.dataset.previewAboveMs ?? SLOW_DRAW_MS);
    const slow = this.drawMs !== null && this.drawMs > limit;
    if (!slow && !this._snapshot) {
      this._commit();
      return;
    }
    this._snapshot ??= takeSnapshot(this._canvas);
    this._host.dataset.previewing = 'true';
    this._paintPreview();
    this.framesShown++;
    this._options.onPreview?.(this._pending);
  }

  /** Gives the camera the pending transform; the plot redraws next frame. */
  private _commit(): void {
    const t = this._pending;
    if (isIdentity(t)) {
      return;
    }
    this._pending = IDENTITY;
    const view = this._plot.get('cameraView');
    this._movedAt = performance.now();
    // view(), not set(): it also asks for the redraw that publishes 'view'.
    this._plot.view(Array.from(viewAfter(view, t, this._options.side)));
  }

  private _onDrawn(): void {
    const movedAt = this._movedAt;
    if (movedAt !== null) {
      this._movedAt = null;
      this.framesShown++;
      // The next frame comes once the browser has shown this one: on
      // software WebGL the drawing itself happens in the GPU process, so the
      // time to the next frame is what the redraw costs.
      requestAnimationFrame(() => (this.drawMs = performance.now() - movedAt));
    }
    if (this._snapshot) {
      // Something else (a filter, a selection) redrew with the old camera:
      // the preview stays on top until the gesture is drawn.
      this._snapshot = takeSnapshot(this._canvas);
      this._paintPreview();
    }
  }

  private _paintPreview(): void {
    if (this._snapshot) {
      paintPreview(
        this._canvas,
        this._snapshot,
        this._pending,
        this._options.side,
        this._options.background
      );
    }
  }

  /** Where a pointer event is, in CSS pixels from the plot's top left. */
  private _at(event: MouseEvent): [number, number] {
    const box = this._canvas.getBoundingClientRect();
    const side = this._options.side;
    return [
      ((event.clientX - box.left) * side) / (box.width || side),
      ((event.clientY - box.top) * side) / (box.height || side)
    ];
  }

  private readonly _onWheel = (event: WheelEvent): void => {
    if (event.target !== this._canvas) {
      return;
    }
    // Ours alone: no page scroll, and no redraw by regl-scatterplot.
    event.preventDefault();
    event.stopPropagation();
    const lines = event.deltaMode === 1 ? 12 : 1;
    const delta = (event.deltaY || event.deltaX) * lines;
    const [x, y] = this._at(event);
    this.zoomBy(Math.exp(-delta / 500), x, y);
  };

  private readonly _onPointerDown = (event: PointerEvent): void => {
    const modified =
      event.shiftKey || event.altKey || event.ctrlKey || event.metaKey;
    if (
      event.target !== this._canvas ||
      event.button !== 0 ||
      modified ||
      !this._options.panning()
    ) {
      return;
    }
    this._dragMoved = false;
    this._drag = {
      pointer: event.pointerId,
      x: event.clientX,
      y: event.clientY,
      moved: false
    };
  };

  private readonly _onPointerMove = (event: PointerEvent): void => {
    const drag = this._drag;
    if (!drag || event.pointerId !== drag.pointer) {
      return;
    }
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_START_PX) {
      return;
    }
    drag.moved = true;
    this._dragMoved = true;
    drag.x = event.clientX;
    drag.y = event.clientY;
    const box = this._canvas.getBoundingClientRect();
    const scale = this._options.side / (box.width || this._options.side);
    this.panBy(dx * scale, dy * scale);
  };

  private readonly _onPointerUp = (event: PointerEvent): void => {
    const drag = this._drag;
    if (!drag || event.pointerId !== drag.pointer) {
      return;
    }
    this._drag = null;
    if (drag.moved) {
      this.settle();
    }
  };

  /** A drag's click would select the point under it: not after a pan. */
  private readonly _onClick = (event: MouseEvent): void => {
    if (this._dragMoved) {
      this._dragMoved = false;
      event.stopPropagation();
      event.preventDefault();
    }
  };

  private readonly _onMouseMove = (event: MouseEvent): void => {
    if (this._drag?.moved || this._snapshot) {
      event.stopPropagation();
    }
  };
}
