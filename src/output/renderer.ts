/**
 * The featureviz MIME renderer: one output's lifecycle. It validates the spec
 * (untrusted JSON); for an untrusted notebook it shows only the stored image
 * and a notice: no fetch, no compute, no markup from the spec
 * (docs/architecture.md, "Trust and safety"). Otherwise it mounts the spec's
 * view (view-table.ts) and shows the saved result, or runs the job in the
 * page's engine, feeds the view its events and writes the result back
 * (stored.ts).
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { CancelledError } from '../engine/errors';
import {
  type IJobSummary,
  type JobEvent,
  type JobResult,
  serializeError
} from '../engine/runtime/protocol';
import { MIME_TYPE, validateSpec } from '../spec';
import { specHash } from '../spec/hash';
import type { IFeatureVizEngine, ISettingValues } from '../tokens';
import { h, storedImage } from '../views/dom';
import {
  type IRunState,
  type RunEvent,
  INITIAL,
  reduce
} from '../views/run-state';
import { base64, gifBytes, pngBase64 } from '../views/save';
import type { IView } from '../views/view';
import {
  savedNote,
  showInvalidSpec,
  showUnavailable,
  showUntrusted,
  specHeader
} from './messages';
import type { IKernelBridge } from '../kernel/bridge';
import { resolveExample } from './example';
import { resolveModel } from './resolve';
import { readStored, storedSummary, writeStored } from './stored';
import { KernelLink, type KernelLookup, readResultId } from './kernel-link';
import { type ISpecView, viewFor } from './view-table';

/** What an output renderer needs from the page, passed in by its plugin. */
export interface IRendererContext {
  readonly engine: IFeatureVizEngine;
  readonly settings: () => ISettingValues;
  /** The URL of one of the extension's static assets. */
  readonly assetUrl: (path: string) => string;
  /** Tells the host about live renderers (it cancels them on kernel restarts). */
  readonly track?: (output: FeatureVizOutput, live: boolean) => void;
  /** The bridge to the kernel of the notebook that shows a node, if any. */
  readonly kernelFor?: KernelLookup;
}

/** One featureviz output. */
export class FeatureVizOutput extends Widget implements IRenderMime.IRenderer {
  private _abort: AbortController | null = null;
  private _entry: ISpecView | null = null;
  private _view: IView | null = null;
  private _run: IRunState = INITIAL;
  private _hash: string | null = null;
  private _model: IRenderMime.IMimeModel | null = null;
  /** Where results go back to the kernel (outputs whose Python asks for them). */
  private _link: KernelLink | null = null;

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
    const result = validateSpec(model.data[this._options.mimeType]);
    if (!result.ok) {
      this._teardown();
      showInvalidSpec(this.node, result.error);
      this.node.dataset.state = 'invalid';
      return;
    }
    const spec = result.spec;
    const hash = specHash(spec);
    // Writing the result back re-renders this output with the same spec:
    // keep the live view.
    if (hash === this._hash && this._view && model.trusted) {
      this._model = model;
      return;
    }
    this._teardown();
    this._hash = hash;
    this._model = model;
    const header = specHeader(spec);
    this.node.appendChild(header);
    const stored = readStored(model.data);
    const entry = model.trusted ? viewFor(spec) : null;
    if (!entry) {
      if (stored.png) {
        this.node.appendChild(storedImage(stored.png));
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
      onRerun: () => void this.start()
    });
    this._context.track?.(this, true);

    if (stored.summary?.specHash === hash && stored.png) {
      this._view.showStored(stored.png, stored.summary);
      this._apply({ type: 'stored' });
      header.after(savedNote(stored.summary));
      return;
    }
    void this.start();
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
    const current = () => this._abort === abort;
    this._apply({ type: 'submit' });
    const link = this._link;
    let result: JobResult | undefined;
    try {
      const settings = this._context.settings();
      const model = await resolveModel(entry.spec.model, {
        resolver: this._options.resolver ?? null,
        assetUrl: this._context.assetUrl,
        settings,
        origin: window.location.origin
      });
      link?.attach();
      const example = entry.example
        ? await resolveExample(entry.example, {
            assetUrl: this._context.assetUrl,
            kernel: () => this._kernel(),
            signal: abort.signal
          })
        : undefined;
      const job = entry.job({ model, example });
      const summary = await this._context.engine.run(job, {
        signal: abort.signal,
        onEvent: event => {
          if (current()) {
            if (event.type === 'done') {
              result = event.result;
            }
            this._onEvent(event);
          }
        }
      });
      if (current()) {
        this._writeBack(entry, summary, settings);
        link?.done(job.kind, result, summary);
      }
    } catch (reason) {
      if (current()) {
        const cancelled =
          reason instanceof CancelledError || abort.signal.aborted;
        this._apply(
          cancelled
            ? { type: 'cancelled' }
            : { type: 'failed', error: serializeError(reason) }
        );
        link?.failed(
          cancelled ? 'The run was cancelled.' : serializeError(reason).message
        );
      }
    }
  }

  /** Cancels this output's run, if any. */
  cancel(): void {
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
  }

  /** The bridge to this output's kernel; null when there is none. */
  private _kernel(): IKernelBridge | null {
    try {
      return this._context.kernelFor?.(this.node) ?? null;
    } catch {
      return null;
    }
  }

  private _apply(event: RunEvent): void {
    this._run = reduce(this._run, event);
    this.node.dataset.state = this._run.state;
    this._view?.setRun(this._run);
  }

  private _onEvent(event: JobEvent): void {
    this._apply(event);
    if (event.type === 'frame') {
      this._view?.pushFrame(event.frame);
    } else if (event.type === 'done' && event.result) {
      // Before write-back asks the view for its image: it draws the result.
      this._view?.showResult?.(event.result, event.summary);
    }
  }

  private _writeBack(
    entry: ISpecView,
    summary: IJobSummary,
    settings: ISettingValues
  ): void {
    const model = this._model;
    const view = this._view;
    const image = view?.currentImage();
    if (!model || !view || !image || !this._hash) {
      return;
    }
    const keepFrames = entry.spec.display?.keepFrames ?? settings.keepFrames;
    const frames = keepFrames ? view.animation() : null;
    model.setData({
      data: writeStored(model.data, {
        png: pngBase64(image),
        summary: storedSummary(summary, this._hash),
        gif: frames?.length ? base64(gifBytes(frames)) : null
      })
    });
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
