/**
 * Activation references: what an objective reads from a model, as data
 * (docs/architecture.md, "The executor"). A ref names a layer (or graph node)
 * and optionally narrows it: before its activation function, some output
 * channels, or one channel per image. Executors decide how to compute a ref;
 * whoever reads one only needs its shape.
 */

/** The layer name under which executors expose the model's input image. */
export const INPUT = 'input';

export interface IActivationRef {
  /** A layer or node name, or INPUT for the image. */
  readonly layer: string;
  /** The layer's output before its activation function. */
  readonly pre?: boolean;
  /** Only these output channels, in this order: shape [..., channels.length]. */
  readonly channels?: readonly number[];
  /**
   * With `channels`: image i reads channels[i] alone, shape [..., 1]. A batch
   * of images then costs one channel each, not one layer each (an atlas).
   */
  readonly perImage?: boolean;
}

/** A layer name or a ref; a name means the whole layer. */
export type LayerOrRef = string | IActivationRef;

export function toRef(layer: LayerOrRef): IActivationRef {
  return typeof layer === 'string' ? { layer } : layer;
}

/**
 * The one key under which a ref's tensor is cached and looked up. Two refs
 * asking for the same values have the same key. It is never parsed back: it
 * is JSON, so no layer name can be mistaken for a narrowing.
 */
export function refKey(ref: IActivationRef): string {
  return JSON.stringify([
    ref.layer,
    ref.pre === true,
    ref.channels ?? null,
    ref.channels !== undefined && ref.perImage === true
  ]);
}

/** The same layer (and pre-activation) with every channel. */
export function wholeRef(ref: IActivationRef): IActivationRef {
  return ref.pre ? { layer: ref.layer, pre: true } : { layer: ref.layer };
}

/** A ref's shape, given the shape of its whole layer. */
export function refShape(
  whole: readonly (number | null)[],
  ref: IActivationRef
): readonly (number | null)[] {
  if (!ref.channels) {
    return whole;
  }
  return [...whole.slice(0, -1), ref.perImage ? 1 : ref.channels.length];
}

/** How objectives' descriptions name a layer (for people, not parsed). */
export function describeRef(ref: IActivationRef): string {
  return ref.pre ? `pre(${ref.layer})` : ref.layer;
}
