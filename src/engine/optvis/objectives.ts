/**
 * Objectives: what gradient ascent maximizes. The names and the algebra follow
 * Lucid's optvis/objectives.py (Apache-2.0): an objective is a function of the
 * model's activations that can be added, scaled and negated.
 *
 * Each objective returns one value per image of the batch ([batch]); the
 * objective is their sum. Terms that single out an image contribute to it
 * alone, terms over the whole batch spread evenly, so that a batched layer
 * atlas reads each cell's value from the same pass.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ChannelOutOfRangeError,
  FeatureVizError,
  PositionOutOfRangeError,
  UnknownLayerError
} from '../errors';
import {
  INPUT,
  channelsName,
  parseName,
  perImageMask
} from '../model/executor';

/** The activations an objective reads, by layer name; `input` is the image. */
export type Activations = Readonly<Record<string, tf.Tensor>>;

/** The static output shape of a layer ([batch, …]); throws for unknown names. */
export type ShapeOf = (layer: string) => readonly (number | null)[];

type PerImage = (acts: Activations, batch: number) => tf.Tensor1D;
type Check = (shapeOf: ShapeOf, batch: number) => void;

export class Objective {
  private constructor(
    /** The layers this objective reads. */
    readonly layers: ReadonlySet<string>,
    private readonly _perImage: PerImage,
    private readonly _check: Check,
    /** Lucid-style notation, e.g. `Channel(conv2d_1, 5)`. */
    readonly description: string
  ) {}

  static create(
    layers: readonly string[],
    perImage: PerImage,
    check: Check,
    description: string
  ): Objective {
    return new Objective(new Set(layers), perImage, check, description);
  }

  /** Each image's share of the objective, shape [batch]. */
  perImage(acts: Activations, batch: number): tf.Tensor1D {
    return this._perImage(acts, batch);
  }

  /** The objective's value. */
  value(acts: Activations, batch: number): tf.Scalar {
    return tf.sum(this._perImage(acts, batch));
  }

  /** Throws a typed error if a layer, channel, position or batch index is wrong. */
  check(shapeOf: ShapeOf, batch: number): void {
    this._check(shapeOf, batch);
  }

  /**
   * The same objective computed from other activations (e.g. a sliced
   * layer), checked and described as this one.
   */
  reading(other: Objective): Objective {
    return new Objective(
      other.layers,
      other._perImage,
      this._check,
      this.description
    );
  }

  add(other: Objective | number): Objective {
    if (typeof other === 'number') {
      return new Objective(
        this.layers,
        (a, b) => tf.add(this._perImage(a, b), other / b),
        this._check,
        `(${this.description} + ${other})`
      );
    }
    return Objective.sum([this, other]);
  }

  sub(other: Objective | number): Objective {
    return this.add(typeof other === 'number' ? -other : other.scale(-1));
  }

  scale(factor: number): Objective {
    return new Objective(
      this.layers,
      (a, b) => tf.mul(this._perImage(a, b), factor),
      this._check,
      `${factor}·${this.description}`
    );
  }

  neg(): Objective {
    return this.scale(-1);
  }

  static sum(terms: readonly Objective[]): Objective {
    if (terms.length === 0) {
      throw new FeatureVizError('A sum of objectives needs at least one term.');
    }
    if (terms.length === 1) {
      return terms[0];
    }
    return new Objective(
      new Set(terms.flatMap(t => [...t.layers])),
      (a, b) => tf.addN(terms.map(t => t._perImage(a, b))) as tf.Tensor1D,
      (s, b) => terms.forEach(t => t._check(s, b)),
      `(${terms.map(t => t.description).join(' + ')})`
    );
  }
}

// ---------------------------------------------------------------------------
// Checks

function checkBatch(batch: number | undefined, size: number): void {
  if (batch !== undefined && batch >= size) {
    throw new FeatureVizError(
      `Batch index ${batch} is out of range: the batch has ${size} images (0 to ${size - 1}).`
    );
  }
}

function channelsOf(layer: string, shape: readonly (number | null)[]): number {
  const channels = shape[shape.length - 1];
  if (typeof channels !== 'number') {
    throw new FeatureVizError(`Layer "${layer}" has no fixed channel count.`);
  }
  return channels;
}

function checkChannel(
  layer: string,
  channel: number,
  shapeOf: ShapeOf,
  what = 'channel'
): void {
  const channels = channelsOf(layer, shapeOf(layer));
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new ChannelOutOfRangeError(layer, channel, channels, what);
  }
}

/**
 * [0, …, 1, …, 0] with the 1 at `batch`. Built in JavaScript: tf.oneHot with
 * a plain number makes a float32 index, which the WASM kernel misreads.
 */
function batchMask(batch: number, size: number): tf.Tensor1D {
  return tf.tensor1d(
    Array.from({ length: size }, (_, i) => (i === batch ? 1 : 0))
  );
}

/** Spreads a value over the batch, or puts it on one image. */
function assign(
  values: tf.Tensor1D,
  batch: number | undefined,
  size: number
): tf.Tensor1D {
  if (batch === undefined) {
    return tf.div(values, size);
  }
  return tf.mul(values, batchMask(batch, size));
}

/** Per-image values that are not split by image (e.g. L2 of the batch). */
function even(total: tf.Scalar, size: number): tf.Tensor1D {
  return tf.mul(tf.fill([size], 1 / size), total) as tf.Tensor1D;
}

/** A value (shape [] or [1]) placed on image `batch` of the batch. */
function onImage(value: tf.Tensor, batch: number, size: number): tf.Tensor1D {
  return tf.mul(batchMask(batch, size), tf.reshape(value, [1])) as tf.Tensor1D;
}

/** Mean over every axis but the first. */
function meanPerImage(t: tf.Tensor): tf.Tensor1D {
  return t.rank === 1
    ? (t as tf.Tensor1D)
    : tf.mean(
        t,
        Array.from({ length: t.rank - 1 }, (_, i) => i + 1)
      );
}

function sumPerImage(t: tf.Tensor): tf.Tensor1D {
  return t.rank === 1
    ? (t as tf.Tensor1D)
    : tf.sum(
        t,
        Array.from({ length: t.rank - 1 }, (_, i) => i + 1)
      );
}

function selectChannel(act: tf.Tensor, channel: number): tf.Tensor {
  const begin = act.shape.map((_, i) => (i === act.rank - 1 ? channel : 0));
  const size = act.shape.map((d, i) => (i === act.rank - 1 ? 1 : d));
  return tf.slice(act, begin, size);
}

function centre(size: number | null | undefined): number {
  return Math.floor((size ?? 1) / 2);
}

// ---------------------------------------------------------------------------
// Objectives (Lucid's names)

/** The mean of one channel over all positions. */
export function channel(layer: string, n: number, batch?: number): Objective {
  return Objective.create(
    [layer],
    (acts, size) =>
      assign(meanPerImage(selectChannel(acts[layer], n)), batch, size),
    (shapeOf, size) => {
      checkChannel(layer, n, shapeOf);
      checkBatch(batch, size);
    },
    `Channel(${layer}, ${n}${batch !== undefined ? `, batch=${batch}` : ''})`
  );
}

/**
 * Image i maximizes channel channels[i] (a layer atlas as one batched run).
 * Three ops whatever the batch: per-image channel means, masked, summed.
 */
export function channelPerImage(
  layer: string,
  channels: readonly number[]
): Objective {
  return Objective.create(
    [layer],
    (acts, size) => {
      const act = acts[layer];
      const means =
        act.rank === 2
          ? act
          : tf.mean(
              act,
              Array.from({ length: act.rank - 2 }, (_, i) => i + 1)
            );
      const width = means.shape[1] as number;
      return tf.sum(
        tf.mul(
          means,
          tf.tensor2d(perImageMask(channels, width, size), [size, width])
        ),
        1
      ) as tf.Tensor1D;
    },
    (shapeOf, size) => {
      if (channels.length !== size) {
        throw new FeatureVizError(
          `${channels.length} channels need a batch of ${channels.length}, not ${size}.`
        );
      }
      channels.forEach(c => checkChannel(layer, c, shapeOf));
    },
    `Atlas(${layer}, ${channels.length} channels)`
  );
}

/** One channel at one position; the centre by default (x: column, y: row). */
export function neuron(
  layer: string,
  n: number,
  x?: number,
  y?: number,
  batch?: number
): Objective {
  return Objective.create(
    [layer],
    (acts, size) => {
      const act = acts[layer];
      if (act.rank !== 4) {
        return assign(
          tf.reshape(selectChannel(act, n), [size]) as tf.Tensor1D,
          batch,
          size
        );
      }
      const row = y ?? centre(act.shape[1]);
      const col = x ?? centre(act.shape[2]);
      const value = tf.slice(act, [0, row, col, n], [size, 1, 1, 1]);
      return assign(tf.reshape(value, [size]) as tf.Tensor1D, batch, size);
    },
    (shapeOf, size) => {
      checkChannel(layer, n, shapeOf);
      checkBatch(batch, size);
      const shape = shapeOf(layer);
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
          throw new PositionOutOfRangeError(layer, col, row, w ?? 0, h ?? 0);
        }
      }
    },
    `Neuron(${layer}, ${n})`
  );
}

/** DeepDream: the mean of the squared activations of a layer. */
export function deepdream(layer: string, batch?: number): Objective {
  return Objective.create(
    [layer],
    (acts, size) => assign(meanPerImage(tf.square(acts[layer])), batch, size),
    (shapeOf, size) => {
      shapeOf(layer);
      checkBatch(batch, size);
    },
    `DeepDream(${layer})`
  );
}

/** A class score: the sum over the batch of one logit (Lucid's class_logit). */
export function classLogit(
  layer: string,
  index: number,
  batch?: number
): Objective {
  return Objective.create(
    [layer],
    (acts, size) => {
      const values = tf.reshape(selectChannel(acts[layer], index), [
        size
      ]) as tf.Tensor1D;
      return batch === undefined ? values : assign(values, batch, size);
    },
    (shapeOf, size) => {
      checkChannel(layer, index, shapeOf, 'class');
      checkBatch(batch, size);
    },
    `ClassLogit(${layer}, ${index})`
  );
}

/** The dot product with a direction in channel space, averaged over positions. */
export function direction(
  layer: string,
  vector: readonly number[],
  options: { x?: number; y?: number; batch?: number } = {}
): Objective {
  const { x, y, batch } = options;
  return Objective.create(
    [layer],
    (acts, size) => {
      let act = acts[layer];
      if (act.rank === 4 && (x !== undefined || y !== undefined)) {
        const row = y ?? centre(act.shape[1]);
        const col = x ?? centre(act.shape[2]);
        act = tf.slice(act, [0, row, col, 0], [size, 1, 1, -1]);
      }
      const dots = tf.sum(tf.mul(act, tf.tensor1d(vector as number[])), -1);
      return assign(meanPerImage(dots), batch, size);
    },
    (shapeOf, size) => {
      const channels = channelsOf(layer, shapeOf(layer));
      if (vector.length !== channels) {
        throw new FeatureVizError(
          `The direction has ${vector.length} entries but layer "${layer}" has ${channels} channels.`
        );
      }
      checkBatch(batch, size);
    },
    `Direction(${layer})`
  );
}

/**
 * Lucid's diversity: the summed cosine similarity of the images' Gram
 * matrices. Subtract it (scaled) to make a batch's images differ.
 */
export function diversity(layer: string): Objective {
  return Objective.create(
    [layer],
    (acts, size) => {
      const act = acts[layer];
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
      shapeOf(layer);
      if (size < 2) {
        throw new FeatureVizError(
          'Diversity compares the images of a batch: use a batch of 2 or more.'
        );
      }
    },
    `Diversity(${layer})`
  );
}

function regularized(
  layer: string,
  batch: number | undefined,
  acts: Activations
): tf.Tensor {
  const act = acts[layer];
  return batch === undefined ? act : tf.slice(act, [batch], [1]);
}

/** Σ|x − constant| of a layer, the image by default. A penalty: subtract it. */
export function l1(layer = INPUT, constant = 0, batch?: number): Objective {
  return Objective.create(
    [layer],
    (acts, size) => {
      const values = sumPerImage(
        tf.abs(tf.sub(regularized(layer, batch, acts), constant))
      );
      return batch === undefined ? values : onImage(values, batch, size);
    },
    (shapeOf, size) => {
      shapeOf(layer);
      checkBatch(batch, size);
    },
    `L1(${layer})`
  );
}

/** sqrt(ε + Σ(x − constant)²) of a layer, the image by default. A penalty. */
export function l2(
  layer = INPUT,
  constant = 0,
  epsilon = 1e-6,
  batch?: number
): Objective {
  return Objective.create(
    [layer],
    (acts, size) => {
      const diff = tf.sub(regularized(layer, batch, acts), constant);
      const total = tf.sqrt(
        tf.add(tf.sum(tf.square(diff)), epsilon)
      ) as tf.Scalar;
      return batch === undefined
        ? even(total, size)
        : onImage(total, batch, size);
    },
    (shapeOf, size) => {
      shapeOf(layer);
      checkBatch(batch, size);
    },
    `L2(${layer})`
  );
}

/** Total variation (tf.image.total_variation) of a layer, the image by default. A penalty. */
export function totalVariation(layer = INPUT, batch?: number): Objective {
  return Objective.create(
    [layer],
    (acts, size) => {
      const x = acts[layer];
      const [, h, w] = x.shape as number[];
      const dy = tf.sub(
        tf.slice(x, [0, 1, 0, 0], [-1, h - 1, -1, -1]),
        tf.slice(x, [0, 0, 0, 0], [-1, h - 1, -1, -1])
      );
      const dx = tf.sub(
        tf.slice(x, [0, 0, 1, 0], [-1, -1, w - 1, -1]),
        tf.slice(x, [0, 0, 0, 0], [-1, -1, w - 1, -1])
      );
      const values = tf.add(
        sumPerImage(tf.abs(dy)),
        sumPerImage(tf.abs(dx))
      ) as tf.Tensor1D;
      return batch === undefined
        ? values
        : tf.mul(values, batchMask(batch, size));
    },
    (shapeOf, size) => {
      if (shapeOf(layer).length !== 4) {
        throw new FeatureVizError(
          `Total variation needs a spatial layer; "${layer}" is not one.`
        );
      }
      checkBatch(batch, size);
    },
    `TotalVariation(${layer})`
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
  return Objective.create(
    [INPUT],
    acts => {
      const x = acts[INPUT] as tf.Tensor4D;
      return tf.mul(
        sumPerImage(tf.square(tf.sub(x, blurStopped(x)))),
        0.5
      ) as tf.Tensor1D;
    },
    () => undefined,
    'BlurInputEachStep()'
  );
}

// ---------------------------------------------------------------------------
// The spec's JSON tree (structurally the spec's `Objective`; a type test in
// src/spec keeps the two in step).

export type ObjectiveNode =
  | { type: 'channel'; layer: string; channel: number; batch?: number }
  | {
      type: 'neuron';
      layer: string;
      channel: number;
      x?: number;
      y?: number;
      batch?: number;
    }
  | { type: 'layer'; layer: string; batch?: number }
  | { type: 'logit'; index: number; layer?: string; batch?: number }
  | {
      type: 'direction';
      layer: string;
      vector: number[];
      x?: number;
      y?: number;
      batch?: number;
    }
  | { type: 'diversity'; layer: string }
  | { type: 'l1'; layer?: string; constant?: number; batch?: number }
  | {
      type: 'l2';
      layer?: string;
      constant?: number;
      epsilon?: number;
      batch?: number;
    }
  | { type: 'total-variation'; layer?: string; batch?: number }
  | { type: 'blur-input-each-step' }
  | { type: 'sum'; terms: ObjectiveNode[] }
  | { type: 'scale'; factor: number; term: ObjectiveNode };

export interface ICompileContext {
  /** The layer whose output is the model's logits (pre-softmax). */
  readonly logitsLayer: string;
  /** The name to optimize for units of a layer (its pre-ReLU output). */
  readonly optimizable?: (layer: string) => string;
  /** Whether the model can compute some channels of a layer alone. */
  readonly sliceable?: (layer: string) => boolean;
}

/** A single-channel objective that reads only that channel when it can. */
function oneChannel(
  layer: string,
  n: number,
  context: ICompileContext,
  make: (layer: string, channel: number) => Objective
): Objective {
  const whole = make(layer, n);
  return context.sliceable?.(layer)
    ? whole.reading(make(channelsName(layer, [n]), 0))
    : whole;
}

/** Builds an objective from the spec's JSON tree. */
export function compileObjective(
  node: ObjectiveNode,
  context: ICompileContext
): Objective {
  const unit = context.optimizable ?? ((layer: string) => layer);
  switch (node.type) {
    case 'channel':
      return oneChannel(unit(node.layer), node.channel, context, (l, c) =>
        channel(l, c, node.batch)
      );
    case 'neuron':
      return oneChannel(unit(node.layer), node.channel, context, (l, c) =>
        neuron(l, c, node.x, node.y, node.batch)
      );
    case 'layer':
      return deepdream(node.layer, node.batch);
    case 'logit':
      return classLogit(
        node.layer ?? context.logitsLayer,
        node.index,
        node.batch
      );
    case 'direction':
      return direction(unit(node.layer), node.vector, node);
    case 'diversity':
      return diversity(node.layer);
    case 'l1':
      return l1(node.layer, node.constant, node.batch);
    case 'l2':
      return l2(node.layer, node.constant, node.epsilon, node.batch);
    case 'total-variation':
      return totalVariation(node.layer, node.batch);
    case 'blur-input-each-step':
      return blurInputEachStep();
    case 'sum':
      return Objective.sum(node.terms.map(t => compileObjective(t, context)));
    case 'scale':
      return compileObjective(node.term, context).scale(node.factor);
    default: {
      const unknown: never = node;
      throw new FeatureVizError(
        `Unknown objective type ${JSON.stringify((unknown as { type?: unknown }).type)}.`
      );
    }
  }
}

/** Layer-name checks for objectives: names the real layers when one is wrong. */
export function checkLayers(
  objective: Objective,
  known: readonly string[]
): void {
  for (const name of objective.layers) {
    const layer = parseName(name).base;
    if (layer !== INPUT && !known.includes(layer)) {
      throw new UnknownLayerError(layer, known);
    }
  }
}
