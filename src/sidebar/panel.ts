/**
 * The Feature Viz sidebar panel: the model explorer (open a model, browse
 * its layers and units), the engine panel (backend, memory, jobs), and a
 * quick start for the Python API (docs/architecture.md, "The explorer").
 */
import { Widget } from '@lumino/widgets';
import type { ModelRef } from '../spec';
import { h } from '../views/dom';
import { EnginePanel } from './engine-panel';
import { Explorer } from './explorer';
import type { IExplorerHost, IExplorerState } from './host';

const QUICK_START = `import featureviz as fv
net = fv.models.mnist_cnn()
fv.gradient_ascent(net, "conv2d_1", channel=5)
fv.layer_atlas(net, "conv2d")`;

export class FeatureVizSidebar extends Widget {
  private readonly _abort = new AbortController();
  private readonly _explorer: Explorer;

  constructor(host: IExplorerHost) {
    super();
    this.id = 'jp-featureviz-sidebar';
    this.addClass('jp-FeatureViz-sidebar');
    this.title.caption = 'Feature Viz';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Feature Viz sidebar');
    this._explorer = new Explorer(host, this._abort.signal);
    const engine = new EnginePanel(host.engine, this._abort.signal);
    this.node.append(
      h('h2', {
        className: 'jp-FeatureViz-sidebar-heading',
        text: 'Feature Viz'
      }),
      h('p', {
        className: 'jp-FeatureViz-sidebar-intro',
        text: 'See what a neuron, channel or layer of a model responds to. Visualizations run in this browser.'
      }),
      h('h3', { className: 'jp-FeatureViz-sidebar-subheading', text: 'Model' }),
      this._explorer.node,
      h('h3', {
        className: 'jp-FeatureViz-sidebar-subheading',
        text: 'Compute'
      }),
      engine.node,
      h('h3', {
        className: 'jp-FeatureViz-sidebar-subheading',
        text: 'From a notebook'
      }),
      h('pre', { className: 'jp-FeatureViz-sidebar-code', text: QUICK_START })
    );
  }

  /** The explorer's state now (the plugin saves it for reloads). */
  get state(): IExplorerState | null {
    return this._explorer.state;
  }

  /** Opens a model in the explorer (the palette, the file browser, a reload). */
  open(ref: ModelRef, restore?: IExplorerState): Promise<void> {
    return this._explorer.open(ref, restore);
  }

  override dispose(): void {
    this._abort.abort();
    super.dispose();
  }
}
