/**
 * The model explorer: open a model, browse its layers, see a layer's atlas
 * and one unit's card. It composes the opener, the layer tree, the atlas
 * grid and the neuron card, keeps one selection, and hands its state to the
 * host to keep across reloads (docs/architecture.md, "The explorer").
 * Opening a model that fails says why and leaves what was open as it was.
 */
import type { ILayerInfo } from '../engine/model/inspect';
import type {
  IModelDescription,
  IModelRequest
} from '../engine/runtime/protocol';
import { serializeError } from '../engine/runtime/protocol';
import type { ModelRef } from '../spec';
import { h } from '../views/dom';
import { AtlasGrid } from './atlas-grid';
import { cardOptions } from './card-options';
import {
  type IExplorerUnit,
  modelName,
  unitCount,
  unitId,
  unitKind
} from './card-spec';
import type { IExplorerHost, IExplorerState } from './host';
import { LayerTree, formatShape } from './layer-tree';
import { ModelOpener } from './model-opener';
import { NeuronCard } from './neuron-card';

/** The most cells an atlas shows (a flatten layer has thousands of units). */
export const MAX_CELLS = 1024;

interface IOpened {
  readonly ref: ModelRef;
  readonly request: IModelRequest;
  readonly description: IModelDescription;
  /** The layers that have units (not the input). */
  readonly layers: readonly ILayerInfo[];
}

export class Explorer {
  readonly node: HTMLElement;
  private readonly _opener: ModelOpener;
  private readonly _modelPart = h('div', {
    className: 'jp-FeatureViz-explorer-model'
  });
  private readonly _layerPart = h('div', {
    className: 'jp-FeatureViz-explorer-layer-view'
  });
  private readonly _cardPart = h('div', {
    className: 'jp-FeatureViz-explorer-card-view'
  });
  private _opened: IOpened | null = null;
  private _tree: LayerTree | null = null;
  private _grid: AtlasGrid | null = null;
  private _layer: ILayerInfo | null = null;
  private _unit: number | null = null;
  private _modelAbort = new AbortController();
  private _layerAbort = new AbortController();
  private _cardAbort = new AbortController();
  private _opening = 0;

  constructor(
    private readonly _host: IExplorerHost,
    private readonly _signal: AbortSignal
  ) {
    this._opener = new ModelOpener(ref => void this.open(ref), _signal);
    this.node = h('div', {
      className: 'jp-FeatureViz-explorer',
      children: [
        this._opener.node,
        this._modelPart,
        this._layerPart,
        this._cardPart
      ]
    });
    _signal.addEventListener('abort', () => this._modelAbort.abort(), {
      once: true
    });
  }

  /** The explorer's state now: what a reload restores. */
  get state(): IExplorerState | null {
    return this._opened
      ? {
          model: this._opened.ref,
          layer: this._layer?.name ?? null,
          unit: this._unit
        }
      : null;
  }

  /** Opens a model, and then the layer and unit of `restore` if given. */
  async open(ref: ModelRef, restore?: IExplorerState): Promise<void> {
    const ticket = ++this._opening;
    this._opener.say(`Opening ${modelName(ref)}…`);
    let opened: IOpened;
    try {
      const request = await this._host.resolveModel(ref);
      const description = await this._host.engine.describeModel(request);
      opened = {
        ref,
        request,
        description,
        layers: description.layers.filter(l => l.className !== 'InputLayer')
      };
    } catch (reason) {
      if (ticket === this._opening) {
        this._opener.say(
          `Could not open ${modelName(ref)}: ${serializeError(reason).message}`,
          true
        );
      }
      return;
    }
    if (ticket !== this._opening || this._signal.aborted) {
      return;
    }
    this._modelAbort.abort();
    this._modelAbort = new AbortController();
    this._opened = opened;
    this._layer = null;
    this._unit = null;
    this._layerPart.replaceChildren();
    this._closeCard();
    this._opener.say('');
    const { description } = opened;
    this._tree = new LayerTree(
      opened.layers,
      layer => this.selectLayer(layer.name),
      this._modelAbort.signal
    );
    this._modelPart.replaceChildren(
      h('h3', {
        className:
          'jp-FeatureViz-sidebar-subheading jp-FeatureViz-explorer-name',
        text: modelName(ref)
      }),
      h('div', {
        className: 'jp-FeatureViz-sidebar-detail',
        text: `${opened.layers.length} layers, input ${formatShape(description.inputShape)}, ${(description.weightBytes / 1e6).toFixed(1)} MB of weights`
      }),
      this._tree.node
    );
    if (restore?.layer) {
      this.selectLayer(restore.layer);
      if (restore.unit !== null) {
        this.selectUnit(restore.unit);
      }
    }
    this._save();
  }

  /** Shows a layer's atlas; cancels the last layer's jobs and card. */
  selectLayer(name: string): void {
    const opened = this._opened;
    const layer = opened?.layers.find(l => l.name === name);
    if (!opened || !layer) {
      return;
    }
    this._layerAbort.abort();
    this._layerAbort = new AbortController();
    this._closeCard();
    this._layer = layer;
    this._unit = null;
    this._tree?.mark(name);
    const count = unitCount(layer.outputShape);
    const settings = this._host.settings();
    const heading = h('h3', {
      className: 'jp-FeatureViz-sidebar-subheading jp-FeatureViz-explorer-name',
      text: `${layer.name}: ${count.toLocaleString('en-US')} ${count === 1 ? 'unit' : 'units'}${count > MAX_CELLS ? ` (the first ${MAX_CELLS} shown)` : ''}`
    });
    if (count === 0) {
      this._layerPart.replaceChildren(
        heading,
        h('div', {
          className: 'jp-FeatureViz-sidebar-detail',
          text: 'This layer has no units the explorer can show.'
        })
      );
      this._save();
      return;
    }
    this._grid = new AtlasGrid(
      {
        engine: this._host.engine,
        modelRef: opened.ref,
        model: opened.request,
        layer: layer.name,
        count: Math.min(count, MAX_CELLS),
        options: cardOptions(settings),
        limits: {
          maxBytes: settings.maxJobMemoryMB * 1e6,
          maxMs: settings.maxJobMinutes * 60000
        },
        select: unit => this.selectUnit(unit)
      },
      this._layerAbort.signal
    );
    this._layerPart.replaceChildren(heading, this._grid.node);
    this._save();
  }

  /** Shows one unit's card. */
  selectUnit(unit: number): void {
    const opened = this._opened;
    const layer = this._layer;
    if (!opened || !layer || unit < 0 || unit >= unitCount(layer.outputShape)) {
      return;
    }
    this._cardAbort.abort();
    this._cardAbort = new AbortController();
    this._unit = unit;
    this._grid?.mark(unit);
    const last = opened.layers[opened.layers.length - 1] === layer;
    const explorerUnit: IExplorerUnit = {
      model: opened.ref,
      layer: layer.name,
      unit,
      kind: unitKind(layer.outputShape, last)
    };
    try {
      const card = new NeuronCard(
        this._host,
        explorerUnit,
        cardOptions(this._host.settings()),
        this._cardAbort.signal
      );
      this._showCard(unitId(explorerUnit), card.node);
    } catch (reason) {
      this._cardPart.replaceChildren(
        h('div', {
          className: 'jp-FeatureViz-explorer-message jp-mod-error',
          attrs: { role: 'alert' },
          text: `Could not show unit ${unit} of ${layer.name}: ${serializeError(reason).message}`
        })
      );
    }
    this._save();
  }

  /**
   * The card in the main area where the host has one (the sidebar is too
   * narrow for its grids and plot), with a line here that brings it back;
   * else here.
   */
  private _showCard(id: string, node: HTMLElement): void {
    const cards = this._host.cards;
    if (!cards) {
      this._cardPart.replaceChildren(node);
      return;
    }
    const abort = this._cardAbort;
    cards.show(id, node, () => abort.abort());
    const unit = this._unit;
    const reveal = h('button', {
      className: 'jp-FeatureViz-button jp-mod-styled',
      text: 'Show card',
      attrs: { type: 'button', 'aria-label': `Show the card of ${id}` }
    });
    reveal.addEventListener(
      'click',
      () => {
        // A card the user closed is made again (its runs were cancelled).
        if ((abort.signal.aborted || !cards.reveal()) && unit !== null) {
          this.selectUnit(unit);
        }
      },
      { signal: this._modelAbort.signal }
    );
    const words = h('span', {
      className: 'jp-FeatureViz-sidebar-detail',
      text: `Card of ${id} open in the main area.`
    });
    abort.signal.addEventListener(
      'abort',
      () => (words.textContent = `Card of ${id} closed.`),
      { once: true }
    );
    this._cardPart.replaceChildren(
      h('div', {
        className: 'jp-FeatureViz-explorer-cardlink',
        attrs: { 'data-unit-id': id },
        children: [words, reveal]
      })
    );
  }

  /** Cancels the card's runs and closes it wherever it is shown. */
  private _closeCard(): void {
    this._cardAbort.abort();
    this._cardPart.replaceChildren();
    this._host.cards?.close();
  }

  private _save(): void {
    this._host.saveState?.(this.state);
  }
}
