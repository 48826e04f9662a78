/**
 * The one contract between an output and the view that shows its run
 * (docs/architecture.md, "Views"), in the style of anywidget's lifecycle: a
 * view is mounted into a host with its props and an optional AbortSignal, and
 * returns an IView. Aborting the signal or calling dispose() removes every
 * node, listener and timer the view made; dispose() never throws.
 *
 * A view draws what it is given and computes nothing. The output feeds it the
 * run's state and the engine's frames (animations) or the finished job's
 * result (result views: top examples, attribution maps), or a saved result,
 * and reads back the figure it writes into the notebook. Frames are painted
 * at most once per display frame, without copying their pixels
 * (docs/architecture.md, "Memory and speed").
 */
import type {
  IFrame,
  IJobSummary,
  JobResult
} from '../engine/runtime/protocol';
import type { FigureEncoder } from './figure';
import type { IImage } from './frames';
import type { IRunState } from './run-state';
import type { IFigure } from './save';

export type { IFigure };

/** A saved result, as the output read it from the notebook. */
export interface IStoredImage {
  /** Base64 of the PNG (validated). */
  readonly png: string;
  /** Base64 of the animation's GIF, when frames were kept. */
  readonly gif: string | null;
  /** The size the live view showed it at, in screen pixels, when known. */
  readonly width?: number;
  readonly height?: number;
}

/** What every view gets from the output. */
export interface IViewProps {
  /** Base of the names of saved files. */
  readonly filename: string;
  /** Screen pixels per image pixel; chosen from the image size when omitted. */
  readonly scale?: number;
  readonly onCancel?: () => void;
  readonly onRerun?: () => void;
  /** Draws and encodes saved figures; on the page's thread when omitted. */
  readonly encodeFigure?: FigureEncoder;
  /**
   * A result view changed what its result says after the run (a PCA
   * selection): the output sends it to the kernel and writes it back.
   */
  readonly onResultChange?: (result: JobResult, summary: IJobSummary) => void;
  /**
   * Some examples of the run's dataset as bytes (indices × h × w × c), from
   * the engine: thumbnails on demand where the result carries none.
   */
  readonly examples?: (
    indices: readonly number[],
    shape: readonly [number, number, number]
  ) => Promise<Uint8Array>;
}

export interface IMountOptions {
  /** Disposes the view when aborted (with its host's lifetime, say). */
  readonly signal?: AbortSignal;
}

export interface IView {
  readonly node: HTMLElement;
  /** Draws the run's state: status, progress, buttons, error. */
  setRun(run: IRunState): void;
  /** Draws a frame of the running job. */
  pushFrame(frame: IFrame): void;
  /**
   * Draws a finished job's result (for kinds that have one, docs/
   * architecture.md, "Jobs"), with its summary. A view narrows the result
   * by its `kind` and ignores others. Views of animations have none.
   */
  showResult?(result: JobResult, summary: IJobSummary): void;
  /**
   * Shows a saved result instead of a live run, at the live view's size,
   * with the saved summary (read field by field) when there is one: a result
   * view can say in text what the image shows (values, labels).
   */
  showStored(stored: IStoredImage, summary?: IJobSummary): void;
  /**
   * The figure of what is shown now (the PNG written back and saved): a
   * labelled grid to draw, or an image the view drew; null before there is
   * anything to show.
   */
  figure(): IFigure | null;
  /**
   * Every frame at display scale, for the GIF written back when frames are
   * kept; null for a view that has no animation.
   */
  animation(): IImage[] | null;
  /** Removes the view; safe to call twice, never throws. */
  dispose(): void;
}

/** How every view is mounted. */
export type MountView<P extends IViewProps = IViewProps> = (
  host: HTMLElement,
  props: P,
  options?: IMountOptions
) => IView;

/**
 * A view's lifetime: one signal for every listener it adds, aborted by
 * dispose() or by the mount's signal, whichever comes first. Cleanups run
 * once, last added first; one added after disposal runs at once.
 */
export class Lifetime {
  private readonly _controller = new AbortController();
  private readonly _cleanups: (() => void)[] = [];

  constructor(parent?: AbortSignal) {
    if (parent?.aborted) {
      this._controller.abort();
      return;
    }
    parent?.addEventListener('abort', () => this.dispose(), {
      once: true,
      signal: this._controller.signal
    });
  }

  get signal(): AbortSignal {
    return this._controller.signal;
  }

  get disposed(): boolean {
    return this._controller.signal.aborted;
  }

  add(cleanup: () => void): void {
    if (this.disposed) {
      run(cleanup);
    } else {
      this._cleanups.push(cleanup);
    }
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this._controller.abort();
    this._cleanups.splice(0).reverse().forEach(run);
  }
}

function run(cleanup: () => void): void {
  try {
    cleanup();
  } catch (reason) {
    // Disposal goes on: a view that failed to clean up must not break its host.
    console.error('Feature Viz: a view failed to clean up', reason);
  }
}
