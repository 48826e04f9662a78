/**
 * Receptive fields against two oracles: a table worked out by hand for the
 * bundled CNN, and gradients: the pixels whose change moves a unit (tfjs's
 * own gradient of the model, not the executor) lie in the unit's box, and
 * for a linear model with random weights they fill it.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend, values } from '../../testing/backends';
import { bundledModel } from '../../testing/bundled';
import { LayersExecutor } from '../executor';
import type { ILoadedLayersModel } from '../load';
import { type IBox, boxSize } from '../receptive-field';

/** The bounding box of the pixels where a unit's gradient is not zero. */
function gradientBox(
  model: tf.LayersModel,
  layer: string,
  row: number,
  col: number,
  x: tf.Tensor4D
): IBox | null {
  const [, h, w] = x.shape;
  const grad = tf.tidy(() => {
    const sub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer(layer).output as tf.SymbolicTensor
    });
    return values(
      tf.grad(input => {
        const y = sub.apply(input) as tf.Tensor4D;
        // Every channel of the unit, with weights that cannot cancel.
        const unit = tf.slice(y, [0, row, col, 0], [1, 1, 1, -1]);
        return tf.sum(tf.mul(unit, tf.range(1, unit.shape[3] + 1)));
      })(x)
    );
  });
  let box: IBox | null = null;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (grad[r * w + c] !== 0) {
        box = box
          ? {
              top: Math.min(box.top, r),
              bottom: Math.max(box.bottom, r),
              left: Math.min(box.left, c),
              right: Math.max(box.right, c)
            }
          : { top: r, bottom: r, left: c, right: c };
      }
    }
  }
  return box;
}

/**
 * For every unit of a layer, the bounding box of the pixels whose change (by
 * +1, one at a time, all in one batch) changes it: tfjs has no gradient for
 * dilated convolutions. Returns box(row, col).
 */
function perturbationBoxes(
  model: tf.LayersModel,
  layer: string,
  x: tf.Tensor4D
): (row: number, col: number) => IBox | null {
  const [, h, w] = x.shape;
  const [changes, shape] = tf.tidy(() => {
    const sub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer(layer).output as tf.SymbolicTensor
    });
    const nudged = tf.add(
      x,
      tf.reshape(tf.eye(h * w), [h * w, h, w, 1])
    ) as tf.Tensor4D;
    const moved = tf.sum(
      tf.abs(
        tf.sub(
          sub.predict(nudged) as tf.Tensor4D,
          sub.predict(x) as tf.Tensor4D
        )
      ),
      3
    );
    return [values(moved), moved.shape];
  });
  const [, oh, ow] = shape;
  const scale = changes.reduce((a, b) => Math.max(a, b), 0);
  return (row, col) => {
    let found: IBox | null = null;
    for (let p = 0; p < h * w; p++) {
      if (changes[(p * oh + row) * ow + col] > 1e-4 * scale) {
        const r = Math.floor(p / w);
        const c = p % w;
        found = found
          ? {
              top: Math.min(found.top, r),
              bottom: Math.max(found.bottom, r),
              left: Math.min(found.left, c),
              right: Math.max(found.right, c)
            }
          : { top: r, bottom: r, left: c, right: c };
      }
    }
    return found;
  };
}

function inside(inner: IBox, outer: IBox): boolean {
  return (
    inner.top >= outer.top &&
    inner.bottom <= outer.bottom &&
    inner.left >= outer.left &&
    inner.right <= outer.right
  );
}

const box = (top: number, left: number, bottom: number, right: number) => ({
  top,
  left,
  bottom,
  right
});

describe('receptive fields', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  describe('of the bundled CNN', () => {
    let loaded: ILoadedLayersModel;
    let executor: LayersExecutor;

    beforeAll(async () => {
      loaded = await bundledModel();
      executor = new LayersExecutor(loaded.model);
    });

    afterAll(() => {
      executor.dispose();
      loaded.model.dispose();
    });

    // Worked out by hand: two valid 3×3 convolutions see 3×3 and 5×5
    // pixels from their unit's own row and column on; the 2×2 pool of
    // stride 2 doubles the position and adds one row and column; flatten,
    // dense and logits see everything.
    const table: [string, number, number, IBox][] = [
      ['conv2d', 0, 0, box(0, 0, 2, 2)],
      ['conv2d', 12, 13, box(12, 13, 14, 15)],
      ['conv2d', 25, 25, box(25, 25, 27, 27)],
      ['conv2d_1', 12, 12, box(12, 12, 16, 16)],
      ['conv2d_1', 0, 23, box(0, 23, 4, 27)],
      ['max_pooling2d', 6, 6, box(12, 12, 17, 17)],
      ['max_pooling2d', 11, 0, box(22, 0, 27, 5)],
      ['dropout', 3, 4, box(6, 8, 11, 13)],
      ['flatten', 0, 0, box(0, 0, 27, 27)],
      ['dense', 0, 0, box(0, 0, 27, 27)],
      ['logits', 0, 0, box(0, 0, 27, 27)]
    ];
    for (const [layer, row, col, expected] of table) {
      it(`${layer} (${row}, ${col}) sees rows ${expected.top}–${expected.bottom}, columns ${expected.left}–${expected.right}`, () => {
        expect(executor.receptiveField(layer, row, col)).toEqual(expected);
      });
    }

    it('holds every pixel that moves a unit (gradients of random digits)', () => {
      const x: tf.Tensor4D = tf.randomUniform(
        [1, 28, 28, 1],
        0,
        1,
        'float32',
        3
      );
      for (const [layer, row, col] of [
        ['conv2d', 5, 9],
        ['conv2d_1', 12, 12],
        ['conv2d_1', 23, 0],
        ['max_pooling2d', 6, 6],
        ['max_pooling2d', 0, 11]
      ] as const) {
        const field = executor.receptiveField(layer, row, col) as IBox;
        const moved = gradientBox(loaded.model, layer, row, col, x);
        expect(moved).not.toBeNull();
        expect([layer, inside(moved as IBox, field)]).toEqual([layer, true]);
      }
      x.dispose();
    });

    it('says how large a box is', () => {
      expect(
        boxSize(executor.receptiveField('conv2d_1', 0, 0) as IBox)
      ).toEqual([5, 5]);
    });
  });

  it("equals the pixels that move a unit of a linear model with strides, dilation, 'same' padding, merges and resampling", () => {
    const input = tf.input({ shape: [21, 23, 1] });
    const conv = (config: Partial<Parameters<typeof tf.layers.conv2d>[0]>) =>
      tf.layers.conv2d({
        filters: 2,
        kernelSize: 3,
        activation: 'linear',
        biasInitializer: 'randomNormal',
        kernelInitializer: tf.initializers.randomNormal({ seed: 5 }),
        ...config
      });
    const a = conv({ strides: 2, padding: 'same', name: 'a' }).apply(
      input
    ) as tf.SymbolicTensor;
    const b = conv({ dilationRate: 2, padding: 'same', name: 'b' }).apply(
      a
    ) as tf.SymbolicTensor;
    const padded = tf.layers
      .zeroPadding2d({
        padding: [
          [1, 2],
          [0, 3]
        ],
        name: 'pad'
      })
      .apply(a) as tf.SymbolicTensor;
    const pooled = tf.layers
      .averagePooling2d({
        poolSize: 3,
        strides: 1,
        padding: 'valid',
        name: 'pool'
      })
      .apply(padded) as tf.SymbolicTensor;
    const cropped = tf.layers
      .cropping2D({
        cropping: [
          [0, 1],
          [2, 0]
        ],
        name: 'crop'
      })
      .apply(pooled) as tf.SymbolicTensor;
    const up = tf.layers
      .upSampling2d({ size: [2, 2], name: 'up' })
      .apply(cropped) as tf.SymbolicTensor;
    const back = conv({ strides: 2, padding: 'valid', name: 'back' }).apply(
      up
    ) as tf.SymbolicTensor;
    const narrowed = tf.layers
      .cropping2D({
        cropping: [
          [0, 1],
          [1, 1]
        ],
        name: 'narrow'
      })
      .apply(b) as tf.SymbolicTensor;
    const merged = tf.layers
      .add({ name: 'merged' })
      .apply([narrowed, back]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: merged });
    const executor = new LayersExecutor(model);
    const x: tf.Tensor4D = tf.randomNormal([1, 21, 23, 1], 0, 1, 'float32', 9);
    try {
      for (const layer of ['a', 'b', 'pool', 'up', 'back', 'merged']) {
        const [, h, w] = executor.outputShape(layer) as number[];
        const moved = perturbationBoxes(model, layer, x);
        for (const [row, col] of [
          [0, 0],
          [h - 1, w - 1],
          [Math.floor(h / 2), Math.floor(w / 3)]
        ]) {
          expect([
            layer,
            row,
            col,
            executor.receptiveField(layer, row, col)
          ]).toEqual([layer, row, col, moved(row, col)]);
        }
      }
    } finally {
      x.dispose();
      executor.dispose();
      model.dispose();
    }
  });
});
