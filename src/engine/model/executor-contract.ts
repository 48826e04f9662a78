/**
 * What every executor offers (docs/architecture.md, "The executor"): the
 * interface the engine runs models through, its options, and the input check
 * both executors share. LayersExecutor (executor.ts) and the graph executor
 * implement it; executor.ts re-exports all of it, so importers keep one path.
 */
import type * as tf from '@tensorflow/tfjs';
import { InputRankError } from '../errors';
import type { IActivationRef, LayerOrRef } from './activation-ref';
import type { InputGradStrategy, ReluRule } from './ops';
import type { IBox } from './receptive-field';

/** A model that can be run to any set of its activations, differentiably. */
export interface IExecutor {
  /** [batch, height, width, channels]; null for sizes the model leaves free. */
  readonly inputShape: readonly [null, number | null, number | null, number];
  /** Layer (or node) names, in execution order. */
  readonly layerNames: readonly string[];
  /** The model's logits: before a final softmax. */
  readonly logitsLayer: IActivationRef;
  /** A ref's (or whole layer's) shape ([batch, …]); throws UnknownLayerError. */
  outputShape(ref: LayerOrRef): readonly (number | null)[];
  /**
   * What to optimize for a unit of `layer`: its output before a ReLU when it
   * has one (Lucid's pre_relu), else the layer itself. A ReLU unit that
   * starts inactive has no gradient; its pre-activation always has one, and
   * its maximum is the same unit's.
   */
  optimizable(layer: string): IActivationRef;
  /**
   * The activations `refs` ask for, in their order, for a batch of images.
   * The executor alone decides how: a selection of channels costs only those
   * channels where the layer can compute them alone. Call inside `tf.tidy`
   * or a gradient function; the result is not kept.
   */
  forward(
    input: tf.Tensor4D,
    refs: readonly IActivationRef[],
    options?: IForwardOptions
  ): tf.Tensor[];
  /**
   * The input pixels that output position (row, col) of `layer` sees
   * (model/receptive-field.ts); null when the executor cannot tell (graph
   * models, free input sizes) or the position sees only padding.
   */
  receptiveField(layer: string, row: number, col: number): IBox | null;
  /** Frees what the executor precomputed (never the model's weights). */
  dispose(): void;
}

/** How one forward pass runs. */
export interface IForwardOptions {
  /**
   * Tensors that stand for whole layers' outputs, by layer name: the layers
   * after them compute from these, so a gradient can be taken with respect
   * to a layer's activation (Grad-CAM).
   */
  readonly feed?: ReadonlyMap<string, tf.Tensor>;
}

/** Throws InputRankError unless `input` fits an executor's input shape. */
export function checkInput(
  input: tf.Tensor,
  expected: IExecutor['inputShape']
): void {
  const [, h, w, c] = expected;
  if (
    input.rank !== 4 ||
    input.shape[3] !== c ||
    (h !== null && input.shape[1] !== h) ||
    (w !== null && input.shape[2] !== w)
  ) {
    throw new InputRankError(input.shape, expected);
  }
}

export interface IExecutorOptions {
  /** How convolutions compute their input gradient; by backend when omitted. */
  readonly strategy?: InputGradStrategy;
  /** How ReLUs pass gradients back; 'standard' (the derivative) when omitted. */
  readonly reluRule?: ReluRule;
}
