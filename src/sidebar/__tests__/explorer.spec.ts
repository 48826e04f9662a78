/**
 * The explorer as a whole in jsdom, with the notebook's own output widget
 * for the card: opening a model lists its layers (not its input); a model
 * that fails to open says why in an alert and leaves what was open; a unit's
 * card runs the card's specs as jobs through the outputs and Insert code
 * hands the matching Python to the host; the state is saved on each change
 * and a restored state reopens the same layer and unit.
 */
import type { IModelDescription } from '../../engine/runtime/protocol';
import {
  FakeEngine,
  createOutput,
  flush,
  settings
} from '../../output/testing/fakes';
import { installCanvas } from '../../views/testing/fixtures';
import { cardSpecs } from '../card-spec';
import { cardOptions } from '../card-options';
import { Explorer } from '../explorer';
import type { ICardArea, IExplorerHost, IExplorerState } from '../host';
import { cardCode } from '../python-code';

installCanvas();

const DESCRIPTION: IModelDescription = {
  url: 'http://localhost/static/models/mnist-cnn/model.json',
  format: 'layers',
  weightBytes: 2_400_000,
  inputShape: [null, 28, 28, 1],
  layers: [
    {
      name: 'input',
      className: 'InputLayer',
      outputShape: [null, 28, 28, 1],
      params: 0,
      inputs: []
    },
    {
      name: 'conv2d',
      className: 'Conv2D',
      outputShape: [null, 26, 26, 32],
      params: 320,
      inputs: ['input']
    },
    {
      name: 'dense',
      className: 'Dense',
      outputShape: [null, 128],
      params: 100,
      inputs: ['conv2d']
    },
    {
      name: 'logits',
      className: 'Dense',
      outputShape: [null, 10],
      params: 1290,
      inputs: ['dense']
    }
  ]
};

function makeHost(engine: FakeEngine) {
  const saved: (IExplorerState | null)[] = [];
  const inserted: string[] = [];
  engine.describeModel.mockImplementation(
    () => Promise.resolve(DESCRIPTION) as never
  );
  const host: IExplorerHost = {
    engine,
    settings: () => settings,
    resolveModel: async ref => {
      if ('url' in ref && ref.url.includes('bad')) {
        throw new Error(
          '/bad/model.json is not valid JSON: Unexpected end of input'
        );
      }
      return { url: DESCRIPTION.url, format: 'layers' };
    },
    // Saved notebooks' outputs start nothing: the card starts its own.
    createOutput: () => createOutput(engine, undefined, () => false),
    insertCode: async code => {
      inserted.push(code);
      return true;
    },
    saveState: state => saved.push(state)
  };
  return { host, saved, inserted };
}

function explorer(host: IExplorerHost) {
  const node = new Explorer(host, new AbortController().signal);
  document.body.appendChild(node.node);
  return node;
}

afterEach(() => document.body.replaceChildren());

describe('Explorer', () => {
  it('opens a model and lists its layers, not its input', async () => {
    const engine = new FakeEngine();
    const { host, saved } = makeHost(engine);
    const view = explorer(host);
    await view.open({ builtin: 'mnist-cnn' });
    const items = [...view.node.querySelectorAll('[role="treeitem"]')];
    expect(items.map(i => i.getAttribute('data-layer'))).toEqual([
      'conv2d',
      'dense',
      'logits'
    ]);
    expect(items[0].getAttribute('aria-label')).toBe(
      'conv2d, Conv2D, output (None, 26, 26, 32), 320 parameters'
    );
    expect(saved.at(-1)).toEqual({
      model: { builtin: 'mnist-cnn' },
      layer: null,
      unit: null
    });
  });

  it('says why a model cannot be opened, and keeps the one that was open', async () => {
    const engine = new FakeEngine();
    const { host } = makeHost(engine);
    const view = explorer(host);
    await view.open({ builtin: 'mnist-cnn' });
    await view.open({ url: '/bad/model.json' });
    const alert = view.node.querySelector('[role="alert"]');
    expect(alert?.textContent).toBe(
      'Could not open /bad/model.json: /bad/model.json is not valid JSON: Unexpected end of input'
    );
    expect(view.node.querySelectorAll('[role="treeitem"]')).toHaveLength(3);
    expect(view.state?.model).toEqual({ builtin: 'mnist-cnn' });
  });

  it("runs the card's specs through the outputs and inserts their Python", async () => {
    const engine = new FakeEngine();
    const { host, saved, inserted } = makeHost(engine);
    const view = explorer(host);
    await view.open({ builtin: 'mnist-cnn' });
    view.selectLayer('conv2d');
    view.selectUnit(3);
    await flush();
    const card = view.node.querySelector(
      '.jp-FeatureViz-explorer-card'
    ) as HTMLElement;
    expect(card.dataset.unitId).toBe('mnist-cnn/conv2d/3');
    const unit = {
      model: { builtin: 'mnist-cnn' },
      layer: 'conv2d',
      unit: 3,
      kind: 'channel'
    } as const;
    const specs = cardSpecs(unit, cardOptions(settings));
    const kinds = engine.jobs.map(j => j.request.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['gradient-ascent', 'top-examples', 'pca'])
    );
    const ascent = engine.jobs.find(j => j.request.kind === 'gradient-ascent');
    expect(ascent?.request).toMatchObject({
      objective: specs.ascent.objective,
      optimization: specs.ascent.optimization
    });
    // Each output names the unit in its header.
    const titles = [...card.querySelectorAll('.jp-FeatureViz-title')].map(
      t => t.textContent
    );
    expect(titles).toEqual([
      'mnist-cnn/conv2d/3',
      'mnist-cnn/conv2d/3',
      'mnist-cnn/conv2d/3'
    ]);
    (
      card.querySelector('.jp-FeatureViz-explorer-insert') as HTMLButtonElement
    ).click();
    await flush();
    expect(inserted).toEqual([cardCode(unit, cardOptions(settings))]);
    expect(saved.at(-1)).toEqual({
      model: { builtin: 'mnist-cnn' },
      layer: 'conv2d',
      unit: 3
    });

    // A logit of the last layer.
    view.selectLayer('logits');
    view.selectUnit(7);
    expect(
      (view.node.querySelector('.jp-FeatureViz-explorer-card') as HTMLElement)
        .dataset.unitId
    ).toBe('mnist-cnn/logits/7');
    await flush();
    expect(engine.jobs.at(-3)?.request).toMatchObject({
      kind: 'gradient-ascent',
      objective: { type: 'logit', index: 7, layer: 'logits' }
    });
  });

  it('reopens a restored layer and unit; leaving a unit cancels its runs', async () => {
    const engine = new FakeEngine();
    const { host } = makeHost(engine);
    const view = explorer(host);
    await view.open(
      { builtin: 'mnist-cnn' },
      { model: { builtin: 'mnist-cnn' }, layer: 'dense', unit: 17 }
    );
    expect(view.state).toEqual({
      model: { builtin: 'mnist-cnn' },
      layer: 'dense',
      unit: 17
    });
    expect(
      view.node
        .querySelector('[data-layer="dense"]')
        ?.getAttribute('aria-selected')
    ).toBe('true');
    await flush();
    const cardJobs = engine.jobs.filter(j => j.request.kind !== 'layer-atlas');
    expect(cardJobs).toHaveLength(3);
    view.selectLayer('conv2d');
    expect(cardJobs.every(j => j.options.signal?.aborted)).toBe(true);
  });

  it('shows the card in the main area where the host has one', async () => {
    const engine = new FakeEngine();
    const { host } = makeHost(engine);
    const shown: { id: string; node: HTMLElement; closed: () => void }[] = [];
    let open = false;
    let closes = 0;
    const cards: ICardArea = {
      show: (id, node, closed) => {
        shown.push({ id, node, closed });
        open = true;
      },
      reveal: () => open,
      close: () => {
        open = false;
        closes++;
      }
    };
    const view = explorer({ ...host, cards });
    await view.open({ builtin: 'mnist-cnn' });
    view.selectLayer('conv2d');
    view.selectUnit(3);
    await flush();
    expect(shown.map(s => s.id)).toEqual(['mnist-cnn/conv2d/3']);
    expect(shown[0].node.dataset.unitId).toBe('mnist-cnn/conv2d/3');
    // The sidebar keeps a line and a button, not the card.
    expect(view.node.querySelector('.jp-FeatureViz-explorer-card')).toBeNull();
    const link = view.node.querySelector(
      '.jp-FeatureViz-explorer-cardlink'
    ) as HTMLElement;
    expect(link.textContent).toContain(
      'Card of mnist-cnn/conv2d/3 open in the main area.'
    );
    // The user closes the tab: its runs are cancelled; Show card makes it again.
    const jobs = engine.jobs.filter(j => j.request.kind !== 'layer-atlas');
    open = false;
    shown[0].closed();
    expect(jobs.every(j => j.options.signal?.aborted)).toBe(true);
    expect(link.textContent).toContain('Card of mnist-cnn/conv2d/3 closed.');
    link.querySelector('button')?.click();
    expect(shown.map(s => s.id)).toEqual([
      'mnist-cnn/conv2d/3',
      'mnist-cnn/conv2d/3'
    ]);
    // Another layer closes the card.
    const before = closes;
    view.selectLayer('dense');
    expect(closes).toBe(before + 1);
  });
});
