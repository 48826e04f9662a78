import * as tf from '@tensorflow/tfjs';
import {
  TEST_BACKENDS,
  finiteDifferenceError,
  maxAbsDiff,
  useBackend,
  values
} from '../../testing/backends';
import {
  ChannelOutOfRangeError,
  FeatureVizError,
  PositionOutOfRangeError,
  UnknownLayerError
} from '../../errors';
import type { Objective as ObjectiveSpec } from '../../../spec/types.generated';
import { INPUT, type IActivationRef } from '../../model/activation-ref';
import { LayersExecutor } from '../../model/executor';
import { pickSelection } from '../../model/layers/channels';
import { checkLayers, compileObjective } from '../compile';
import { type Activations, readActivations } from '../objective';
import { blurInputEachStep, l1, l2, totalVariation } from '../penalties';
import { channel, channelPerImage, diversity, neuron } from '../units';

/** A tiny smooth network, so finite differences are exact enough. */
function tiny(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [7, 7, 2],
        filters: 4,
        kernelSize: 3,
        activation: 'tanh',
        name: 'conv'
      }),
      tf.layers.conv2d({
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'softplus',
        name: 'conv2'
      }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 5, name: 'logits' })
    ]
  });
  let seed = 1;
  for (const layer of model.layers) {
    const w = layer.getWeights();
    if (w.length) {
      layer.setWeights(
        w.map(t =>
          tf.tidy(() => tf.randomNormal(t.shape, 0, 0.5, 'float32', seed++))
        )
      );
    }
  }
  return model;
}

/**
 * Activations from whole layers, by name: a ref's channels are picked from
 * its layer as an executor without sliced kernels picks them.
 */
function fromWhole(layers: Record<string, tf.Tensor>): Activations {
  return (ref: IActivationRef) => pickSelection(layers[ref.layer], ref);
}

const NODES: ObjectiveSpec[] = [
  { type: 'channel', layer: 'conv2', channel: 1 },
  { type: 'channel', layer: 'conv', channel: 3, batch: 1 },
  { type: 'neuron', layer: 'conv2', channel: 2 },
  { type: 'neuron', layer: 'conv', channel: 0, x: 1, y: 3, batch: 0 },
  { type: 'layer', layer: 'conv2' },
  { type: 'logit', index: 4 },
  { type: 'direction', layer: 'conv2', vector: [0.3, -1, 0.5] },
  {
    type: 'direction',
    layer: 'conv',
    vector: [1, 2, 3, 4],
    x: 2,
    y: 2,
    batch: 1
  },
  { type: 'diversity', layer: 'conv2' },
  { type: 'l1', constant: 0.1 },
  { type: 'l1', layer: 'conv', batch: 1 },
  { type: 'l2', constant: 0.5 },
  { type: 'l2', layer: 'conv2', batch: 0, epsilon: 1e-3 },
  {
    type: 'sum',
    terms: [
      { type: 'channel', layer: 'conv2', channel: 0 },
      { type: 'scale', factor: -0.5, term: { type: 'l1', constant: 0.1 } },
      {
        type: 'scale',
        factor: -1e-2,
        term: { type: 'diversity', layer: 'conv' }
      }
    ]
  }
];

describe('objectives', () => {
  for (const backend of TEST_BACKENDS) {
    describe(`on ${backend}`, () => {
      beforeAll(() => useBackend(backend));

      for (const node of NODES) {
        it(`${JSON.stringify(node).slice(0, 90)}: finite gradient matching finite differences`, () => {
          const model = tiny();
          const executor = new LayersExecutor(model);
          // Channel and neuron objectives read one channel, which the
          // convolutions and the dense layer compute alone.
          const objective = compileObjective(node, executor);
          objective.check(ref => executor.outputShape(ref), 2);
          tf.tidy(() => {
            // Pixels away from 0, so that |x − c| has no kink within ε.
            const x = tf.randomUniform([2, 7, 7, 2], 0.2, 0.9, 'float32', 5);
            const f = (t: tf.Tensor) =>
              objective.perImage(
                readActivations(executor, t as tf.Tensor4D, t, objective.refs),
                2
              );
            const grad = values(tf.grad(t => tf.sum(f(t)))(x));
            expect(grad.every(Number.isFinite)).toBe(true);
            expect(Math.max(...Array.from(grad, Math.abs))).toBeGreaterThan(0);
            expect(finiteDifferenceError(f, x, { epsilon: 1e-2 })).toBeLessThan(
              1e-2
            );
          });
          executor.dispose();
          model.dispose();
        });
      }
    });
  }
});

describe('objective values', () => {
  beforeAll(() => useBackend('cpu'));

  it.each(TEST_BACKENDS)(
    'match sums and means computed by hand, and split across the batch (%s)',
    async backend => {
      await useBackend(backend);
      tf.tidy(() => {
        const act = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 2);
        const a = act.arraySync() as number[][][][];
        const acts = fromWhole({ conv: act, [INPUT]: act });
        // channel: mean over space, averaged over the batch.
        const mean = (b: number, c: number) =>
          a[b].flat().reduce((s, px) => s + px[c], 0) / 20;
        expect(
          maxAbsDiff(
            values(channel('conv', 2).perImage(acts, 3)),
            [0, 1, 2].map(b => mean(b, 2) / 3)
          )
        ).toBeLessThan(1e-6);
        const only = values(channel('conv', 4, 1).perImage(acts, 3));
        expect(maxAbsDiff(only, [0, mean(1, 4), 0])).toBeLessThan(1e-6);
        // neuron: the centre (row 2, column 2).
        expect(
          maxAbsDiff(
            values(neuron('conv', 1).perImage(acts, 3)),
            [0, 1, 2].map(b => a[b][2][2][1] / 3)
          )
        ).toBeLessThan(1e-6);
        // atlas: image i, channel c_i.
        expect(
          maxAbsDiff(
            values(channelPerImage('conv', [5, 0, 3]).perImage(acts, 3)),
            [mean(0, 5), mean(1, 0), mean(2, 3)]
          )
        ).toBeLessThan(1e-6);
        // L1 and total variation per image.
        const flat = (b: number) => a[b].flat(2);
        expect(
          maxAbsDiff(
            values(l1(INPUT, 0.5).perImage(acts, 3)),
            [0, 1, 2].map(b =>
              flat(b).reduce((s, v) => s + Math.abs(v - 0.5), 0)
            )
          )
        ).toBeLessThan(1e-3);
        const tv = (b: number) => {
          let s = 0;
          for (let i = 0; i < 4; i++)
            for (let j = 0; j < 5; j++)
              for (let c = 0; c < 6; c++) {
                if (i < 3) s += Math.abs(a[b][i + 1][j][c] - a[b][i][j][c]);
                if (j < 4) s += Math.abs(a[b][i][j + 1][c] - a[b][i][j][c]);
              }
          return s;
        };
        expect(
          maxAbsDiff(
            values(totalVariation().perImage(acts, 3)),
            [0, 1, 2].map(tv)
          )
        ).toBeLessThan(1e-3);
        // L2 of the whole batch, spread evenly.
        const norm = Math.sqrt(
          [0, 1, 2].flatMap(flat).reduce((s, v) => s + v * v, 0) + 1e-6
        );
        expect(
          maxAbsDiff(values(l2().perImage(acts, 3)), [
            norm / 3,
            norm / 3,
            norm / 3
          ])
        ).toBeLessThan(1e-3);
      });
    }
  );

  it("total variation's gradient is the sum of the signs of the differences, 0 between equal pixels", () => {
    const inputs = [
      () => tf.randomUniform([2, 6, 5, 2], 0, 1, 'float32', 8),
      // Three grey levels: most neighbours are equal (tfjs's Abs gradient
      // is −1 at 0 and would move them).
      () =>
        tf.div(tf.round(tf.randomUniform([2, 6, 5, 2], 0, 2, 'float32', 9)), 2),
      () => tf.fill([2, 6, 5, 2], 0.5)
    ];
    for (const [batch, input] of inputs.flatMap(make =>
      [undefined, 1].map(b => [b, make] as const)
    )) {
      tf.tidy(() => {
        const x = input();
        const a = x.arraySync() as number[][][][];
        const grad = values(
          tf.grad(t =>
            tf.sum(
              totalVariation(INPUT, batch).perImage(
                fromWhole({ [INPUT]: t }),
                2
              )
            )
          )(x)
        );
        const expected: number[] = [];
        for (let b = 0; b < 2; b++) {
          for (let i = 0; i < 6; i++) {
            for (let j = 0; j < 5; j++) {
              for (let c = 0; c < 2; c++) {
                let g = 0;
                if (i > 0) g += Math.sign(a[b][i][j][c] - a[b][i - 1][j][c]);
                if (i < 5) g -= Math.sign(a[b][i + 1][j][c] - a[b][i][j][c]);
                if (j > 0) g += Math.sign(a[b][i][j][c] - a[b][i][j - 1][c]);
                if (j < 4) g -= Math.sign(a[b][i][j + 1][c] - a[b][i][j][c]);
                expected.push(batch === undefined || batch === b ? g : 0);
              }
            }
          }
        }
        expect(maxAbsDiff(grad, expected)).toBe(0);
      });
    }
  });

  it('diversity is 0 for a batch of identical Gram matrices scaled, and positive otherwise', () => {
    tf.tidy(() => {
      const one = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 3);
      const same = tf.concat([one, tf.mul(one, 2)]);
      // Cosine similarity of identical (normalized) Gram matrices is 1: each
      // image's share is (batch − 1) / batch · 1 = 0.5.
      expect(
        maxAbsDiff(
          values(diversity('a').perImage(fromWhole({ a: same }), 2)),
          [0.5, 0.5]
        )
      ).toBeLessThan(1e-5);
    });
  });

  it('blur_input_each_step is 0 on a constant image and has the blur held constant', () => {
    tf.tidy(() => {
      const flat = tf.fill([1, 5, 5, 2], 0.3);
      expect(
        values(blurInputEachStep().perImage(fromWhole({ [INPUT]: flat }), 1))[0]
      ).toBeCloseTo(0, 6);
      const x = tf.randomUniform([1, 5, 5, 1], 0, 1, 'float32', 4);
      // With the blur held constant, d/dx ½Σ(x − b)² = x − blur(x), where
      // blur is Lucid's 3×3 kernel (1 in the centre, ½ around), normalized.
      const grad = values(
        tf.grad(t =>
          tf.sum(blurInputEachStep().perImage(fromWhole({ [INPUT]: t }), 1))
        )(x)
      );
      const img = (x.arraySync() as number[][][][])[0].map(r =>
        r.map(p => p[0])
      );
      const expected: number[] = [];
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 5; j++) {
          let total = 0;
          let weight = 0;
          for (let di = -1; di <= 1; di++) {
            for (let dj = -1; dj <= 1; dj++) {
              if (i + di >= 0 && i + di < 5 && j + dj >= 0 && j + dj < 5) {
                const k = di === 0 && dj === 0 ? 1 : 0.5;
                total += k * img[i + di][j + dj];
                weight += k;
              }
            }
          }
          expected.push(img[i][j] - total / weight);
        }
      }
      expect(maxAbsDiff(grad, expected)).toBeLessThan(1e-6);
    });
  });

  it('declares the activations it reads: one channel, one per image, or the whole layer', () => {
    const context = {
      logitsLayer: { layer: 'logits', pre: true },
      optimizable: (layer: string): IActivationRef => ({ layer, pre: true })
    };
    const refsOf = (node: ObjectiveSpec) =>
      compileObjective(node, context).refs;
    expect(refsOf({ type: 'neuron', layer: 'conv2', channel: 2 })).toEqual([
      { layer: 'conv2', pre: true, channels: [2] }
    ]);
    expect(refsOf({ type: 'channel', layer: 'conv2', channel: 1 })).toEqual([
      { layer: 'conv2', pre: true, channels: [1] }
    ]);
    expect(refsOf({ type: 'logit', index: 3 })).toEqual([
      { layer: 'logits', pre: true }
    ]);
    expect(refsOf({ type: 'layer', layer: 'conv2' })).toEqual([
      { layer: 'conv2' }
    ]);
    expect(channelPerImage('conv', [3, 1]).refs).toEqual([
      { layer: 'conv', channels: [3, 1], perImage: true }
    ]);
    // A ref read twice is computed once.
    expect(
      refsOf({
        type: 'sum',
        terms: [
          { type: 'channel', layer: 'conv2', channel: 1 },
          { type: 'neuron', layer: 'conv2', channel: 1 },
          { type: 'l1' },
          { type: 'l2' }
        ]
      })
    ).toEqual([{ layer: 'conv2', pre: true, channels: [1] }, { layer: INPUT }]);
  });

  it('compiles every node type and refuses an unknown one', () => {
    for (const node of NODES) {
      expect(
        compileObjective(node, { logitsLayer: { layer: 'logits' } }).description
          .length
      ).toBeGreaterThan(0);
    }
    expect(() =>
      compileObjective({ type: 'chanel' } as unknown as ObjectiveSpec, {
        logitsLayer: { layer: 'x' }
      })
    ).toThrow(/Unknown objective type "chanel"/);
  });

  it('gives typed errors for wrong layers, channels, positions and batch indices', () => {
    const model = tiny();
    const executor = new LayersExecutor(model);
    const shapeOf = (ref: IActivationRef) => executor.outputShape(ref);
    expect(() =>
      checkLayers(channel('conv_2', 0), executor.layerNames)
    ).toThrow(UnknownLayerError);
    expect(() =>
      checkLayers(channel('conv_2', 0), executor.layerNames)
    ).toThrow(/Did you mean "conv2"\?/);
    expect(() => checkLayers(channel('dense', 0), executor.layerNames)).toThrow(
      'The model has no layer "dense". Its layers are: conv, conv2, flat, logits.'
    );
    expect(() => channel('conv', 4).check(shapeOf, 1)).toThrow(
      ChannelOutOfRangeError
    );
    expect(() => channel('conv', 4).check(shapeOf, 1)).toThrow(
      'Layer "conv" has 4 channels (0 to 3); channel 4 is out of range.'
    );
    expect(() =>
      compileObjective(
        { type: 'logit', index: 9 },
        { logitsLayer: { layer: 'logits' } }
      ).check(shapeOf, 1)
    ).toThrow('has 5 classes (0 to 4)');
    expect(() => neuron('conv', 0, 6, 0).check(shapeOf, 1)).toThrow(
      PositionOutOfRangeError
    );
    expect(() => channel('conv', 0, 3).check(shapeOf, 2)).toThrow(
      /Batch index 3 is out of range/
    );
    expect(() =>
      compileObjective(
        { type: 'direction', layer: 'conv', vector: [1, 2] },
        { logitsLayer: { layer: 'logits' } }
      ).check(shapeOf, 1)
    ).toThrow(FeatureVizError);
    expect(() => diversity('conv').check(shapeOf, 1)).toThrow(
      /batch of 2 or more/
    );
    executor.dispose();
    model.dispose();
  });
});
