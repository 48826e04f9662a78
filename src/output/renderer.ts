import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import type { IFeatureVizEngine } from '../engine/runtime/engine';
import { MIME_TYPE, type FeatureVizSpec, validateSpec } from '../spec';
import { describeSpec } from '../spec/describe';
import { backendBadge } from '../views/badge';
import { h } from '../views/dom';
import { mountMessage } from '../views/message';

/** What an output renderer needs from the page, passed in by its plugin. */
export interface IRendererContext {
  readonly engine: IFeatureVizEngine;
}

const STORED_PNG = 'image/png';

/**
 * Renders one featureviz output. It validates the spec (untrusted JSON), and
 * for an untrusted notebook shows only the stored image or a notice: no fetch,
 * no compute, no markup from the spec (DESIGN.md §5).
 */
export class FeatureVizOutput extends Widget implements IRenderMime.IRenderer {
  private _abort: AbortController | null = null;

  constructor(
    private readonly _options: IRenderMime.IRendererOptions,
    private readonly _context: IRendererContext
  ) {
    super();
    this.addClass('jp-FeatureViz-output');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    // A re-render replaces the previous one: finish it first.
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    this.node.replaceChildren();

    const result = validateSpec(model.data[this._options.mimeType]);
    if (!result.ok) {
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
    this.node.appendChild(this._header(spec, null));

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

    this.node.dataset.state = 'valid';
    const status = await this._context.engine.status();
    if (abort.signal.aborted) {
      return;
    }
    this.node.replaceChildren(this._header(spec, status));
    this._showStoredImage(model);
  }

  override dispose(): void {
    this._abort?.abort();
    this._abort = null;
    super.dispose();
  }

  private _header(
    spec: FeatureVizSpec,
    status: Awaited<ReturnType<IFeatureVizEngine['status']>> | null
  ): HTMLElement {
    const { view, model, subject } = describeSpec(spec);
    return h('div', {
      className: 'jp-FeatureViz-header',
      children: [
        spec.title !== undefined &&
          h('div', { className: 'jp-FeatureViz-title', text: spec.title }),
        h('span', { className: 'jp-FeatureViz-view', text: view }),
        h('span', { className: 'jp-FeatureViz-subject', text: subject }),
        h('span', { className: 'jp-FeatureViz-model', text: model }),
        status && backendBadge(status)
      ]
    });
  }

  private _showStoredImage(model: IRenderMime.IMimeModel): void {
    const png = model.data[STORED_PNG];
    if (typeof png === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(png)) {
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
