/**
 * The gradient-to-input executor (DESIGN.md §3). It runs a model's layers with
 * ops whose gradients every backend has, so that optimizing an input never
 * differentiates — or needs kernels for — the model's weights. Its forward
 * pass equals the model's own `predict` (tests check each layer type).
 */
import * as tf from '@tensorflow/tfjs';
import {
  InputRankError,
  NoGradientError,
  NotAnImageModelError,
  UnknownLayerError,
  UnsupportedLayerError
} from './errors';
import {
  type FusedActivation,
  type IConvOptions,
  type InputGradStrategy,
  conv2dToInput,
  defaultStrategy,
  depthwiseToInput
} from './ops';

/** The name under which executors expose the model's input. */
export const INPUT = 'input';

/** Suffix that names a layer's output before its activation function. */
export const PRE_ACTIVATION = '/preactivation';

/** A model that can be run to any set of its layers, differentiably. */
export interface IExecutor {
  /** [batch, height, width, channels]; null for sizes the model leaves free. */
  readonly inputShape: readonly [null, number | null, number | null, number];
  /** Layer (or node) names, in execution order. */
  readonly layerNames: readonly string[];
  /** The layer holding the model's logits: before a final softmax. */
  readonly logitsLayer: string;
  /** A layer's output shape ([batch, …]); throws UnknownLayerError. */
  outputShape(name: string): readonly (number | null)[];
  /**
   * The name to optimize for a unit of `layer`: its output before a ReLU
   * when it has one (Lucid's pre_relu), else the layer itself. A ReLU unit
   * that starts inactive has no gradient; its pre-activation always has one,
   * and its maximum is the same unit's.
   */
  optimizable(layer: string): string;
  /**
   * The named activations for a batch of images (and `input` for the input).
   * Call inside `tf.tidy` or a gradient function; the result is not kept.
   */
  forward(
    input: tf.Tensor4D,
    outputs: readonly string[]
  ): Record<string, tf.Tensor>;
  /** Frees what the executor precomputed (never the model's weights). */
  dispose(): void;
}

type Applier = (inputs: tf.Tensor[]) => tf.Tensor;

interface INode {
  readonly name: string;
  readonly className: string;
  /** Names of the layers feeding this one; empty for the model input. */
  readonly inbound: readonly string[];
  /** Built on first use, so unsupported layers fail only when reached. */
  applier: Applier | null;
  /** The same layer without its activation function, built on demand. */
  preApplier: Applier | null;
}

// tfjs-layers types its configs loosely; these are the fields we read.
interface ILayerConfig {
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

const IDENTITY_LAYERS = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'Masking'
]);

function pair(
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

/** Applies a Keras activation by name with differentiable ops. */
export function applyActivation(
  x: tf.Tensor,
  name: string | undefined,
  layer: string,
  className: string
): tf.Tensor {
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'hardSigmoid':
    case 'hard_sigmoid':
      return tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
    case 'tanh':
      return tf.tanh(x);
    case 'softmax':
      return tf.softmax(x);
    case 'softplus':
      return tf.softplus(x);
    case 'softsign':
      return tf.div(x, tf.add(tf.abs(x), 1));
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'mish':
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    default:
      throw new UnsupportedLayerError(
        layer,
        className,
        `activation "${name}" is not supported`
      );
  }
}

export interface IExecutorOptions {
  /** How convolutions compute their input gradient; by backend when omitted. */
  readonly strategy?: InputGradStrategy;
}

/** Runs a tfjs Layers model (Sequential or functional). */
export class LayersExecutor implements IExecutor {
  readonly inputShape: IExecutor['inputShape'];
  readonly layerNames: readonly string[];
  readonly logitsLayer: string;
  private readonly _nodes = new Map<string, INode>();
  private readonly _layers = new Map<string, tf.layers.Layer>();
  private readonly _kept: tf.Tensor[] = [];
  private readonly _strategy: InputGradStrategy;
  private _inputName = INPUT;

  constructor(model: tf.LayersModel, options: IExecutorOptions = {}) {
    this._strategy = options.strategy ?? defaultStrategy(tf.getBackend());
    const shape = model.inputs[0]?.shape ?? [];
    if (model.inputs.length !== 1 || shape.length !== 4 || shape[3] === null) {
      throw new NotAnImageModelError(shape);
    }
    this.inputShape = [null, shape[1], shape[2], shape[3] as number];
    const names: string[] = [];
    for (const layer of model.layers) {
      this._addLayer(layer, names);
    }
    this.layerNames = names;
    this.logitsLayer = this._findLogits(model);
  }

  /** The last layer, or what feeds a final softmax. */
  private _findLogits(model: tf.LayersModel): string {
    const last = model.layers[model.layers.length - 1];
    const config = last.getConfig() as ILayerConfig;
    const className = last.getClassName();
    const node = this._nodes.get(last.name);
    if (
      className === 'Softmax' ||
      (className === 'Activation' && config.activation === 'softmax')
    ) {
      return node?.inbound[0] ?? last.name;
    }
    if (config.activation === 'softmax') {
      return last.name + PRE_ACTIVATION;
    }
    return last.name;
  }

  private _addLayer(layer: tf.layers.Layer, names: string[]): void {
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      this._inputName = layer.name;
      return;
    }
    const nodes = layer.inboundNodes;
    const inbound = (nodes[0]?.inboundLayers ?? []).map(l => {
      if (l.getClassName() === 'InputLayer') {
        this._inputName = l.name;
        return INPUT;
      }
      return l.name;
    });
    this._nodes.set(layer.name, {
      name: layer.name,
      className,
      inbound,
      applier:
        nodes.length > 1
          ? this._unsupported(layer, 'it is shared by several calls')
          : null,
      preApplier: null
    });
    this._layers.set(layer.name, layer);
    names.push(layer.name);
  }

  private _unsupported(layer: tf.layers.Layer, detail?: string): Applier {
    return () => {
      throw new UnsupportedLayerError(layer.name, layer.getClassName(), detail);
    };
  }

  optimizable(layer: string): string {
    const found = this._layers.get(layer);
    if (!found) {
      return layer;
    }
    const activation = (found.getConfig() as ILayerConfig).activation;
    return activation === 'relu' || activation === 'relu6'
      ? layer + PRE_ACTIVATION
      : layer;
  }

  /** The model's output shape of a layer, as tfjs-layers infers it. */
  outputShape(name: string): readonly (number | null)[] {
    if (name === INPUT || name === this._inputName) {
      return this.inputShape;
    }
    if (name.endsWith(PRE_ACTIVATION)) {
      return this.outputShape(name.slice(0, -PRE_ACTIVATION.length));
    }
    const layer = this._layers.get(name);
    if (!layer) {
      throw new UnknownLayerError(name, this.layerNames);
    }
    const shape = layer.outputShape;
    if (Array.isArray(shape[0])) {
      throw new UnsupportedLayerError(
        name,
        layer.getClassName(),
        'it has several outputs'
      );
    }
    return shape as (number | null)[];
  }

  forward(
    input: tf.Tensor4D,
    outputs: readonly string[]
  ): Record<string, tf.Tensor> {
    const [, h, w, c] = this.inputShape;
    if (
      input.rank !== 4 ||
      input.shape[3] !== c ||
      (h !== null && input.shape[1] !== h) ||
      (w !== null && input.shape[2] !== w)
    ) {
      throw new InputRankError(input.shape, this.inputShape);
    }
    const cache = new Map<string, tf.Tensor>([[INPUT, input]]);
    const evaluate = (name: string): tf.Tensor => {
      const known = cache.get(name);
      if (known) {
        return known;
      }
      const pre = name.endsWith(PRE_ACTIVATION);
      const node = this._nodes.get(
        pre ? name.slice(0, -PRE_ACTIVATION.length) : name
      );
      if (!node) {
        throw new UnknownLayerError(name, this.layerNames);
      }
      const args = node.inbound.map(evaluate);
      let out: tf.Tensor;
      if (pre) {
        node.preApplier ??= this._compile(node, true);
        out = node.preApplier(args);
      } else {
        node.applier ??= this._compile(node, false);
        out = node.applier(args);
      }
      cache.set(name, out);
      return out;
    };
    const result: Record<string, tf.Tensor> = {};
    for (const name of outputs) {
      result[name] = evaluate(name === this._inputName ? INPUT : name);
    }
    return result;
  }

  dispose(): void {
    for (const t of this._kept.splice(0)) {
      t.dispose();
    }
    for (const node of this._nodes.values()) {
      node.applier = null;
      node.preApplier = null;
    }
  }

  /** A tensor computed once from the weights and kept until dispose(). */
  private _keep<T extends tf.Tensor>(make: () => T): T {
    const t = tf.keep(tf.tidy(make));
    this._kept.push(t);
    return t;
  }

  private _compile(node: INode, preActivation: boolean): Applier {
    const layer = this._layers.get(node.name) as tf.layers.Layer;
    const config = { ...(layer.getConfig() as ILayerConfig) };
    if (preActivation) {
      if (config.activation === undefined) {
        throw new UnsupportedLayerError(
          node.name,
          node.className,
          'it has no activation function to skip'
        );
      }
      config.activation = 'linear';
    }
    const weights = layer.getWeights();
    const { name, className } = node;
    const unsupported = (detail: string): never => {
      throw new UnsupportedLayerError(name, className, detail);
    };
    if (config.dataFormat && config.dataFormat !== 'channelsLast') {
      unsupported('only channels-last data is supported');
    }
    const act = (x: tf.Tensor): tf.Tensor =>
      applyActivation(x, config.activation, name, className);
    if (IDENTITY_LAYERS.has(className)) {
      return ([x]) => x;
    }
    switch (className) {
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'SeparableConv2D':
        return this._compileConv(layer, config, weights, unsupported);
      case 'Activation':
        return ([x]) => act(x);
      case 'Dense': {
        const [kernel] = weights as [tf.Tensor2D];
        const bias =
          config.useBias === false ? null : (weights[1] as tf.Tensor1D);
        return ([x]) => {
          const inner = x.shape[x.rank - 1] as number;
          const flat =
            x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inner]);
          let y: tf.Tensor = tf.matMul(flat as tf.Tensor2D, kernel);
          if (bias) {
            y = tf.add(y, bias);
          }
          if (x.rank !== 2) {
            y = tf.reshape(y, [...x.shape.slice(0, -1), kernel.shape[1]]);
          }
          return act(y);
        };
      }
      case 'BatchNormalization': {
        const axis = Array.isArray(config.axis)
          ? config.axis[0]
          : (config.axis ?? -1);
        if (axis !== -1 && axis !== 3) {
          unsupported('only the channel axis (-1) is supported');
        }
        const [multiplier, offset] = this._foldBatchNorm(config, weights);
        return ([x]) => tf.add(tf.mul(x, multiplier), offset);
      }
      case 'ReLU': {
        const max = config.maxValue;
        if (max === 6) {
          return ([x]) => tf.relu6(x);
        }
        return typeof max === 'number'
          ? ([x]) => tf.clipByValue(x, 0, max)
          : ([x]) => tf.relu(x);
      }
      case 'LeakyReLU': {
        const alpha = config.alpha ?? 0.3;
        return ([x]) => tf.leakyRelu(x, alpha);
      }
      case 'ELU': {
        const alpha = config.alpha ?? 1;
        return alpha === 1
          ? ([x]) => tf.elu(x)
          : ([x]) =>
              tf.where(
                tf.greater(x, 0),
                x,
                tf.mul(alpha, tf.sub(tf.exp(x), 1))
              );
      }
      case 'ThresholdedReLU': {
        const theta = config.theta ?? 1;
        return ([x]) => tf.mul(x, tf.cast(tf.greater(x, theta), 'float32'));
      }
      case 'PReLU': {
        const [alpha] = weights;
        return ([x]) => tf.prelu(x, alpha);
      }
      case 'Softmax':
        return ([x]) => tf.softmax(x);
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const pool = pair(config.poolSize, 2);
        const strides = pair(config.strides, pool[0]);
        const padding = config.padding === 'same' ? 'same' : 'valid';
        return className === 'MaxPooling2D'
          ? ([x]) => tf.maxPool(x as tf.Tensor4D, pool, strides, padding)
          : ([x]) => tf.avgPool(x as tf.Tensor4D, pool, strides, padding);
      }
      case 'GlobalAveragePooling2D':
        return ([x]) => tf.mean(x, [1, 2]);
      case 'GlobalMaxPooling2D':
        return ([x]) => tf.max(x, [1, 2]);
      case 'ZeroPadding2D': {
        const p = config.padding as number | number[] | number[][];
        const rows: [number, number] = Array.isArray(p)
          ? Array.isArray(p[0])
            ? [(p as number[][])[0][0], (p as number[][])[0][1]]
            : [p[0] as number, p[0] as number]
          : [p, p];
        const cols: [number, number] = Array.isArray(p)
          ? Array.isArray(p[0])
            ? [(p as number[][])[1][0], (p as number[][])[1][1]]
            : [p[1] as number, p[1] as number]
          : [p, p];
        return ([x]) => tf.pad(x, [[0, 0], rows, cols, [0, 0]]);
      }
      case 'Cropping2D': {
        const c = config.cropping as number[][];
        return ([x]) =>
          tf.slice(
            x,
            [0, c[0][0], c[1][0], 0],
            [
              -1,
              (x.shape[1] as number) - c[0][0] - c[0][1],
              (x.shape[2] as number) - c[1][0] - c[1][1],
              -1
            ]
          );
      }
      case 'UpSampling2D': {
        const [sh, sw] = pair(config.size, 2);
        const bilinear = config.interpolation === 'bilinear';
        return ([x]) => {
          const size: [number, number] = [
            (x.shape[1] as number) * sh,
            (x.shape[2] as number) * sw
          ];
          return bilinear
            ? tf.image.resizeBilinear(x as tf.Tensor4D, size)
            : tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size);
        };
      }
      case 'Flatten':
        return ([x]) => tf.reshape(x, [x.shape[0], -1]);
      case 'Reshape': {
        const target = config.targetShape as number[];
        return ([x]) => tf.reshape(x, [x.shape[0], ...target]);
      }
      case 'Permute': {
        const dims = config.dims as number[];
        return ([x]) => tf.transpose(x, [0, ...dims]);
      }
      case 'Rescaling': {
        const scale = typeof config.scale === 'number' ? config.scale : 1;
        const offset = config.offset ?? 0;
        return ([x]) => tf.add(tf.mul(x, scale), offset);
      }
      case 'Add':
        return inputs =>
          inputs.length === 2 ? tf.add(inputs[0], inputs[1]) : tf.addN(inputs);
      case 'Subtract':
        return ([a, b]) => tf.sub(a, b);
      case 'Multiply':
        return inputs => inputs.reduce((a, b) => tf.mul(a, b));
      case 'Average':
        return inputs => tf.div(tf.addN(inputs), inputs.length);
      case 'Maximum':
        return inputs => inputs.reduce((a, b) => tf.maximum(a, b));
      case 'Minimum':
        return inputs => inputs.reduce((a, b) => tf.minimum(a, b));
      case 'Concatenate': {
        const axis = typeof config.axis === 'number' ? config.axis : -1;
        return inputs => tf.concat(inputs, axis);
      }
      default:
        return unsupported('this layer type is not supported');
    }
  }

  private _compileConv(
    layer: tf.layers.Layer,
    config: ILayerConfig,
    weights: tf.Tensor[],
    unsupported: (detail: string) => never
  ): Applier {
    const className = layer.getClassName();
    const padding = config.padding;
    if (padding !== 'valid' && padding !== 'same') {
      unsupported(`padding "${String(padding)}" is not supported`);
    }
    const activation = config.activation ?? 'linear';
    const fused: FusedActivation =
      activation === 'relu' || activation === 'relu6' ? activation : 'linear';
    const options = (
      strides: [number, number],
      act: FusedActivation
    ): IConvOptions => ({
      strides,
      padding: padding as 'valid' | 'same',
      dilations: pair(config.dilationRate, 1),
      activation: act,
      strategy: this._strategy
    });
    const strides = pair(config.strides, 1);
    const useBias = config.useBias !== false;
    const after = (y: tf.Tensor): tf.Tensor =>
      fused === activation
        ? y
        : applyActivation(y, activation, layer.name, className);
    if (className === 'Conv2D') {
      const [kernel] = weights as [tf.Tensor4D];
      const bias = useBias ? (weights[1] as tf.Tensor1D) : null;
      const opts = options(strides, fused);
      return ([x]) =>
        after(conv2dToInput(x as tf.Tensor4D, kernel, bias, opts));
    }
    if (className === 'DepthwiseConv2D') {
      const [kernel] = weights as [tf.Tensor4D];
      const bias = useBias ? (weights[1] as tf.Tensor1D) : null;
      const opts = options(strides, fused);
      return ([x]) =>
        after(depthwiseToInput(x as tf.Tensor4D, kernel, bias, opts));
    }
    // SeparableConv2D: depthwise (no bias, no activation), then pointwise.
    const [depthwise, pointwise] = weights as [tf.Tensor4D, tf.Tensor4D];
    const bias = useBias ? (weights[2] as tf.Tensor1D) : null;
    const depthOpts = options(strides, 'linear');
    const pointOpts: IConvOptions = {
      ...options([1, 1], fused),
      padding: 'valid',
      dilations: [1, 1]
    };
    return ([x]) =>
      after(
        conv2dToInput(
          depthwiseToInput(x as tf.Tensor4D, depthwise, null, depthOpts),
          pointwise,
          bias,
          pointOpts
        )
      );
  }

  /** Batch norm at inference as y = x·a + b, with a and b computed once. */
  private _foldBatchNorm(
    config: ILayerConfig,
    weights: tf.Tensor[]
  ): [tf.Tensor, tf.Tensor] {
    const queue = [...weights];
    const gamma = config.scale !== false ? queue.shift() : undefined;
    const beta = config.center !== false ? queue.shift() : undefined;
    const [mean, variance] = queue;
    const epsilon = config.epsilon ?? 1e-3;
    const multiplier = this._keep(() => {
      const inv = tf.rsqrt(tf.add(variance, epsilon));
      return gamma ? tf.mul(inv, gamma) : inv;
    });
    const offset = this._keep(() => {
      const shifted = tf.neg(tf.mul(mean, multiplier));
      return beta ? tf.add(shifted, beta) : shifted;
    });
    return [multiplier, offset];
  }
}

/**
 * Runs `fn` and turns TensorFlow.js's "no gradient" failure into a typed
 * error naming the op.
 */
export function withGradientCheck<T>(fn: () => T): T {
  try {
    return fn();
  } catch (reason) {
    const match = /gradient function not found for (\w+)/.exec(
      (reason as Error)?.message ?? ''
    );
    if (match) {
      throw new NoGradientError(match[1]);
    }
    throw reason;
  }
}
