/**
 * Objectives on a model's units, with Lucid's names: a channel, a neuron, a
 * whole layer (DeepDream), a class logit, a direction in channel space, the
 * diversity of a batch, and one channel per image (a layer atlas). Each
 * declares the activations it reads: a channel objective reads that one
 * channel, an atlas one channel per image.
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError, PositionOutOfRangeError } from '../errors';
import {
  type IActivationRef,
  type LayerOrRef,
  describeRef,
  toRef
} from '../model/activation-ref';
import {
  Objective,
  assign,
  centre,
  channelsOf,
  checkBatch,
  checkChannel,
  layerAndBatch,
  meanPerImage
} from './objective';

/** How a channel becomes one number per image: its mean, or its centre neuron. */
export type ChannelReduce = 'mean' | 'centre';

/** [batch] values of a [batch, h, w, 1] channel at its centre (or itself, flat). */
function atCentre(act: tf.Tensor, size: number): tf.Tensor1D {
  if (act.rank !== 4) {
    return tf.reshape(act, [size]) as tf.Tensor1D;
  }
  const row = centre(act.shape[1]);
  const col = centre(act.shape[2]);
  return tf.reshape(tf.slice(act, [0, row, col, 0], [size, 1, 1, 1]), [
    size
  ]) as tf.Tensor1D;
}

/**
 * One channel: its mean over all positions (Lucid's channel), or with
 * reduce 'centre' the neuron at the centre of the layer.
 */
export function channel(
  layer: LayerOrRef,
  n: number,
  batch?: number,
  reduce: ChannelReduce = 'mean'
): Objective {
  const unit = toRef(layer);
  const read: IActivationRef = { ...unit, channels: [n] };
  const centred = reduce === 'centre';
  return Objective.create(
    [read],
    (acts, size) =>
      assign(
        centred ? atCentre(acts(read), size) : meanPerImage(acts(read)),
        batch,
        size
      ),
    (shapeOf, size) => {
      checkChannel(unit, n, shapeOf);
      checkBatch(batch, size);
    },
    `Channel(${describeRef(unit)}, ${n}${centred ? ', centre' : ''}${batch !== undefined ? `, batch=${batch}` : ''})`,
    centred
      ? { sites: [{ ref: unit }], everywhere: false, means: false }
      : { sites: [], everywhere: true, means: true }
  );
}

/**
 * Image i maximizes channel channels[i] (a layer atlas as one batched run):
 * each image reads its own channel alone, its mean or its centre neuron.
 */
export function channelPerImage(
  layer: LayerOrRef,
  channels: readonly number[],
  reduce: ChannelReduce = 'mean'
): Objective {
  const unit = toRef(layer);
  const read: IActivationRef = { ...unit, channels, perImage: true };
  const centred = reduce === 'centre';
  return Objective.create(
    [read],
    (acts, size) =>
      centred ? atCentre(acts(read), size) : meanPerImage(acts(read)),
    (shapeOf, size) => {
      if (channels.length !== size) {
        throw new FeatureVizError(
          `${channels.length} channels need a batch of ${channels.length}, not ${size}.`
        );
      }
      channels.forEach(c => checkChannel(unit, c, shapeOf));
    },
    `Atlas(${describeRef(unit)}, ${channels.length} channels${centred ? ', centre' : ''})`,
    centred
      ? { sites: [{ ref: unit }], everywhere: false, means: false }
      : { sites: [], everywhere: true, means: true }
  );
}

/** One channel at one position; the centre by default (x: column, y: row). */
export function neuron(
  layer: LayerOrRef,
  n: number,
  x?: number,
  y?: number,
  batch?: number
): Objective {
  const unit = toRef(layer);
  const read: IActivationRef = { ...unit, channels: [n] };
  return Objective.create(
    [read],
    (acts, size) => {
      const act = acts(read);
      if (act.rank !== 4) {
        return assign(tf.reshape(act, [size]) as tf.Tensor1D, batch, size);
      }
      const row = y ?? centre(act.shape[1]);
      const col = x ?? centre(act.shape[2]);
      const value = tf.slice(act, [0, row, col, 0], [size, 1, 1, 1]);
      return assign(tf.reshape(value, [size]) as tf.Tensor1D, batch, size);
    },
    (shapeOf, size) => {
      checkChannel(unit, n, shapeOf);
      checkBatch(batch, size);
      const shape = shapeOf(unit);
      if (shape.length === 4) {
        const [, h, w] = shape;
        const row = y ?? centre(h);
        const col = x ?? centre(w);
        if (
          (h !== null && row >= h) ||
          (w !== null && col >= w) ||
          row < 0 ||
          col < 0
        ) {
          throw new PositionOutOfRangeError(
            unit.layer,
            col,
            row,
            w ?? 0,
            h ?? 0
          );
        }
      }
    },
    `Neuron(${describeRef(unit)}, ${n})`,
    { sites: [{ ref: unit, row: y, col: x }], everywhere: false, means: false }
  );
}

/** DeepDream: the mean of the squared activations of a layer. */
export function deepdream(layer: LayerOrRef, batch?: number): Objective {
  const read = toRef(layer);
  return Objective.create(
    [read],
    (acts, size) => assign(meanPerImage(tf.square(acts(read))), batch, size),
    layerAndBatch(read, batch),
    `DeepDream(${describeRef(read)})`
  );
}

/**
 * A class score: the sum over the batch of one logit (Lucid's class_logit).
 * It reads the whole logits layer: one product for all classes.
 */
export function classLogit(
  layer: LayerOrRef,
  index: number,
  batch?: number
): Objective {
  const read = toRef(layer);
  return Objective.create(
    [read],
    (acts, size) => {
      const act = acts(read);
      const begin = act.shape.map((_, i) => (i === act.rank - 1 ? index : 0));
      const sizes = act.shape.map((d, i) => (i === act.rank - 1 ? 1 : d));
      const values = tf.reshape(tf.slice(act, begin, sizes), [
        size
      ]) as tf.Tensor1D;
      return batch === undefined ? values : assign(values, batch, size);
    },
    (shapeOf, size) => {
      checkChannel(read, index, shapeOf, 'class');
      checkBatch(batch, size);
    },
    `ClassLogit(${describeRef(read)}, ${index})`
  );
}

/** The dot product with a direction in channel space, averaged over positions. */
export function direction(
  layer: LayerOrRef,
  vector: readonly number[],
  options: { x?: number; y?: number; batch?: number } = {}
): Objective {
  const { x, y, batch } = options;
  const read = toRef(layer);
  return Objective.create(
    [read],
    (acts, size) => {
      let act = acts(read);
      if (act.rank === 4 && (x !== undefined || y !== undefined)) {
        const row = y ?? centre(act.shape[1]);
        const col = x ?? centre(act.shape[2]);
        act = tf.slice(act, [0, row, col, 0], [size, 1, 1, -1]);
      }
      const dots = tf.sum(tf.mul(act, tf.tensor1d(vector as number[])), -1);
      return assign(meanPerImage(dots), batch, size);
    },
    (shapeOf, size) => {
      const channels = channelsOf(read, shapeOf);
      if (vector.length !== channels) {
        throw new FeatureVizError(
          `The direction has ${vector.length} entries but layer "${read.layer}" has ${channels} channels.`
        );
      }
      checkBatch(batch, size);
    },
    `Direction(${describeRef(read)})`
  );
}

/**
 * Lucid's diversity: the summed cosine similarity of the images' Gram
 * matrices. Subtract it (scaled) to make a batch's images differ.
 */
export function diversity(layer: LayerOrRef): Objective {
  const read = toRef(layer);
  return Objective.create(
    [read],
    (acts, size) => {
      const act = acts(read);
      const channels = act.shape[act.rank - 1] as number;
      const flat = tf.reshape(act, [size, -1, channels]) as tf.Tensor3D;
      const grams = tf.matMul(flat, flat, true, false);
      const norms = tf.sqrt(
        tf.maximum(tf.sum(tf.square(grams), [1, 2], true), 1e-20)
      );
      const unit = tf.reshape(tf.div(grams, norms), [size, -1]) as tf.Tensor2D;
      const similarity = tf.matMul(unit, unit, false, true);
      // Each image's summed similarity to the others, over the batch size.
      const offDiagonal = tf.sub(
        tf.sum(similarity, 1),
        tf.sum(tf.mul(similarity, tf.eye(size)), 1)
      );
      return tf.div(offDiagonal, size) as tf.Tensor1D;
    },
    (shapeOf, size) => {
      shapeOf(read);
      if (size < 2) {
        throw new FeatureVizError(
          'Diversity compares the images of a batch: use a batch of 2 or more.'
        );
      }
    },
    `Diversity(${describeRef(read)})`
  );
}
