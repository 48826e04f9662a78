import { batchLabels, describeObjective, describeSpec } from '../describe';
import type { Objective } from '../types.generated';

describe('describeSpec', () => {
  it('words a gradient-ascent spec with a composed objective', () => {
    expect(
      describeSpec({
        version: 1,
        view: 'gradient-ascent',
        model: { builtin: 'mnist-cnn' },
        objective: {
          type: 'sum',
          terms: [
            { type: 'channel', layer: 'conv2d_1', channel: 5 },
            {
              type: 'scale',
              factor: -0.5,
              term: { type: 'channel', layer: 'conv2d_1', channel: 7 }
            },
            { type: 'scale', factor: -1, term: { type: 'total-variation' } }
          ]
        }
      })
    ).toEqual({
      view: 'Gradient ascent',
      model: 'mnist-cnn',
      subject:
        'channel 5 of conv2d_1 - 0.5 × channel 7 of conv2d_1 - total variation'
    });
  });

  it('words a batched row of logits as one phrase', () => {
    const terms = Array.from({ length: 10 }, (_, i) => ({
      type: 'logit' as const,
      index: i,
      batch: i
    })) as [Objective, ...Objective[]];
    expect(describeObjective({ type: 'sum', terms })).toBe(
      'logits 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, one per image'
    );
    expect(
      describeObjective({
        type: 'sum',
        terms: [
          ...terms,
          { type: 'scale', factor: -0.05, term: { type: 'l1' } }
        ]
      })
    ).toBe('logits 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, one per image - 0.05 × L1');
  });

  it('labels the images of a batched row, ignoring penalties', () => {
    const terms = Array.from({ length: 3 }, (_, i) => ({
      type: 'logit' as const,
      index: 7 - i,
      batch: i
    })) as [Objective, ...Objective[]];
    expect(batchLabels({ type: 'sum', terms })).toEqual(['7', '6', '5']);
    expect(
      batchLabels({
        type: 'sum',
        terms: [
          { type: 'channel', layer: 'c', channel: 4, batch: 1 },
          { type: 'channel', layer: 'c', channel: 9, batch: 0 },
          { type: 'scale', factor: -0.1, term: { type: 'l1' } }
        ]
      })
    ).toEqual(['ch 9', 'ch 4']);
    expect(
      batchLabels({ type: 'channel', layer: 'c', channel: 1 })
    ).toBeUndefined();
  });

  it('words data and targets', () => {
    expect(
      describeSpec({
        version: 1,
        view: 'occlusion',
        model: { url: 'nets/a/model.json' },
        target: { type: 'logit', index: 8 },
        data: { builtin: 'mnist', split: 'test', index: 3 }
      }).subject
    ).toBe('logit 8 on mnist (test) #3');
    expect(
      describeSpec({
        version: 1,
        view: 'saliency',
        model: { builtin: 'mnist-cnn' },
        target: { type: 'channel', layer: 'conv2d_1', channel: 5 },
        data: { builtin: 'mnist', index: 0 }
      }).subject
    ).toBe('channel 5 of conv2d_1 (max over positions) on mnist #0');
    expect(
      describeSpec({
        version: 1,
        view: 'saliency',
        model: { builtin: 'mnist-cnn' },
        data: {
          kernel: 'a'.repeat(64),
          shape: [1, 28, 28],
          dtype: 'uint8',
          index: 0
        }
      }).subject
    ).toBe('the predicted class on kernel arrays 1×28×28 uint8 #0');
    expect(describeObjective({ type: 'logit', index: 2 })).toBe('logit 2');
    expect(
      describeObjective({
        type: 'scale',
        factor: -1,
        term: { type: 'layer', layer: 'conv2d' }
      })
    ).toBe('-(all of conv2d)');
  });
});
