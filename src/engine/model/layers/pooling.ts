/**
 * Pooling layers: max and average pooling over windows, and global pooling
 * over all positions. Max pooling differentiates with the engine's own
 * input gradient (model/ops.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { maxPoolToInput } from '../ops';
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
      const { pool, strides, padding } = windows(context);
      // Our own input gradient: WASM's MaxPoolGrad is wrong (see ops.ts).
      return ([x]) => maxPoolToInput(x as tf.Tensor4D, pool, strides, padding);
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
