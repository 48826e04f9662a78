/**
 * The neuron card's specs are the specs Python builds: the code "Insert
 * code" writes (python-code.ts) is run by the `featureviz` package in Python,
 * and the specs it builds must equal the card's, field for field; both are
 * valid against the schema. Python runs as `$FEATUREVIZ_ORACLE_PYTHON`
 * (else `python`), with this checkout's package.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { validateSpec } from '../../spec';
import {
  type ICardOptions,
  type IExplorerUnit,
  atlasSpec,
  cardSpecs,
  unitId,
  unitKind
} from '../card-spec';
import { explorerData } from '../card-options';
import { cardCode } from '../python-code';

const ROOT = path.join(__dirname, '../../..');
const BUNDLED = { builtin: 'mnist-cnn' } as const;
const DIGITS: ICardOptions = {
  data: { builtin: 'mnist', split: 'test' },
  steps: null,
  size: null
};

/** Runs the card's code in Python; returns the specs it built, by name. */
function pythonSpecs(code: string): Record<string, unknown> {
  const script = [
    // The cell displays its outputs; here they are only built.
    'display = lambda *outputs: None',
    code,
    'import json, sys',
    'json.dump({"ascent": ascent.spec, "examples": examples.spec, "pca": pca.spec}, sys.stdout)'
  ].join('\n');
  const out = execFileSync(
    process.env.FEATUREVIZ_ORACLE_PYTHON ?? 'python',
    ['-c', script],
    {
      cwd: ROOT,
      env: { ...process.env, PYTHONPATH: ROOT },
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 60000
    }
  );
  return JSON.parse(out.toString()) as Record<string, unknown>;
}

const CASES: readonly [string, IExplorerUnit, ICardOptions][] = [
  [
    'a conv channel, the recipe left to the engine',
    { model: BUNDLED, layer: 'conv2d_1', unit: 5, kind: 'channel' },
    DIGITS
  ],
  [
    'a dense neuron, with steps and size from the settings',
    { model: BUNDLED, layer: 'dense', unit: 17, kind: 'neuron' },
    { ...DIGITS, steps: 64, size: 32 }
  ],
  [
    'a logit of a model.json on the server, over an .npy file',
    {
      model: { url: 'models/net/model.json' },
      layer: 'logits',
      unit: 3,
      kind: 'logit'
    },
    // The setting's path, from the server's root as the sidebar reads it.
    { data: explorerData('data/digits.npy'), steps: 128, size: null }
  ],
  [
    'a channel over a folder of images',
    { model: BUNDLED, layer: 'conv2d', unit: 0, kind: 'channel' },
    { data: explorerData('/images/'), steps: null, size: 28 }
  ]
];

describe('the neuron card', () => {
  it("names the setting's dataset from the server's root in the card and the code", () => {
    expect(explorerData(' data/digits.npy ')).toEqual({
      path: '/data/digits.npy'
    });
    expect(explorerData('/images/')).toEqual({ path: '/images/' });
    expect(explorerData('')).toMatchObject({ builtin: 'mnist' });
  });

  it.each(CASES)(
    'builds the specs its inserted code builds in Python: %s',
    (_, unit, options) => {
      const card = cardSpecs(unit, options);
      const python = pythonSpecs(cardCode(unit, options));
      expect(card).toEqual(python);
      for (const spec of Object.values(card)) {
        expect(validateSpec(spec)).toMatchObject({ ok: true });
      }
    }
  );

  it('names every output after the unit: model/layer/unit', () => {
    const unit: IExplorerUnit = {
      model: BUNDLED,
      layer: 'conv2d_1',
      unit: 5,
      kind: 'channel'
    };
    const specs = cardSpecs(unit, DIGITS);
    expect(unitId(unit)).toBe('mnist-cnn/conv2d_1/5');
    expect(specs.ascent.title).toBe('mnist-cnn/conv2d_1/5');
    expect(specs.examples.title).toBe('mnist-cnn/conv2d_1/5');
    // The PCA of the layer, coloured by the unit: about the unit too.
    expect(specs.pca.title).toBe('mnist-cnn/conv2d_1/5');
    expect(specs.pca.colorBy).toEqual(specs.examples.target);
    expect(specs.examples.histogram).toBe(true);
  });

  it('reads spatial layers by channel, flat ones by neuron, the last by logit', () => {
    expect(unitKind([null, 12, 12, 64], false)).toBe('channel');
    expect(unitKind([null, 128], false)).toBe('neuron');
    expect(unitKind([null, 10], true)).toBe('logit');
  });

  it('builds a valid atlas spec of the visible channels', () => {
    const spec = atlasSpec(BUNDLED, 'conv2d', [4, 5, 6], DIGITS);
    expect(validateSpec(spec)).toMatchObject({ ok: true });
    expect(spec.channels).toEqual([4, 5, 6]);
  });
});
