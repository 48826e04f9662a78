/**
 * Batch-norm folding: a batch norm y = x·a + b after a linear convolution
 * becomes that convolution with kernel·a and bias·a + b, so one fused op
 * computes both layers (docs/architecture.md, "Memory and speed").
 */
import * as tf from '@tensorflow/tfjs';
import type { layers } from '@tensorflow/tfjs-layers';
import type { IFold, ILayerConfig, ILayerContext } from './context';
import { batchNormAffine, normalizesChannels } from './normalization';

/** What the fold plan reads of a layer. */
export interface IFoldCandidate {
  readonly layer: layers.Layer;
  readonly className: string;
  /** Names of the layers feeding this one. */
  readonly inbound: readonly string[];
  /** Why the layer cannot run at all (e.g. a shared layer). */
  readonly broken: string | null;
}

/**
 * Which batch norms fold into which convolution (batch norm name → layer
 * name): those whose source `canFold`, is linear and feeds nothing else. The
 * convolution's own output stays available to anyone who asks for it.
 */
export function planFolds(
  layers: ReadonlyMap<string, IFoldCandidate>,
  canFold: (className: string) => boolean
): Map<string, string> {
  const consumers = new Map<string, number>();
  for (const layer of layers.values()) {
    for (const name of layer.inbound) {
      consumers.set(name, (consumers.get(name) ?? 0) + 1);
    }
  }
  const configOf = (candidate: IFoldCandidate): ILayerConfig =>
    candidate.layer.getConfig() as ILayerConfig;
  const folds = new Map<string, string>();
  for (const [name, layer] of layers) {
    const source = layers.get(layer.inbound[0]);
    if (
      layer.className === 'BatchNormalization' &&
      source &&
      !source.broken &&
      canFold(source.className) &&
      consumers.get(layer.inbound[0]) === 1 &&
      normalizesChannels(configOf(layer)) &&
      (configOf(source).activation ?? 'linear') === 'linear'
    ) {
      folds.set(name, layer.inbound[0]);
    }
  }
  return folds;
}

/**
 * The source layer's weights with the batch norm folded in, and the config
 * to build it with: always a bias, no activation. Kept under the batch
 * norm's name (`keep` is its), once whatever channels are asked.
 */
export function foldBatchNorm(
  fold: IFold,
  source: { config: ILayerConfig; weights: readonly tf.Tensor[] },
  batchNorm: { config: ILayerConfig; weights: readonly tf.Tensor[] },
  keep: ILayerContext['keep']
): { config: ILayerConfig; weights: tf.Tensor[] } {
  const [multiplier, offset] = batchNormAffine(
    batchNorm.config,
    batchNorm.weights,
    keep
  );
  const { kernelIndex } = fold;
  const kernel = source.weights[kernelIndex];
  const bias =
    source.config.useBias !== false ? source.weights[kernelIndex + 1] : null;
  const folded = keep('foldedKernel', () =>
    fold.scaleKernel(kernel, multiplier)
  );
  const foldedBias = keep('foldedBias', () =>
    bias ? tf.add(tf.mul(bias, multiplier), offset) : tf.mul(offset, 1)
  );
  return {
    config: { ...source.config, useBias: true, activation: 'linear' },
    weights: [...source.weights.slice(0, kernelIndex), folded, foldedBias]
  };
}
