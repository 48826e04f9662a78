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
 *
 * This module holds one output's state and the order of its steps; each
 * step's work is a module of its own (docs/architecture.md, "Where each
 * concept lives").
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import type { DataRequest } from '../engine/dataset/store';
import type {
  IJobSummary,
  JobEvent,
  JobResult
} from '../engine/runtime/protocol';
import { specHash } from '../spec/hash';
import type { ISettingValues } from '../tokens';
import { h } from '../views/dom';
import {
  type IRunState,
  type RunEvent,
  INITIAL,
  reduce
} from '../views/run-state';
import { encodeFigureHere } from '../views/save';
import type { IView } from '../views/view';
import { savedNote, showInvalidSpec, specHeader, staleNote } from './messages';
import { resolveOutputInputs, withLimits } from './output-job';
import type { IRendererContext } from './renderer-context';
import { runFailure } from './run-failure';
import { saveFigure } from './saved-figure';
import { type IStoredResult, readStored } from './stored';
import { validateHere } from './worker-client';
import { jobExamples } from './job-examples';
import { KernelLink, readResultId } from './kernel-link';
import { type ISpecView, viewFor } from './view-table';
import { showWithoutView } from './without-view';

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
      showWithoutView(this.node, spec, stored, model.trusted);
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
      examples: jobExamples(this._context.engine, () => this._jobData)
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
      const inputs = await resolveOutputInputs(
        entry.spec,
        this._options.resolver ?? null,
        this._context,
        settings,
        this.node,
        abort.signal
      );
      link?.attach();
      const job = entry.job(inputs);
      this._jobData = 'data' in job && job.data ? job.data : null;
      const summary = await this._context.engine.run(
        withLimits(job, settings),
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
        const failure = runFailure(
          reason,
          abort.signal.aborted,
          this._cancelReason
        );
        this._apply(failure.event);
        link?.failed(failure.message);
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
    const hash = this._hash;
    const saved = await saveFigure(this._view, hash, summary, {
      keepFrames: entry.spec.display?.keepFrames ?? settings.keepFrames,
      encode: this._context.encodeFigure ?? encodeFigureHere,
      target: () => (current() && this._hash === hash ? this._model : null)
    });
    if (!saved) {
      return;
    }
    // Tests and tools wait for this before saving the notebook.
    this.node.dataset.saved = 'true';
  }
}
