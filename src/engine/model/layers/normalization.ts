/**
 * Normalization layers at inference: BatchNormalization as y = x·a + b, with
 * a and b computed once from the weights (the same a and b fold into a
 * convolution before it: folding.ts), and Rescaling.
 */
import * as tf from '@tensorflow/tfjs';
import type { ILayerConfig, ILayerContext, LayerFamily } from './context';

/** The axis a batch norm normalizes; only the channel axis is supported. */
export function normalizesChannels(config: ILayerConfig): boolean {
  const axis = Array.isArray(config.axis)
    ? config.axis[0]
    : (config.axis ?? -1);
  return axis === -1 || axis === 3;
}

/** Batch norm at inference as y = x·a + b: [a, b], kept until dispose. */
export function batchNormAffine(
  config: ILayerConfig,
  weights: readonly tf.Tensor[],
  keep: ILayerContext['keep']
): [tf.Tensor, tf.Tensor] {
  const queue = [...weights];
  const gamma = config.scale !== false ? queue.shift() : undefined;
  const beta = config.center !== false ? queue.shift() : undefined;
  const [mean, variance] = queue;
  const epsilon = config.epsilon ?? 1e-3;
  const multiplier = keep('bnMultiplier', () => {
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    return gamma ? tf.mul(inv, gamma) : inv;
  });
  const offset = keep('bnOffset', () => {
    const shifted = tf.neg(tf.mul(mean, multiplier));
    return beta ? tf.add(shifted, beta) : shifted;
  });
  return [multiplier, offset];
}

export const NORMALIZATION_LAYERS: LayerFamily = {
  BatchNormalization: {
    build: ({ config, weights, keep, unsupported }) => {
      if (!normalizesChannels(config)) {
        unsupported('only the channel axis (-1) is supported');
      }
      const [multiplier, offset] = batchNormAffine(config, weights, keep);
      return ([x]) => tf.add(tf.mul(x, multiplier), offset);
    }
  },
  Rescaling: {
    build: ({ config }) => {
      const scale = typeof config.scale === 'number' ? config.scale : 1;
      const offset = config.offset ?? 0;
      return ([x]) => tf.add(tf.mul(x, scale), offset);
    }
  }
};
