/**
 * The Feature Viz sidebar panel: the engine's backend and why, its memory
 * and faults, and a quick start for the Python API.
 */
import { Widget } from '@lumino/widgets';
import type { IEngineStatus } from '../engine/runtime/protocol';
import type { IFeatureVizEngine } from '../tokens';
import { backendBadge } from '../views/badge';
import { h } from '../views/dom';
import { describeFaults, describeMemory } from './engine-health';

const QUICK_START = `import featureviz as fv
net = fv.models.mnist_cnn()
fv.gradient_ascent(net, "conv2d_1", channel=5)
fv.layer_atlas(net, "conv2d")`;

/**
 * The Feature Viz sidebar: the engine's status now; the model and layer
 * browser as the views land.
 */
export class FeatureVizSidebar extends Widget {
  private readonly _status = h('div', {
    className: 'jp-FeatureViz-sidebar-status'
  });

  constructor(private readonly _engine: IFeatureVizEngine) {
    super();
    this.id = 'jp-featureviz-sidebar';
    this.addClass('jp-FeatureViz-sidebar');
    this.title.caption = 'Feature Viz';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Feature Viz sidebar');
    this.node.append(
      h('h2', {
        className: 'jp-FeatureViz-sidebar-heading',
        text: 'Feature Viz'
      }),
      h('p', {
        className: 'jp-FeatureViz-sidebar-intro',
        text: 'See what a neuron, channel or layer of a model responds to. Visualizations run in this browser.'
      }),
      h('h3', {
        className: 'jp-FeatureViz-sidebar-subheading',
        text: 'Compute'
      }),
      this._status,
      h('h3', {
        className: 'jp-FeatureViz-sidebar-subheading',
        text: 'From a notebook'
      }),
      h('pre', { className: 'jp-FeatureViz-sidebar-code', text: QUICK_START })
    );
    this._engine.statusChanged.connect(this._onStatus, this);
    void this._engine.status().then(status => {
      if (!this.isDisposed) {
        this._onStatus(this._engine, status);
      }
    });
  }

  override dispose(): void {
    this._engine.statusChanged.disconnect(this._onStatus, this);
    super.dispose();
  }

  private _onStatus(_: IFeatureVizEngine, status: IEngineStatus): void {
    this._status.replaceChildren(
      h('div', {
        children: [h('span', { text: 'Backend: ' }), backendBadge(status)]
      }),
      h('div', {
        className: 'jp-FeatureViz-sidebar-detail',
        text: status.reason
      }),
      h('div', {
        className: 'jp-FeatureViz-sidebar-detail',
        text: `Available here: ${status.available.join(', ')}`
      }),
      ...(status.memory
        ? [
            h('div', {
              className: 'jp-FeatureViz-sidebar-memory',
              attrs: {
                'data-tensors': String(status.memory.numTensors),
                'data-bytes': String(status.memory.numBytes)
              },
              text: `Engine memory: ${describeMemory(status.memory)}`
            })
          ]
        : []),
      ...describeFaults(status).map(text =>
        h('div', { className: 'jp-FeatureViz-sidebar-detail', text })
      )
    );
  }
}
