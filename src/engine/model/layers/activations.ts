/**
 * Activation functions by Keras name, and the advanced-activation layers
 * (ReLU, LeakyReLU, ELU, ThresholdedReLU, PReLU, Softmax), all with
 * differentiable ops (docs/architecture.md, "How to add a layer type").
 */
import * as tf from '@tensorflow/tfjs';
import { relu6ToInput, reluWithRule } from '../ops';
import type { ILayerContext, LayerFamily } from './context';

type Activation = (x: tf.Tensor) => tf.Tensor;

const hardSigmoid: Activation = x =>
  tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);

const ACTIVATIONS: ReadonlyMap<string, Activation> = new Map<
  string,
  Activation
>([
  ['linear', x => x],
  ['relu', x => tf.relu(x)],
  ['relu6', x => relu6ToInput(x)],
  ['elu', x => tf.elu(x)],
  ['selu', x => tf.selu(x)],
  ['sigmoid', x => tf.sigmoid(x)],
  ['hardSigmoid', hardSigmoid],
  ['hard_sigmoid', hardSigmoid],
  ['tanh', x => tf.tanh(x)],
  ['softmax', x => tf.softmax(x)],
  ['softplus', x => tf.softplus(x)],
  ['softsign', x => tf.div(x, tf.add(tf.abs(x), 1))],
  ['swish', x => tf.mul(x, tf.sigmoid(x))],
  ['mish', x => tf.mul(x, tf.tanh(tf.softplus(x)))],
  [
    'gelu',
    x => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))
  ]
]);

/**
 * The layer's activation function (config.activation; none means linear).
 * An unknown name is an unsupported layer.
 */
export function activationOf(context: ILayerContext): Activation {
  const name = context.config.activation ?? 'linear';
  if (name === 'relu' && context.reluRule !== 'standard') {
    const rule = context.reluRule;
    return x => reluWithRule(x, rule);
  }
  const activation = ACTIVATIONS.get(name);
  if (!activation) {
    return context.unsupported(`activation "${name}" is not supported`);
  }
  return activation;
}

export const ACTIVATION_LAYERS: LayerFamily = {
  ReLU: {
    build: ({ config, reluRule }) => {
      const max = config.maxValue;
      if (max === 6) {
        return ([x]) => relu6ToInput(x);
      }
      return typeof max === 'number'
        ? ([x]) => tf.clipByValue(x, 0, max)
        : ([x]) => reluWithRule(x, reluRule);
    }
  },
  LeakyReLU: {
    build: ({ config }) => {
      const alpha = config.alpha ?? 0.3;
      return ([x]) => tf.leakyRelu(x, alpha);
    }
  },
  ELU: {
    build: ({ config }) => {
      const alpha = config.alpha ?? 1;
      return alpha === 1
        ? ([x]) => tf.elu(x)
        : ([x]) =>
            tf.where(tf.greater(x, 0), x, tf.mul(alpha, tf.sub(tf.exp(x), 1)));
    }
  },
  ThresholdedReLU: {
    build: ({ config }) => {
      const theta = config.theta ?? 1;
      return ([x]) => tf.mul(x, tf.cast(tf.greater(x, theta), 'float32'));
    }
  },
  PReLU: {
    build: ({ weights }) => {
      const [alpha] = weights;
      return ([x]) => tf.prelu(x, alpha);
    }
  },
  Softmax: {
    build:
      () =>
      ([x]) =>
        tf.softmax(x)
  }
};
