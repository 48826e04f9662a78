import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { CancelledError } from '../engine/errors';
import type { IFeatureVizEngine, ISettingValues } from '../tokens';
import type { IJobSummary, JobEvent } from '../engine/runtime/protocol';
import {
  type FeatureVizSpec,
  type GradientAscentSpec,
  type LayerAtlasSpec,
  MIME_TYPE,
  SPEC_VERSION,
  SUMMARY_MIME_TYPE,
  validateSpec
} from '../spec';
import { batchLabels, describeSpec } from '../spec/describe';
import { specHash } from '../spec/hash';
import { toJobRequest } from '../spec/to-engine';
import { type IAtlas, mountAtlas } from '../views/atlas';
import { h } from '../views/dom';
import { base64, gifBytes, pngBase64 } from '../views/export';
import { mountMessage } from '../views/message';
import { type IPlayer, mountPlayer } from '../views/player';
import {
  type IRunState,
  type RunEvent,
  INITIAL,
  reduce
} from '../views/run-state';
import { resolveModel } from './resolve';

/** What an output renderer needs from the page, passed in by its plugin. */
export interface IRendererContext {
  readonly engine: IFeatureVizEngine;
  readonly settings: () => ISettingValues;
  /** The URL of one of the extension's static assets. */
  readonly assetUrl: (path: string) => string;
  /** Tells the host about live renderers (it cancels them on kernel restarts). */
  readonly track?: (output: FeatureVizOutput, live: boolean) => void;
}

/** The small summary a finished run writes back next to its PNG. */
export interface IStoredSummary {
  readonly version: number;
  readonly specHash: string;
  readonly backend: string;
  readonly steps: number;
  readonly seed: number;
  readonly value: number;
  readonly perImage: readonly number[];
  readonly elapsedMs: number;
  readonly firstFrameMs: number;
  readonly fallback?: string;
  readonly savedAt: string;
}

const STORED_PNG = 'image/png';
const STORED_GIF = 'image/gif';

function readSummary(data: unknown): IStoredSummary | null {
  const summary = data as Partial<IStoredSummary> | undefined;
  return summary &&
    typeof summary.specHash === 'string' &&
    typeof summary.backend === 'string'
    ? (summary as IStoredSummary)
    : null;
}

function isBase64(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(value);
}

type View = IPlayer | IAtlas;

/**
 * One featureviz output. It validates the spec (untrusted JSON). For an
 * untrusted notebook it shows only the stored image or a notice: no fetch, no
 * compute, no markup from the spec (DESIGN.md §5). Otherwise it shows a
 * saved result, or runs the visualization in the page's engine and writes the
 * result back into the output.
 */
export class FeatureVizOutput extends Widget implements IRenderMime.IRenderer {
  private _abort: AbortController | null = null;
  private _view: View | null = null;
  private _run: IRunState = INITIAL;
  private _hash: string | null = null;
  private _spec: GradientAscentSpec | LayerAtlasSpec | null = null;
  private _model: IRenderMime.IMimeModel | null = null;

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
      mountMessage(this.node, {
        kind: 'error',
        title: 'This featureviz output has an invalid spec',
        detail: result.error.problem,
        code: result.error.field || undefined
      });
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
    this.node.appendChild(this._header(spec));

    if (!model.trusted) {
      this._showStoredImage(model);
      mountMessage(this.node, {
        kind: 'notice',
        title: 'Not run: this notebook is not trusted',
        detail:
          'Feature Viz computes nothing and loads no model for untrusted notebooks. Trust the notebook (command palette: "Trust Notebook"), then run this cell again.'
      });
      this.node.dataset.state = 'untrusted';
      return;
    }

    if (spec.view !== 'gradient-ascent' && spec.view !== 'layer-atlas') {
      this._showStoredImage(model);
      mountMessage(this.node, {
        kind: 'notice',
        title: `The ${describeSpec(spec).view} view is not available in this version`,
        detail:
          'Update jupyterlab-featureviz to compute it; a saved result, if any, is shown above.'
      });
      this.node.dataset.state = 'unavailable';
      return;
    }
    this._spec = spec;
    this._view = this._mountView(spec, hash);
    this._context.track?.(this, true);

    const summary = readSummary(model.data[SUMMARY_MIME_TYPE]);
    const png = model.data[STORED_PNG];
    if (summary?.specHash === hash && isBase64(png)) {
      this._view.showStored(png.replace(/\s/g, ''));
      this._apply({ type: 'stored' });
      this._saved(summary);
      return;
    }
    void this.start();
  }

  /** Runs (or re-runs) the visualization. */
  async start(): Promise<void> {
    const spec = this._spec;
    if (!spec || !this._view) {
      return;
    }
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    this._apply({ type: 'submit' });
    try {
      const settings = this._context.settings();
      const modelRequest = await resolveModel(spec.model, {
        resolver: this._options.resolver ?? null,
        assetUrl: this._context.assetUrl,
        settings,
        origin: window.location.origin
      });
      const summary = await this._context.engine.run(
        toJobRequest(spec, modelRequest),
        {
          signal: abort.signal,
          onEvent: event => {
            if (this._abort === abort) {
              this._onEvent(event);
            }
          }
        }
      );
      if (this._abort === abort) {
        this._writeBack(spec, summary, settings);
      }
    } catch (reason) {
      if (this._abort !== abort) {
        return;
      }
      if (reason instanceof CancelledError || abort.signal.aborted) {
        this._apply({ type: 'cancelled' });
      } else {
        this._apply({
          type: 'failed',
          message: (reason as Error)?.message ?? String(reason)
        });
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
    this._spec = null;
    this._hash = null;
    this._run = INITIAL;
    this._context.track?.(this, false);
    this.node.replaceChildren();
    delete this.node.dataset.state;
  }

  private _mountView(
    spec: GradientAscentSpec | LayerAtlasSpec,
    hash: string
  ): View {
    const host = h('div', { className: 'jp-FeatureViz-body' });
    this.node.appendChild(host);
    const common = {
      filename: `featureviz-${spec.view}-${hash.slice(0, 8)}`,
      scale: spec.display?.scale,
      onCancel: () => this.cancel(),
      onRerun: () => void this.start()
    };
    if (spec.view === 'layer-atlas') {
      return mountAtlas(host, {
        ...common,
        layer: spec.layer,
        channels: spec.channels ?? []
      });
    }
    return mountPlayer(host, {
      ...common,
      labels: batchLabels(spec.objective)
    });
  }

  private _apply(event: RunEvent): void {
    this._run = reduce(this._run, event);
    this.node.dataset.state = this._run.state;
    this._view?.setRun(this._run);
  }

  private _onEvent(event: JobEvent): void {
    switch (event.type) {
      case 'queued':
        this._apply({ type: 'queued', position: event.position });
        break;
      case 'running':
        this._apply({ type: 'running', backend: event.backend });
        break;
      case 'fallback':
        this._apply({ type: 'fallback', from: event.from, to: event.to });
        break;
      case 'frame':
        this._ensureAtlasChannels(event.frame.batch);
        this._apply({
          type: 'frame',
          step: event.frame.step,
          steps: event.frame.steps,
          progress: event.progress,
          etaMs: event.etaMs
        });
        this._view?.pushFrame(event.frame);
        break;
      case 'done':
        this._apply({ type: 'done' });
        break;
      default:
        // cancelled / failed arrive as run() rejecting.
        break;
    }
  }

  /** An atlas of "every channel" learns how many from its first frame. */
  private _ensureAtlasChannels(batch: number): void {
    const spec = this._spec;
    if (spec?.view === 'layer-atlas' && !spec.channels && this._view) {
      const channels = Array.from(
        { length: batch },
        (_, i) => i
      ) as LayerAtlasSpec['channels'];
      const withChannels: LayerAtlasSpec = { ...spec, channels };
      this._spec = withChannels;
      const run = this._run;
      this._view.dispose();
      this.node.querySelector('.jp-FeatureViz-body')?.remove();
      this._view = this._mountView(withChannels, this._hash ?? '');
      this._view.setRun(run);
    }
  }

  private _writeBack(
    spec: FeatureVizSpec,
    summary: IJobSummary,
    settings: ISettingValues
  ): void {
    const model = this._model;
    const image = this._view?.currentImage();
    if (!model || !image || !this._hash) {
      return;
    }
    const stored: IStoredSummary = {
      version: SPEC_VERSION,
      specHash: this._hash,
      backend: summary.backend,
      steps: summary.steps,
      seed: summary.seed,
      value: summary.value,
      perImage: summary.perImage,
      elapsedMs: Math.round(summary.elapsedMs),
      firstFrameMs: Math.round(summary.firstFrameMs),
      ...(summary.fallback ? { fallback: summary.fallback.from } : {}),
      savedAt: new Date().toISOString()
    };
    const data: Record<string, unknown> = {
      ...model.data,
      [STORED_PNG]: pngBase64(image),
      [SUMMARY_MIME_TYPE]: stored
    };
    const keepFrames = spec.display?.keepFrames ?? settings.keepFrames;
    const view = this._view;
    if (keepFrames && view && 'animation' in view) {
      data[STORED_GIF] = base64(gifBytes(view.animation()));
    } else {
      delete data[STORED_GIF];
    }
    model.setData({ data: data as IRenderMime.IMimeModel['data'] });
  }

  private _saved(summary: IStoredSummary): void {
    const note = h('div', {
      className: 'jp-FeatureViz-saved',
      text: `Saved result: ${summary.steps} steps on ${summary.backend}${
        Number.isFinite(summary.value)
          ? `, objective ${summary.value.toPrecision(4)}`
          : ''
      }. Re-run to compute it again.`
    });
    this.node.querySelector('.jp-FeatureViz-header')?.after(note);
  }

  private _header(spec: FeatureVizSpec): HTMLElement {
    const { view, model, subject } = describeSpec(spec);
    return h('div', {
      className: 'jp-FeatureViz-header',
      children: [
        spec.title !== undefined &&
          h('div', { className: 'jp-FeatureViz-title', text: spec.title }),
        h('span', { className: 'jp-FeatureViz-view', text: view }),
        h('span', { className: 'jp-FeatureViz-subject', text: subject }),
        h('span', { className: 'jp-FeatureViz-model', text: model })
      ]
    });
  }

  private _showStoredImage(model: IRenderMime.IMimeModel): void {
    const png = model.data[STORED_PNG];
    if (isBase64(png)) {
      this.node.appendChild(
        h('img', {
          className: 'jp-FeatureViz-stored',
          attrs: {
            src: `data:image/png;base64,${png.replace(/\s/g, '')}`,
            alt: 'Saved result of this visualization'
          }
        })
      );
    }
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
