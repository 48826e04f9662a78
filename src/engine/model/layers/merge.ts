/**
 * Merge layers: several inputs of the same shape combined elementwise, or
 * concatenated along an axis.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerFamily } from './context';

export const MERGE_LAYERS: LayerFamily = {
  Add: {
    build: () => inputs =>
      inputs.length === 2 ? tf.add(inputs[0], inputs[1]) : tf.addN(inputs)
  },
  Subtract: {
    build:
      () =>
      ([a, b]) =>
        tf.sub(a, b)
  },
  Multiply: { build: () => inputs => inputs.reduce((a, b) => tf.mul(a, b)) },
  Average: {
    build: () => inputs => tf.div(tf.addN(inputs), inputs.length)
  },
  Maximum: {
    build: () => inputs => inputs.reduce((a, b) => tf.maximum(a, b))
  },
  Minimum: {
    build: () => inputs => inputs.reduce((a, b) => tf.minimum(a, b))
  },
  Concatenate: {
    build: ({ config }) => {
      const axis = typeof config.axis === 'number' ? config.axis : -1;
      return inputs => tf.concat(inputs, axis);
    }
  }
};
