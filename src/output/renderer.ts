/**
 * The featureviz MIME renderer: one output's lifecycle. It validates the spec
 * (untrusted JSON, off the page's thread where it can); for an untrusted
 * notebook it shows only the stored image and a notice: no fetch, no
 * compute, no markup from the spec (docs/architecture.md, "Trust and
 * safety"). Otherwise it mounts the spec's view (view-table.ts) and shows
 * the saved result; it runs the job in the page's engine only when the
 * kernel has just displayed the output (fresh.ts) or the user asks, so that
 * opening or trusting a notebook starts nothing. It feeds the view the
 * job's events and writes the labelled figure back (stored.ts).
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import type { DataRequest } from '../engine/dataset/store';
import { CancelledError, InterruptedError } from '../engine/errors';
import {
  type IJobSummary,
  type JobEvent,
  type JobResult,
  serializeError
} from '../engine/runtime/protocol';
import { MIME_TYPE } from '../spec';
import { specHash } from '../spec/hash';
import type { IFeatureVizEngine, ISettingValues } from '../tokens';
import { h, storedImage } from '../views/dom';
import {
  type IRunState,
  type RunEvent,
  INITIAL,
  reduce
} from '../views/run-state';
import type { FigureEncoder } from '../views/figure';
import {
  base64,
  blobBase64,
  encodeFigureHere,
  encodeViewFigure,
  gifBytes
} from '../views/save';
import type { IView } from '../views/view';
import {
  savedNote,
  showInvalidSpec,
  showUnavailable,
  showUntrusted,
  specHeader,
  staleNote
} from './messages';
import { resolveInputs } from './inputs';
import type { IServerFiles } from './resolve-data';
import {
  type IStoredResult,
  readStored,
  storedSummary,
  writeStored,
  writeStoredSize
} from './stored';
import { type Validate, validateHere } from './worker-client';
import { KernelLink, type KernelLookup, readResultId } from './kernel-link';
import { type ISpecView, viewFor } from './view-table';

/** What an output renderer needs from the page, passed in by its plugin. */
export interface IRendererContext {
  readonly engine: IFeatureVizEngine;
  readonly settings: () => ISettingValues;
  /** The URL of one of the extension's static assets. */
  readonly assetUrl: (path: string) => string;
  /** Where the Jupyter server serves its files (`<base URL>files/`). */
  readonly filesUrl: string;
  /**
   * Whether the kernel has just displayed an output with this spec hash in
   * this page (fresh.ts), claimed once per display. An output for which it
   * is false was read from a saved notebook: it starts nothing by itself.
   * Without it, nothing starts by itself.
   */
  readonly freshOutput?: (hash: string) => boolean;
  /** Validates a spec; on this thread when omitted. */
  readonly validate?: Validate;
  /** Draws and encodes figures (the outputs' worker); here when omitted. */
  readonly encodeFigure?: FigureEncoder;
  /** Tells the host about live renderers (it cancels them on kernel restarts). */
  readonly track?: (output: FeatureVizOutput, live: boolean) => void;
  /** The bridge to the kernel of the notebook that shows a node, if any. */
  readonly kernelFor?: KernelLookup;
  /**
   * Makes sure the engine holds the kernel arrays under `key`, fetched from
   * the kernel of the notebook that shows `node` once per page.
   */
  readonly kernelArrays?: (
    node: HTMLElement,
    key: string,
    signal?: AbortSignal
  ) => Promise<void>;
  /** The Jupyter server's files (listings and sizes of data paths). */
  readonly files?: IServerFiles;
}

/** One featureviz output. */
export class FeatureVizOutput extends Widget implements IRenderMime.IRenderer {
  private _abort: AbortController | null = null;
  private _entry: ISpecView | null = null;
  private _view: IView | null = null;
  private _run: IRunState = INITIAL;
  private _hash: string | null = null;
  private _model: IRenderMime.IMimeModel | null = null;
  /** Counts renderModel calls: an older one still validating gives way. */
  private _renders = 0;
  /** Where results go back to the kernel (outputs whose Python asks for them). */
  private _link: KernelLink | null = null;
  /** Why the run was cancelled, when not by its own Cancel button. */
  private _cancelReason: string | null = null;
  /** The data the last job read: views ask the engine for its examples. */
  private _jobData: DataRequest | null = null;

  constructor(
    private readonly _options: IRenderMime.IRendererOptions,
    private readonly _context: IRendererContext
  ) {
    super();
    this.addClass('jp-FeatureViz-output');
  }

  /** The state of this output's run (tests and the host read it). */
  get runState(): IRunState {
    return this._run;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this._options.mimeType];
    const hash = specHash(data);
    // Writing the result back re-renders this output with the same spec:
    // keep the live view.
    if (hash === this._hash && this._view && model.trusted) {
      this._model = model;
      return;
    }
    const ticket = ++this._renders;
    const result = await (this._context.validate ?? validateHere)(data);
    if (ticket !== this._renders || this.isDisposed) {
      return;
    }
    if (!result.ok) {
      this._teardown();
      showInvalidSpec(this.node, result.error);
      this.node.dataset.state = 'invalid';
      return;
    }
    const spec = result.spec;
    this._teardown();
    this._hash = hash;
    this._model = model;
    const header = specHeader(spec);
    this.node.appendChild(header);
    const stored = readStored(model.data, model.metadata);
    const entry = model.trusted ? viewFor(spec) : null;
    if (!entry) {
      if (stored.png) {
        this.node.appendChild(storedImage(stored.png, undefined, stored.width));
      }
      if (model.trusted) {
        showUnavailable(this.node, spec);
        this.node.dataset.state = 'unavailable';
      } else {
        showUntrusted(this.node);
        this.node.dataset.state = 'untrusted';
      }
      return;
    }

    const host = h('div', { className: 'jp-FeatureViz-body' });
    this.node.appendChild(host);
    this._entry = entry;
    const resultId = readResultId(model.metadata, this._options.mimeType);
    this._link =
      resultId && this._context.kernelFor
        ? new KernelLink(this.node, resultId, this._context.kernelFor)
        : null;
    this._view = entry.mount(host, {
      filename: `featureviz-${spec.view}-${hash.slice(0, 8)}`,
      scale: spec.display?.scale,
      onCancel: () => this.cancel(),
      onRerun: () => void this.start(),
      encodeFigure: this._context.encodeFigure,
      onResultChange: (result, summary) => this._resultChanged(result, summary),
      examples: (indices, shape) => {
        const data = this._jobData;
        return data
          ? this._context.engine
              .examplePixels({ data, shape, indices })
              .then(examples => examples.pixels)
          : Promise.reject(new Error('This output has not run.'));
      }
    });
    this._context.track?.(this, true);
    // Claimed whatever happens next, so that no later output takes it.
    const fresh = this._context.freshOutput?.(hash) ?? false;
    this.node.dataset.state = this._run.state;
    if (stored.png && stored.summary?.specHash === hash) {
      this._showStored(stored, stored.summary);
      header.after(savedNote(stored.summary));
    } else if (fresh) {
      void this.start();
    } else if (stored.png) {
      // Saved for another version of this spec: shown, and marked so.
      this._showStored(stored);
      header.after(staleNote());
    }
    // Otherwise: not run, with a Run button (the view says so).
  }

  /** Runs (or re-runs) the visualization. */
  async start(): Promise<void> {
    const entry = this._entry;
    if (!entry || !this._view) {
      return;
    }
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    this._cancelReason = null;
    const current = () => this._abort === abort;
    this._apply({ type: 'submit' });
    delete this.node.dataset.saved;
    const link = this._link;
    let result: JobResult | undefined;
    try {
      const settings = this._context.settings();
      const { kernelArrays, files } = this._context;
      const inputs = await resolveInputs(entry.spec, {
        resolver: this._options.resolver ?? null,
        assetUrl: this._context.assetUrl,
        settings,
        origin: window.location.origin,
        filesUrl: this._context.filesUrl,
        files: files ?? null,
        kernelArrays: kernelArrays
          ? (key, signal) => kernelArrays(this.node, key, signal)
          : null,
        signal: abort.signal
      });
      link?.attach();
      const job = entry.job(inputs);
      this._jobData = 'data' in job && job.data ? job.data : null;
      const summary = await this._context.engine.run(
        {
          ...job,
          limits: {
            maxBytes: settings.maxJobMemoryMB * 1e6,
            maxMs: settings.maxJobMinutes * 60000
          }
        },
        {
          signal: abort.signal,
          onEvent: event => {
            if (current()) {
              if (event.type === 'done') {
                result = event.result;
              }
              this._onEvent(event);
            }
          }
        }
      );
      if (current()) {
        // The kernel gets its result before the figure is encoded.
        link?.done(job.kind, result, summary);
        await this._writeBack(entry, summary, settings, current);
      }
    } catch (reason) {
      if (current()) {
        const cancelled =
          reason instanceof CancelledError || abort.signal.aborted;
        const why = this._cancelReason;
        this._apply(
          cancelled
            ? { type: 'cancelled', reason: why ?? undefined }
            : reason instanceof InterruptedError
              ? { type: 'interrupted', backend: null, reason: reason.message }
              : { type: 'failed', error: serializeError(reason) }
        );
        link?.failed(
          cancelled
            ? `The run was cancelled${why ? `: ${why}` : ''}.`
            : serializeError(reason).message
        );
      }
    }
  }

  /**
   * A result view changed its result after the run (a PCA selection): the
   * kernel gets the new result, and the figure and summary are written back.
   */
  private _resultChanged(result: JobResult, summary: IJobSummary): void {
    const entry = this._entry;
    if (!entry || this._run.state !== 'done') {
      return;
    }
    this._link?.done(summary.kind, result, summary);
    const abort = this._abort;
    void this._writeBack(
      entry,
      summary,
      this._context.settings(),
      () => this._abort === abort
    );
  }

  /**
   * Cancels this output's run, if any; `reason` says why when it is not the
   * user's Cancel ("the kernel restarted"), and the output shows it.
   */
  cancel(reason?: string): void {
    if (this._abort && !this._abort.signal.aborted) {
      this._cancelReason = reason ?? null;
    }
    this._abort?.abort();
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._teardown();
    super.dispose();
  }

  private _teardown(): void {
    this.cancel();
    this._abort = null;
    this._view?.dispose();
    this._view = null;
    this._entry = null;
    this._link = null;
    this._hash = null;
    this._run = INITIAL;
    this._context.track?.(this, false);
    this.node.replaceChildren();
    delete this.node.dataset.state;
    delete this.node.dataset.saved;
  }

  private _apply(event: RunEvent): void {
    this._run = reduce(this._run, event);
    this.node.dataset.state = this._run.state;
    this._view?.setRun(this._run);
  }

  private _onEvent(event: JobEvent): void {
    this._apply(
      event.type === 'cancelled' && this._cancelReason
        ? { ...event, reason: event.reason ?? this._cancelReason }
        : event
    );
    if (event.type === 'frame') {
      this._view?.pushFrame(event.frame);
    } else if (event.type === 'done' && event.result) {
      // Before write-back asks the view for its figure: it draws the result.
      this._view?.showResult?.(event.result, event.summary);
    }
  }

  /** Shows a saved result; `summary` only when it belongs to this spec. */
  private _showStored(stored: IStoredResult, summary?: IJobSummary): void {
    if (stored.png) {
      this._view?.showStored(
        {
          png: stored.png,
          gif: stored.gif,
          width: stored.width,
          height: stored.height
        },
        summary
      );
      this._apply({ type: 'stored' });
    }
  }

  /**
   * Writes the labelled figure (and, when frames are kept, the GIF) into
   * the notebook. Encoding is asynchronous; a run started meanwhile wins.
   */
  private async _writeBack(
    entry: ISpecView,
    summary: IJobSummary,
    settings: ISettingValues,
    current: () => boolean
  ): Promise<void> {
    const view = this._view;
    const hash = this._hash;
    const figure = view?.figure();
    if (!view || !figure || !hash) {
      return;
    }
    const keepFrames = entry.spec.display?.keepFrames ?? settings.keepFrames;
    const frames = keepFrames ? view.animation() : null;
    const encode = this._context.encodeFigure ?? encodeFigureHere;
    const png = await blobBase64(await encodeViewFigure(figure, encode));
    const gif =
      frames && frames.length > 1 ? await base64(await gifBytes(frames)) : null;
    const model = this._model;
    if (!current() || !model || this._hash !== hash) {
      return;
    }
    model.setData({
      data: writeStored(model.data, {
        png,
        summary: storedSummary(summary, hash),
        gif
      }),
      metadata: writeStoredSize(model.metadata, figure)
    });
    // Tests and tools wait for this before saving the notebook.
    this.node.dataset.saved = 'true';
  }
}

/** The factory the renderer plugin registers with the rendermime registry. */
export function createRendererFactory(
  context: IRendererContext
): IRenderMime.IRendererFactory {
  return {
    // Safe: it renders untrusted specs itself, as text and stored images only.
    safe: true,
    mimeTypes: [MIME_TYPE],
    defaultRank: 40,
    createRenderer: options => new FeatureVizOutput(options, context)
  };
}
