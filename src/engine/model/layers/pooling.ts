/**
 * Pooling layers: max and average pooling over windows, and global pooling
 * over all positions. Max pooling's input gradient is the engine's own
 * (pool-ops.ts): the same on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { maxPoolToInput } from '../pool-ops';
import { type ILayerContext, type LayerFamily, pair } from './context';

function windows({ config }: ILayerContext) {
  const pool = pair(config.poolSize, 2);
  const strides = pair(config.strides, pool[0]);
  const padding: 'same' | 'valid' =
    config.padding === 'same' ? 'same' : 'valid';
  return { pool, strides, padding };
}

export const POOLING_LAYERS: LayerFamily = {
  MaxPooling2D: {
    build: context => {
      const geometry = windows(context);
      return ([x]) => maxPoolToInput(x as tf.Tensor4D, geometry);
    }
  },
  AveragePooling2D: {
    build: context => {
      const { pool, strides, padding } = windows(context);
      return ([x]) => tf.avgPool(x as tf.Tensor4D, pool, strides, padding);
    }
  },
  GlobalAveragePooling2D: {
    build:
      () =>
      ([x]) =>
        tf.mean(x, [1, 2])
  },
  GlobalMaxPooling2D: {
    build:
      () =>
      ([x]) =>
        tf.max(x, [1, 2])
  }
};
