/**
 * The contract between the executor and the layer families
 * (docs/architecture.md, "How to add a layer type"): a family file maps Keras
 * class names to entries; an entry builds, from one layer's context, the
 * function that computes the layer with input-differentiable ops.
 */
import type * as tf from '@tensorflow/tfjs';
import type { InputGradStrategy, ReluRule } from '../ops';

/** Computes a layer's output from its inputs' outputs. */
export type Applier = (inputs: tf.Tensor[]) => tf.Tensor;

/** Output channels to compute; perImage: channels[i] for image i only. */
export interface ISelection {
  readonly channels: readonly number[];
  readonly perImage: boolean;
}

// tfjs-layers types its configs loosely; these are the fields we read.
export interface ILayerConfig {
  kernelSize?: number | number[];
  strides?: number | number[] | null;
  poolSize?: number | number[];
  padding?: unknown;
  dataFormat?: string;
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
  axis?: number | number[];
  epsilon?: number;
  center?: boolean;
  scale?: number | boolean;
  offset?: number;
  targetShape?: number[];
  dims?: number[];
  maxValue?: number | null;
  alpha?: number;
  theta?: number;
  cropping?: number[][] | number | number[];
  size?: number | number[];
  interpolation?: string;
}

/** What an entry knows about the one layer it builds. */
export interface ILayerContext {
  /** The layer's name (the batch norm's, for a folded convolution). */
  readonly name: string;
  readonly className: string;
  /** The layer's config; `activation` is 'linear' for a pre-activation. */
  readonly config: ILayerConfig;
  readonly weights: readonly tf.Tensor[];
  /**
   * The channels to compute, for entries that `select`; null for all. Other
   * entries always compute every channel and the executor picks.
   */
  readonly selection: ISelection | null;
  /** How convolutions compute their input gradient on this backend. */
  readonly strategy: InputGradStrategy;
  /** How ReLUs pass gradients back (guided backpropagation, deconvnet). */
  readonly reluRule: ReluRule;
  /**
   * A tensor computed once from the weights (e.g. a transpose), kept until
   * the executor is disposed; `what` names it within this layer.
   */
  keep<T extends tf.Tensor>(what: string, make: () => T): T;
  /** Throws UnsupportedLayerError for this layer, saying why. */
  unsupported(detail: string): never;
}

/** How a batch norm after a linear layer folds into that layer's weights. */
export interface IFold {
  /** Where the kernel that takes the batch norm's multiplier is. */
  readonly kernelIndex: number;
  /** kernel·a, with a broadcast on the kernel's output channels. */
  scaleKernel(kernel: tf.Tensor, multiplier: tf.Tensor): tf.Tensor;
}

export interface ILayerEntry {
  build(context: ILayerContext): Applier;
  /**
   * Whether `build` honours context.selection, computing only those channels
   * (sliced kernels). For other layers a selection is picked from the whole.
   */
  readonly selects?: boolean;
  /** Set for linear layers a following batch norm can fold into. */
  readonly fold?: IFold;
}

/** A family's contribution to the registry: entries by Keras class name. */
export type LayerFamily = Readonly<Record<string, ILayerEntry>>;

/** A config value given as one number or a [height, width] pair. */
export function pair(
  value: number | number[] | null | undefined,
  fallback: number
): [number, number] {
  if (value === null || value === undefined) {
    return [fallback, fallback];
  }
  return Array.isArray(value)
    ? [value[0], value[1] ?? value[0]]
    : [value, value];
}
