/**
 * Receptive fields against a hand-computed table (the demo CNN, and a small
 * network with padding, stride, dilation, cropping and 'same' pooling), and
 * against gradients: the input pixels with a non-zero gradient for a unit lie
 * inside its box, and fill it for convolutions.
 */
import * as tf from '@tensorflow/tfjs';
import { fileFetch, fileUrl } from '../../testing/files';
import { useBackend } from '../../testing/backends';
import { LayersExecutor } from '../executor';
import { type LoadedModel, disposeModel, loadModel } from '../load';
import {
  type IReceptiveField,
  receptiveField,
  receptiveFieldBox
} from '../receptive-field';

const axes = (field: IReceptiveField) =>
  field.axes?.map(a => [a.size, a.stride, a.offset]) ?? 'whole';

/** A small network through every kind of geometry the engine knows. */
function geometryNet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.zeroPadding2d({ inputShape: [19, 17, 1], padding: 1 }));
  model.add(
    tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, name: 'a' })
  );
  model.add(
    tf.layers.conv2d({
      filters: 2,
      kernelSize: 3,
      dilationRate: 2,
      padding: 'same',
      name: 'b'
    })
  );
  model.add(
    tf.layers.maxPooling2d({ poolSize: 2, padding: 'same', name: 'c' })
  );
  model.add(
    tf.layers.cropping2D({
      cropping: [
        [1, 0],
        [0, 1]
      ],
      name: 'd'
    })
  );
  model.add(
    tf.layers.conv2d({
      filters: 2,
      kernelSize: [3, 1],
      strides: [1, 2],
      padding: 'same',
      name: 'e'
    })
  );
  model.add(tf.layers.globalAveragePooling2d({ name: 'f' }));
  return model;
}

describe('receptiveField', () => {
  let loaded: LoadedModel;

  beforeAll(async () => {
    await useBackend('cpu');
    loaded = await loadModel(fileUrl('assets/models/mnist-cnn/model.json'), {
      fetch: fileFetch()
    });
  });

  afterAll(() => disposeModel(loaded));

  it('matches the hand-computed table of the demo CNN', () => {
    const table: Record<string, unknown> = {
      conv2d: [
        [3, 1, 0],
        [3, 1, 0]
      ],
      conv2d_1: [
        [5, 1, 0],
        [5, 1, 0]
      ],
      max_pooling2d: [
        [6, 2, 0],
        [6, 2, 0]
      ],
      dropout: [
        [6, 2, 0],
        [6, 2, 0]
      ],
      flatten: 'whole',
      dense: 'whole',
      logits: 'whole'
    };
    for (const [layer, expected] of Object.entries(table)) {
      expect([layer, axes(receptiveField(loaded, layer))]).toEqual([
        layer,
        expected
      ]);
    }
    const field = receptiveField(loaded, 'max_pooling2d');
    expect(field.input).toEqual([28, 28]);
    expect(receptiveFieldBox(field, 3, 11)).toEqual({
      top: 6,
      left: 22,
      bottom: 12,
      right: 28
    });
    expect(receptiveFieldBox(receptiveField(loaded, 'dense'), 0, 0)).toEqual({
      top: 0,
      left: 0,
      bottom: 28,
      right: 28
    });
  });

  it('matches the hand-computed table through padding, stride, dilation and cropping', () => {
    const model = geometryNet();
    // a: pad 1, then 3×3 stride 2: size 3, stride 2, offset −1.
    // b: 3×3 dilated 2 (extent 5), 'same' on 9×8 → before = 2 (rows), 2
    //    (cols): size 3 + 4·2 = 11, stride 2, offset −1 − 2·2 = −5.
    // c: pool 2, stride 2, 'same' on 9 rows (total 1, before 0) and 8
    //    columns (total 0): size 13, stride 4, offset −5.
    // d: crop 1 row at the top: offset −5 + 4 = −1; columns unchanged.
    // e: 3×1, stride [1, 2], 'same' on 4 rows (before 1) and 3 columns
    //    (extent 1: total max((2 − 1)·2 + 1 − 3, 0) = 0): rows size
    //    13 + 2·4 = 21, offset −1 − 4 = −5; columns size 13, stride 8.
    const expected: Record<string, unknown> = {
      a: [
        [3, 2, -1],
        [3, 2, -1]
      ],
      b: [
        [11, 2, -5],
        [11, 2, -5]
      ],
      c: [
        [13, 4, -5],
        [13, 4, -5]
      ],
      d: [
        [13, 4, -1],
        [13, 4, -5]
      ],
      e: [
        [21, 4, -5],
        [13, 8, -5]
      ],
      f: 'whole'
    };
    for (const [layer, table] of Object.entries(expected)) {
      expect([layer, axes(receptiveField(model.layers, layer))]).toEqual([
        layer,
        table
      ]);
    }
    expect(receptiveField(model.layers, 'a').input).toEqual([19, 17]);
    model.dispose();
  });

  it('names an unknown layer and a layer whose geometry it does not know', () => {
    expect(() => receptiveField(loaded, 'conv9')).toThrow(/no layer "conv9"/);
    const model = tf.sequential();
    model.add(tf.layers.upSampling2d({ inputShape: [4, 4, 1], name: 'up' }));
    expect(() => receptiveField(model.layers, 'up')).toThrow(
      /"up" \(UpSampling2D\) is not known/
    );
    model.dispose();
  });

  /**
   * The input pixels whose gradient is non-zero for unit (y, x, c) of
   * `layer`: its real receptive field, as a box.
   */
  function gradientBox(
    model: tf.LayersModel,
    layer: string,
    input: tf.Tensor4D,
    at: [number, number, number]
  ) {
    const executor = new LayersExecutor(model);
    try {
      const grad = tf.tidy(() =>
        tf
          .grad(x => {
            const [act] = executor.forward(x as tf.Tensor4D, [
              executor.optimizable(layer)
            ]);
            return tf.sum(tf.slice(act, [0, ...at], [1, 1, 1, 1]));
          })(input)
          .abs()
          .sum(3)
          .squeeze([0])
          .arraySync()
      ) as number[][];
      let [top, left, bottom, right] = [Infinity, Infinity, -1, -1];
      grad.forEach((row, y) =>
        row.forEach((g, x) => {
          if (g > 0) {
            [top, left] = [Math.min(top, y), Math.min(left, x)];
            [bottom, right] = [Math.max(bottom, y + 1), Math.max(right, x + 1)];
          }
        })
      );
      return { top, left, bottom, right };
    } finally {
      executor.dispose();
    }
  }

  /** The position where a channel of a layer is strongest for `input`. */
  function argMax(
    model: tf.LayersModel,
    layer: string,
    channel: number,
    input: tf.Tensor4D
  ): [number, number, number] {
    const executor = new LayersExecutor(model);
    try {
      const [, , w, flat] = tf.tidy(() => {
        const [act] = executor.forward(input, [{ layer }]);
        const plane = tf.slice(act, [0, 0, 0, channel], [1, -1, -1, 1]);
        return [
          ...act.shape.slice(0, 3),
          tf.argMax(tf.reshape(plane, [-1])).arraySync() as number
        ];
      });
      return [Math.floor(flat / w), flat % w, channel];
    } finally {
      executor.dispose();
    }
  }

  it.each([
    ['conv2d', 3, true],
    ['conv2d_1', 10, true],
    ['conv2d_1', 40, true],
    ['max_pooling2d', 2, false],
    ['dropout', 17, false]
  ] as const)(
    'holds the gradient of the arg-max unit of %s channel %d (tight for convolutions)',
    (layer, channel, tight) => {
      if (loaded.format !== 'layers') {
        throw new Error('a Layers model');
      }
      const input = tf.randomUniform(
        [1, 28, 28, 1],
        0,
        1,
        'float32',
        3
      ) as tf.Tensor4D;
      const at = argMax(loaded.model, layer, channel, input);
      const found = gradientBox(loaded.model, layer, input, at);
      const box = receptiveFieldBox(
        receptiveField(loaded, layer),
        at[0],
        at[1]
      );
      input.dispose();
      expect(found.bottom).toBeGreaterThan(0);
      expect(found.top).toBeGreaterThanOrEqual(box.top);
      expect(found.left).toBeGreaterThanOrEqual(box.left);
      expect(found.bottom).toBeLessThanOrEqual(box.bottom);
      expect(found.right).toBeLessThanOrEqual(box.right);
      if (tight) {
        expect(found).toEqual(box);
      }
    }
  );

  it.each([
    ['b', [4, 3, 1]],
    ['b', [0, 0, 0]],
    ['e', [3, 1, 1]]
  ] as const)(
    'holds the gradient of unit %s %j of the geometry network',
    (layer, at) => {
      const model = geometryNet();
      const input = tf.randomUniform(
        [1, 19, 17, 1],
        0.5,
        1,
        'float32',
        5
      ) as tf.Tensor4D;
      const found = gradientBox(model, layer, input, [...at]);
      const box = receptiveFieldBox(
        receptiveField(model.layers, layer),
        at[0],
        at[1]
      );
      input.dispose();
      model.dispose();
      expect(found.bottom).toBeGreaterThan(0);
      expect(found.top).toBeGreaterThanOrEqual(box.top);
      expect(found.left).toBeGreaterThanOrEqual(box.left);
      expect(found.bottom).toBeLessThanOrEqual(box.bottom);
      expect(found.right).toBeLessThanOrEqual(box.right);
    }
  );
});
