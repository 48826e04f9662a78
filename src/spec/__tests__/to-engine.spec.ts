import { specHash } from '../hash';
import { toJobRequest } from '../to-engine';
import type { Objective } from '../types.generated';

describe('toJobRequest', () => {
  const model = { url: 'http://127.0.0.1/model.json', maxWeightBytes: 1e8 };

  it('maps a gradient-ascent spec', () => {
    const objective: Objective = {
      type: 'channel',
      layer: 'conv2d_1',
      channel: 5
    };
    const request = toJobRequest(
      {
        version: 1,
        view: 'gradient-ascent',
        model: { builtin: 'mnist-cnn' },
        objective,
        optimization: {
          param: 'pixel',
          size: [32, 30],
          optimizer: { type: 'sgd', lr: 0.1 },
          steps: 12,
          seed: 3,
          transforms: [{ type: 'jitter', pixels: 2 }]
        }
      },
      model
    );
    expect(request).toEqual({
      kind: 'gradient-ascent',
      model,
      objective,
      optimization: {
        param: 'pixel',
        size: [32, 30],
        transforms: [{ type: 'jitter', pixels: 2 }],
        optimizer: { type: 'sgd', lr: 0.1 },
        steps: 12,
        seed: 3
      }
    });
  });

  it('maps a layer atlas', () => {
    expect(
      toJobRequest(
        {
          version: 1,
          view: 'layer-atlas',
          model: { builtin: 'mnist-cnn' },
          layer: 'conv2d',
          channels: [1, 2]
        },
        model
      )
    ).toMatchObject({
      kind: 'layer-atlas',
      layer: 'conv2d',
      channels: [1, 2]
    });
  });
});

describe('specHash', () => {
  it('ignores key order and undefined fields, and changes with any value', () => {
    const a = specHash({ view: 'x', model: { builtin: 'm' }, n: [1, 2] });
    expect(
      specHash({
        n: [1, 2],
        model: { builtin: 'm' },
        view: 'x',
        extra: undefined
      })
    ).toBe(a);
    expect(
      specHash({ view: 'x', model: { builtin: 'm' }, n: [2, 1] })
    ).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is FNV-1a 64 of the canonical JSON (vectors computed in Python)', () => {
    // specHash hashes JSON text: a string s is hashed as JSON.stringify(s).
    expect(specHash('a')).toBe('d4272417d7c77eea');
    expect(specHash('featureviz')).toBe('1104caf03011d45c');
    expect(specHash({ a: [1, 2] })).toBe('4ab48197316c446f');
  });
});
