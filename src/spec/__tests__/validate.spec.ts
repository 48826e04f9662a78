import { MIME_TYPE, SPEC_VERSION, fieldPath, validateSpec } from '..';

const model = { builtin: 'mnist-cnn' };
const channel = { type: 'channel', layer: 'conv2d_1', channel: 5 };
const base = { version: 1, view: 'gradient-ascent', model, objective: channel };

function errorOf(data: unknown): { field: string; problem: string } {
  const result = validateSpec(data);
  if (result.ok) {
    throw new Error(`expected ${JSON.stringify(data)} to be invalid`);
  }
  return { field: result.error.field, problem: result.error.problem };
}

describe('validateSpec', () => {
  it('accepts one valid spec of every view', () => {
    const data = { builtin: 'mnist', split: 'test', limit: 100 };
    const specs = [
      base,
      {
        ...base,
        title: 'Channel 5',
        objective: {
          type: 'sum',
          terms: [
            channel,
            { type: 'scale', factor: -0.5, term: { ...channel, channel: 7 } },
            {
              type: 'scale',
              factor: -0.01,
              term: { type: 'total-variation' }
            },
            { type: 'neuron', layer: 'conv2d_1', channel: 1, x: 3, y: 4 },
            { type: 'logit', index: 8 },
            { type: 'direction', layer: 'dense', vector: [0.5, -1] },
            { type: 'diversity', layer: 'conv2d' },
            { type: 'l1', constant: 0.5 },
            { type: 'l2', epsilon: 1e-6 },
            { type: 'layer', layer: 'conv2d', batch: 2 },
            { type: 'blur-input-each-step' }
          ]
        },
        optimization: {
          param: 'fourier',
          decorrelate: true,
          size: [28, 28],
          batch: 4,
          transforms: [
            { type: 'pad', pixels: 4, mode: 'reflect' },
            { type: 'jitter', pixels: 2 },
            { type: 'random-scale', scales: [0.9, 1.1] },
            { type: 'random-rotate', degrees: [-5, 0, 5] }
          ],
          optimizer: { type: 'adam', lr: 0.05 },
          steps: 256,
          seed: 0,
          frameEvery: 4
        },
        display: { scale: 8, keepFrames: false }
      },
      {
        version: 1,
        view: 'layer-atlas',
        model: { url: 'models/net/model.json', format: 'layers' },
        layer: 'conv2d',
        channels: [0, 1, 2],
        optimization: { transforms: 'small' }
      },
      {
        version: 1,
        view: 'top-examples',
        model,
        target: {
          type: 'channel',
          layer: 'conv2d_1',
          channel: 5,
          reduce: 'mean'
        },
        data,
        k: 16,
        bottom: true,
        patches: true
      },
      {
        version: 1,
        view: 'top-examples',
        model,
        target: { type: 'logit', index: 8 },
        data: {
          kernel: 'a'.repeat(64),
          shape: [100, 28, 28],
          dtype: 'uint8',
          labels: true
        }
      },
      {
        version: 1,
        view: 'top-examples',
        model,
        target: { type: 'neuron', layer: 'dense', channel: 3 },
        data: { path: 'data/x.npz', key: 'images', labels: 'labels', limit: 50 }
      },
      { version: 1, view: 'pca', model, layer: 'conv2d', data },
      {
        version: 1,
        view: 'occlusion',
        model,
        target: { type: 'logit', index: 8 },
        data: { ...data, index: 3 },
        size: 4,
        stride: 2
      },
      {
        version: 1,
        view: 'saliency',
        model,
        target: { type: 'neuron', layer: 'conv2d', channel: 2, x: 3, y: 4 },
        data: { path: 'digits.npy', index: 0 },
        methods: ['smoothgrad', 'grad-cam'],
        camLayer: 'conv2d_1'
      },
      {
        version: 1,
        view: 'saliency',
        model,
        data: {
          kernel: 'a'.repeat(64),
          shape: [1, 28, 28],
          dtype: 'uint8',
          index: 0
        }
      },
      { version: 1, view: 'filters', model, layer: 'conv2d' },
      { version: 1, view: 'filters', model }
    ];
    for (const spec of specs) {
      const result = validateSpec(spec);
      expect(result.ok ? 'valid' : result.error.message).toBe('valid');
    }
  });

  it('rejects non-objects and unknown versions with a clear message', () => {
    expect(errorOf(null).problem).toMatch(/JSON object/);
    expect(errorOf([base]).problem).toMatch(/JSON object/);
    expect(errorOf({ ...base, version: 2 })).toEqual({
      field: 'version',
      problem: expect.stringMatching(/2 is not supported.*version 1/)
    });
    expect(errorOf({ ...base, version: undefined }).field).toBe('version');
  });

  it('names an unknown view and lists the known ones', () => {
    const { field, problem } = errorOf({ ...base, view: 'heatmap' });
    expect(field).toBe('view');
    expect(problem).toContain('"heatmap" is not one of');
    for (const view of [
      'gradient-ascent',
      'layer-atlas',
      'top-examples',
      'pca',
      'occlusion',
      'saliency',
      'filters'
    ]) {
      expect(problem).toContain(`"${view}"`);
    }
  });

  it('names a saliency method it does not know and lists the known ones', () => {
    const { field, problem } = errorOf({
      version: 1,
      view: 'saliency',
      model: { builtin: 'mnist-cnn' },
      data: { builtin: 'mnist', index: 0 },
      methods: ['gradient', 'lime']
    });
    expect(field).toBe('methods[1]');
    expect(problem).toMatch(/^must be one of "gradient"/);
    expect(problem).toContain('"guided-backprop"');
  });

  it('names the missing field', () => {
    const { objective: _objective, ...noObjective } = base;
    expect(errorOf(noObjective)).toEqual({
      field: 'objective',
      problem: 'is required but missing'
    });
  });

  it('names a deep bad field inside the objective tree', () => {
    const spec = {
      ...base,
      objective: {
        type: 'sum',
        terms: [channel, { type: 'channel', layer: 'conv2d', channel: -1 }]
      }
    };
    expect(errorOf(spec)).toEqual({
      field: 'objective.terms[1].channel',
      problem: 'must be >= 0'
    });
  });

  it('names an unknown objective type and lists the known ones', () => {
    const { field, problem } = errorOf({
      ...base,
      objective: { type: 'chanel', layer: 'x', channel: 1 }
    });
    expect(field).toBe('objective.type');
    expect(problem).toContain('"chanel" is not one of "channel", "neuron"');
  });

  it('names an unknown field', () => {
    expect(errorOf({ ...base, objective: { ...channel, chanel: 3 } })).toEqual({
      field: 'objective.chanel',
      problem: 'is not a known field here'
    });
  });

  it('explains the alternatives of a model reference', () => {
    expect(errorOf({ ...base, model: {} })).toEqual({
      field: 'model',
      problem:
        "give exactly one of 'builtin' or 'url' or 'kernel' and 'weightBytes'"
    });
    expect(
      errorOf({ ...base, model: { builtin: 'mnist-cnn', url: 'a.json' } })
        .problem
    ).toBe(
      "give exactly one of 'builtin' or 'url' or 'kernel' and 'weightBytes'"
    );
    expect(errorOf({ ...base, model: { builtin: 'resnet' } })).toEqual({
      field: 'model.builtin',
      problem: 'must be one of "mnist-cnn"'
    });
    expect(
      errorOf({ ...base, model: { url: 'a.json', format: 'onnx' } })
    ).toEqual({
      field: 'model.format',
      problem: 'must be one of "layers", "graph"'
    });
  });

  it('checks value ranges and types in optimization', () => {
    expect(errorOf({ ...base, optimization: { steps: 0 } })).toEqual({
      field: 'optimization.steps',
      problem: 'must be >= 1'
    });
    expect(errorOf({ ...base, optimization: { size: [28] } }).field).toBe(
      'optimization.size'
    );
    expect(errorOf({ ...base, optimization: { transforms: 'fancy' } })).toEqual(
      {
        field: 'optimization.transforms',
        problem: expect.stringContaining('"standard", "small", "none"')
      }
    );
    expect(errorOf({ ...base, optimization: { decorrelate: 'yes' } })).toEqual({
      field: 'optimization.decorrelate',
      problem: 'must be of type boolean'
    });
  });
});

describe('spec constants', () => {
  it('derives the MIME type from the schema version', () => {
    expect(SPEC_VERSION).toBe(1);
    expect(MIME_TYPE).toBe('application/vnd.featureviz.v1+json');
  });

  it('formats JSON pointers as readable paths', () => {
    expect(fieldPath('')).toBe('');
    expect(fieldPath('/objective/terms/1/channel')).toBe(
      'objective.terms[1].channel'
    );
    expect(fieldPath('/a~1b/c~0d')).toBe('a/b.c~d');
  });
});
