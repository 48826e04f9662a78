/**
 * Penalties, with Lucid's names: L1, L2 and total variation of a layer (the
 * image by default) and blur_input_each_step. Subtract them from an
 * objective to keep the image plain.
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError } from '../errors';
import {
  INPUT,
  type IActivationRef,
  type LayerOrRef,
  describeRef,
  toRef
} from '../model/activation-ref';
import { absToInput } from '../model/ops';
import {
  type Activations,
  EVERYWHERE,
  type IFocus,
  NOWHERE,
  Objective,
  batchMask,
  checkBatch,
  layerAndBatch,
  sumPerImage
} from './objective';

/** Penalties on the image read no unit; on a layer, all of it. */
function focusOf(read: IActivationRef): IFocus {
  return read.layer === INPUT ? NOWHERE : EVERYWHERE;
}

/** Per-image values that are not split by image (e.g. L2 of the batch). */
function even(total: tf.Scalar, size: number): tf.Tensor1D {
  return tf.mul(tf.fill([size], 1 / size), total) as tf.Tensor1D;
}

/** A value (shape [] or [1]) placed on image `batch` of the batch. */
function onImage(value: tf.Tensor, batch: number, size: number): tf.Tensor1D {
  return tf.mul(batchMask(batch, size), tf.reshape(value, [1])) as tf.Tensor1D;
}

/** The activation of all images, or of image `batch` alone. */
function regularized(
  read: IActivationRef,
  batch: number | undefined,
  acts: Activations
): tf.Tensor {
  const act = acts(read);
  return batch === undefined ? act : tf.slice(act, [batch], [1]);
}

/** Σ|x − constant| of a layer, the image by default. A penalty: subtract it. */
export function l1(
  layer: LayerOrRef = INPUT,
  constant = 0,
  batch?: number
): Objective {
  const read = toRef(layer);
  return Objective.create(
    [read],
    (acts, size) => {
      const values = sumPerImage(
        absToInput(tf.sub(regularized(read, batch, acts), constant))
      );
      return batch === undefined ? values : onImage(values, batch, size);
    },
    layerAndBatch(read, batch),
    `L1(${describeRef(read)})`,
    focusOf(read)
  );
}

/** sqrt(ε + Σ(x − constant)²) of a layer, the image by default. A penalty. */
export function l2(
  layer: LayerOrRef = INPUT,
  constant = 0,
  epsilon = 1e-6,
  batch?: number
): Objective {
  const read = toRef(layer);
  return Objective.create(
    [read],
    (acts, size) => {
      const diff = tf.sub(regularized(read, batch, acts), constant);
      const total = tf.sqrt(
        tf.add(tf.sum(tf.square(diff)), epsilon)
      ) as tf.Scalar;
      return batch === undefined
        ? even(total, size)
        : onImage(total, batch, size);
    },
    layerAndBatch(read, batch),
    `L2(${describeRef(read)})`,
    focusOf(read)
  );
}

/** Total variation (tf.image.total_variation) of a layer, the image by default. A penalty. */
export function totalVariation(
  layer: LayerOrRef = INPUT,
  batch?: number
): Objective {
  const read = toRef(layer);
  return Objective.create(
    [read],
    (acts, size) => {
      const x = acts(read);
      const [, h, w] = x.shape as number[];
      const dy = tf.sub(
        tf.slice(x, [0, 1, 0, 0], [-1, h - 1, -1, -1]),
        tf.slice(x, [0, 0, 0, 0], [-1, h - 1, -1, -1])
      );
      const dx = tf.sub(
        tf.slice(x, [0, 0, 1, 0], [-1, -1, w - 1, -1]),
        tf.slice(x, [0, 0, 0, 0], [-1, -1, w - 1, -1])
      );
      // |·| with a zero gradient at 0: equal neighbours stay equal.
      const values = tf.add(
        sumPerImage(absToInput(dy)),
        sumPerImage(absToInput(dx))
      ) as tf.Tensor1D;
      return batch === undefined
        ? values
        : tf.mul(values, batchMask(batch, size));
    },
    (shapeOf, size) => {
      if (shapeOf(read).length !== 4) {
        throw new FeatureVizError(
          `Total variation needs a spatial layer; "${read.layer}" is not one.`
        );
      }
      checkBatch(batch, size);
    },
    `TotalVariation(${describeRef(read)})`,
    focusOf(read)
  );
}

/** A constant (no gradient) 3×3 blur of an image, normalized at the borders. */
const blurStopped = tf.customGrad(
  (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor4D;
    const channels = x.shape[3];
    const k = tf.tensor2d([0.5, 0.5, 0.5, 0.5, 1, 0.5, 0.5, 0.5, 0.5], [3, 3]);
    const kernel = tf.tile(tf.reshape(k, [3, 3, 1, 1]), [
      1,
      1,
      channels,
      1
    ]) as tf.Tensor4D;
    const blurred = tf.div(
      tf.depthwiseConv2d(x, kernel, 1, 'same'),
      tf.depthwiseConv2d(tf.onesLike(x), kernel, 1, 'same')
    ) as tf.Tensor4D;
    return { value: blurred, gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  }
);

/**
 * Lucid's blur_input_each_step: ½Σ(x − blur(x))² with the blur held constant.
 * Subtracting k times it moves the image towards its blur by k each step.
 */
export function blurInputEachStep(): Objective {
  const read: IActivationRef = { layer: INPUT };
  return Objective.create(
    [read],
    acts => {
      const x = acts(read) as tf.Tensor4D;
      return tf.mul(
        sumPerImage(tf.square(tf.sub(x, blurStopped(x)))),
        0.5
      ) as tf.Tensor1D;
    },
    () => undefined,
    'BlurInputEachStep()',
    NOWHERE
  );
}
