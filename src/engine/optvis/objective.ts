/**
 * The Objective: what gradient ascent maximizes (docs/architecture.md,
 * "Objectives and the render loop"). The algebra follows Lucid's
 * optvis/objectives.py (Apache-2.0): an objective is a function of the
 * model's activations that can be added, scaled and negated.
 *
 * An objective declares the activations it reads as refs; how the executor
 * computes them (sliced kernels or not) is none of its business. Each
 * objective returns one value per image of the batch ([batch]); the objective
 * is their sum. Terms that single out an image contribute to it alone, terms
 * over the whole batch spread evenly, so that a batched layer atlas reads
 * each cell's value from the same pass.
 */
import * as tf from '@tensorflow/tfjs';
import { ChannelOutOfRangeError, FeatureVizError } from '../errors';
import {
  INPUT,
  type IActivationRef,
  describeRef,
  refKey
} from '../model/activation-ref';
import type { IExecutor } from '../model/executor';
import { pickSelection } from '../model/layers/channels';

/** The activations an objective reads, looked up by the refs it declared. */
export type Activations = (ref: IActivationRef) => tf.Tensor;

/** A ref's static shape ([batch, …]); throws for unknown layers. */
export type ShapeOf = (ref: IActivationRef) => readonly (number | null)[];

type PerImage = (acts: Activations, batch: number) => tf.Tensor1D;
type Check = (shapeOf: ShapeOf, batch: number) => void;

/** A unit read at one position: row and column of its layer (the centre when omitted). */
export interface IUnitSite {
  readonly ref: IActivationRef;
  readonly row?: number;
  readonly col?: number;
}

/**
 * Where an objective looks (docs/architecture.md, "Recipes"): units at one
 * position each, or something spread over all positions. A result can be
 * zoomed on the receptive fields of its sites only when nothing else is read.
 */
export interface IFocus {
  readonly sites: readonly IUnitSite[];
  /** Reads a layer over all its positions (a channel mean, a logit, a layer). */
  readonly everywhere: boolean;
  /** Holds a channel's mean over positions (whose picture may saturate). */
  readonly means: boolean;
}

/** Reads nothing of the model (penalties on the image). */
export const NOWHERE: IFocus = { sites: [], everywhere: false, means: false };
/** Reads a layer over all positions: what an objective is unless it says. */
export const EVERYWHERE: IFocus = { sites: [], everywhere: true, means: false };

function joinFocus(parts: readonly IFocus[]): IFocus {
  return {
    sites: parts.flatMap(p => p.sites),
    everywhere: parts.some(p => p.everywhere),
    means: parts.some(p => p.means)
  };
}

export class Objective {
  private constructor(
    /** The activations this objective reads, each once. */
    readonly refs: readonly IActivationRef[],
    private readonly _perImage: PerImage,
    private readonly _check: Check,
    /** Lucid-style notation, e.g. `Channel(conv2d_1, 5)`. */
    readonly description: string,
    /** Where it looks: units at positions, or all positions. */
    readonly focus: IFocus
  ) {}

  static create(
    refs: readonly IActivationRef[],
    perImage: PerImage,
    check: Check,
    description: string,
    focus: IFocus = EVERYWHERE
  ): Objective {
    const unique = new Map(refs.map(ref => [refKey(ref), ref]));
    return new Objective(
      [...unique.values()],
      perImage,
      check,
      description,
      focus
    );
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

  add(other: Objective | number): Objective {
    if (typeof other === 'number') {
      return new Objective(
        this.refs,
        (a, b) => tf.add(this._perImage(a, b), other / b),
        this._check,
        `(${this.description} + ${other})`,
        this.focus
      );
    }
    return Objective.sum([this, other]);
  }

  sub(other: Objective | number): Objective {
    return this.add(typeof other === 'number' ? -other : other.scale(-1));
  }

  scale(factor: number): Objective {
    return new Objective(
      this.refs,
      (a, b) => tf.mul(this._perImage(a, b), factor),
      this._check,
      `${factor}·${this.description}`,
      this.focus
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
    return Objective.create(
      terms.flatMap(t => t.refs),
      (a, b) => tf.addN(terms.map(t => t._perImage(a, b))) as tf.Tensor1D,
      (s, b) => terms.forEach(t => t._check(s, b)),
      `(${terms.map(t => t.description).join(' + ')})`,
      joinFocus(terms.map(t => t.focus))
    );
  }
}

/**
 * The activations of `refs` for a model input `x`. INPUT refs read `image`,
 * the optimized image before transforms (what penalties on the image mean).
 */
export function readActivations(
  executor: IExecutor,
  x: tf.Tensor4D,
  image: tf.Tensor,
  refs: readonly IActivationRef[]
): Activations {
  const fromModel = refs.filter(ref => ref.layer !== INPUT);
  const tensors = executor.forward(x, fromModel);
  const byKey = new Map(fromModel.map((ref, i) => [refKey(ref), tensors[i]]));
  return ref => {
    if (ref.layer === INPUT) {
      return pickSelection(image, ref);
    }
    const tensor = byKey.get(refKey(ref));
    if (!tensor) {
      throw new FeatureVizError(
        `An objective read ${describeRef(ref)} without declaring it.`
      );
    }
    return tensor;
  };
}

// ---------------------------------------------------------------------------
// What objectives share: checks, and values per image.

export function checkBatch(batch: number | undefined, size: number): void {
  if (batch !== undefined && batch >= size) {
    throw new FeatureVizError(
      `Batch index ${batch} is out of range: the batch has ${size} images (0 to ${size - 1}).`
    );
  }
}

/** A check that the layer exists and the batch index is in range. */
export function layerAndBatch(
  read: IActivationRef,
  batch: number | undefined
): (shapeOf: ShapeOf, size: number) => void {
  return (shapeOf, size) => {
    shapeOf(read);
    checkBatch(batch, size);
  };
}

/** The channel count of a unit's layer. */
export function channelsOf(unit: IActivationRef, shapeOf: ShapeOf): number {
  const shape = shapeOf(unit);
  const channels = shape[shape.length - 1];
  if (typeof channels !== 'number') {
    throw new FeatureVizError(
      `Layer "${unit.layer}" has no fixed channel count.`
    );
  }
  return channels;
}

export function checkChannel(
  unit: IActivationRef,
  channel: number,
  shapeOf: ShapeOf,
  what = 'channel'
): void {
  const channels = channelsOf(unit, shapeOf);
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new ChannelOutOfRangeError(unit.layer, channel, channels, what);
  }
}

/**
 * [0, …, 1, …, 0] with the 1 at `batch`. Built in JavaScript: tf.oneHot with
 * a plain number makes a float32 index, which the WASM kernel misreads.
 */
export function batchMask(batch: number, size: number): tf.Tensor1D {
  return tf.tensor1d(
    Array.from({ length: size }, (_, i) => (i === batch ? 1 : 0))
  );
}

/** Spreads a value over the batch, or puts it on one image. */
export function assign(
  values: tf.Tensor1D,
  batch: number | undefined,
  size: number
): tf.Tensor1D {
  if (batch === undefined) {
    return tf.div(values, size);
  }
  return tf.mul(values, batchMask(batch, size));
}

function overImage(
  reduce: (t: tf.Tensor, axes: number[]) => tf.Tensor
): (t: tf.Tensor) => tf.Tensor1D {
  return t =>
    (t.rank === 1
      ? t
      : reduce(
          t,
          Array.from({ length: t.rank - 1 }, (_, i) => i + 1)
        )) as tf.Tensor1D;
}

/** Mean over every axis but the first. */
export const meanPerImage = overImage((t, axes) => tf.mean(t, axes));

/** Sum over every axis but the first. */
export const sumPerImage = overImage((t, axes) => tf.sum(t, axes));

/** The middle index of a spatial size (the default neuron position). */
export function centre(size: number | null | undefined): number {
  return Math.floor((size ?? 1) / 2);
}
