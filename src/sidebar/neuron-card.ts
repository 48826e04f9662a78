/**
 * The neuron card: one unit through every lens at once — its
 * gradient-ascent animation, its top and bottom examples (with patches for
 * a channel) over the explorer's dataset, and its layer's PCA — under the
 * unit's stable id `model/layer/unit`. Each lens is a featureviz output, the
 * very widget a notebook shows, given the spec a Python call builds
 * (card-spec.ts); "Insert code" writes that call into the notebook
 * (docs/architecture.md, "The explorer").
 */
import { h } from '../views/dom';
import {
  type ICardOptions,
  type IExplorerUnit,
  cardSpecs,
  unitId
} from './card-spec';
import { CardModel } from './card-model';
import type { ICardOutput, IExplorerHost } from './host';
import { cardCode } from './python-code';

export class NeuronCard {
  readonly node: HTMLElement;
  private readonly _outputs: ICardOutput[] = [];

  constructor(
    host: IExplorerHost,
    readonly unit: IExplorerUnit,
    options: ICardOptions,
    signal: AbortSignal
  ) {
    const id = unitId(unit);
    const specs = cardSpecs(unit, options);
    const note = h('div', {
      className: 'jp-FeatureViz-explorer-message',
      attrs: { role: 'status' }
    });
    const insert = h('button', {
      className:
        'jp-FeatureViz-button jp-mod-styled jp-FeatureViz-explorer-insert',
      text: 'Insert code',
      attrs: {
        type: 'button',
        title:
          'Put the featureviz calls that show this card into a new cell below the active cell'
      }
    });
    insert.addEventListener(
      'click',
      () =>
        void host.insertCode(cardCode(unit, options)).then(done => {
          note.textContent = done
            ? 'Inserted below the active cell.'
            : 'Open a notebook to insert the code into.';
        }),
      { signal }
    );
    const lens = (
      title: string,
      spec: ConstructorParameters<typeof CardModel>[0]
    ) => {
      const output = host.createOutput();
      this._outputs.push(output);
      const model = new CardModel(spec);
      void output.renderModel(model).then(() => {
        if (!signal.aborted) {
          void output.start();
        }
      });
      return h('section', {
        className: 'jp-FeatureViz-explorer-lens',
        attrs: { 'aria-label': `${title} of ${id}` },
        children: [
          h('h4', {
            className: 'jp-FeatureViz-explorer-lenstitle',
            text: title
          }),
          output.node
        ]
      });
    };
    this.node = h('div', {
      className: 'jp-FeatureViz-explorer-card',
      attrs: { 'data-unit-id': id },
      children: [
        h('div', {
          className: 'jp-FeatureViz-explorer-cardhead',
          children: [
            h('h3', { className: 'jp-FeatureViz-explorer-unitid', text: id }),
            insert
          ]
        }),
        note,
        lens('What excites it (gradient ascent)', specs.ascent),
        lens('Top and bottom examples', specs.examples),
        lens(`Its layer's examples on their principal components`, specs.pca)
      ]
    });
    signal.addEventListener('abort', () => this.dispose(), { once: true });
  }

  /** Cancels the card's runs and drops its outputs. */
  dispose(): void {
    for (const output of this._outputs.splice(0)) {
      output.dispose();
    }
  }
}
