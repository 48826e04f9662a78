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
} from '../errors';
import { conv2dToInput, depthwiseToInput } from './conv-ops';
import {
  type FusedActivation,
  type IConvOptions,
  type InputGradStrategy,
  defaultStrategy,
  matMulToInput,
  relu6ToInput
} from './ops';

/** The name under which executors expose the model's input. */
export const INPUT = 'input';

/** Suffix that names a layer's output before its activation function. */
export const PRE_ACTIVATION = '/preactivation';

/**
 * Suffix that asks for some output channels only: `conv2d_1#5` is channel 5
 * of conv2d_1 (shape [..., 1]). Convolutions and dense layers then compute
 * those channels alone, with sliced kernels (an objective on one channel of
 * a 64-channel layer does 1/64 of that layer's work); other layers compute
 * everything and gather the channels.
 */
export const CHANNELS = '#';

/**
 * Suffix that asks for one channel per image: `conv2d_1@3,0,7` is, for a
 * batch of 3, channel 3 of image 0, channel 0 of image 1 and channel 7 of
 * image 2 (shape [..., 1]). A batched layer atlas reads this: each image
 * costs one channel's work, not the whole layer's.
 */
export const PER_IMAGE = '@';

interface IName {
  readonly base: string;
  readonly pre: boolean;
  readonly channels: readonly number[] | null;
  /** channels[i] belongs to image i (PER_IMAGE), not to every image. */
  readonly perImage: boolean;
}

export function parseName(name: string): IName {
  const at = name.indexOf(PER_IMAGE);
  const hash = at >= 0 ? at : name.indexOf(CHANNELS);
  const head = hash >= 0 ? name.slice(0, hash) : name;
  const channels =
    hash >= 0
      ? name
          .slice(hash + 1)
          .split(',')
          .map(Number)
      : null;
  const pre = head.endsWith(PRE_ACTIVATION);
  return {
    base: pre ? head.slice(0, -PRE_ACTIVATION.length) : head,
    pre,
    channels,
    perImage: at >= 0
  };
}

/** The name of some channels of a layer (or of its pre-activation). */
export function channelsName(
  layer: string,
  channels: readonly number[]
): string {
  return `${layer}${CHANNELS}${channels.join(',')}`;
}

/** The name of one channel per image of a layer: image i reads channels[i]. */
export function perImageName(
  layer: string,
  channels: readonly number[]
): string {
  return `${layer}${PER_IMAGE}${channels.join(',')}`;
}

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
  /** Whether asking for some channels of a layer (`layer#c`) saves work. */
  sliceable(name: string): boolean;
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
  inbound: readonly string[];
  /**
   * Built on first use, per variant (whole, pre-activation, some channels),
   * so unsupported layers fail only when reached.
   */
  readonly appliers: Map<string, Applier>;
  /** Set when this batch norm is folded into the convolution before it. */
  foldFrom: string | null;
  /** Why the layer cannot run at all (e.g. shared layers). */
  readonly broken: string | null;
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

const CONV_LAYERS = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);

/**
 * Some slices of a weight along an axis, as a tensor with its own buffer.
 * The WASM backend keeps one shape per buffer, and gather's result shares a
 * buffer with a 4-D reshape, so a gathered bias reaches FusedConv2D as "rank
 * 4"; the product by 1 gives it a buffer of its own.
 */
function slices<T extends tf.Tensor>(
  t: T,
  channels: readonly number[],
  axis: number
): T {
  return tf.mul(tf.gather(t, channels as number[], axis), 1) as T;
}

/**
 * Some channels (last axis) of an activation, differentiably on every
 * backend: gather's gradient needs UnsortedSegmentSum, which WASM lacks, so
 * runs of consecutive channels are sliced and concatenated.
 */
export function pickChannels(
  y: tf.Tensor,
  channels: readonly number[]
): tf.Tensor {
  const axis = y.rank - 1;
  const runs: [number, number][] = [];
  for (const c of channels) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === c) {
      last[1] += 1;
    } else {
      runs.push([c, 1]);
    }
  }
  const parts = runs.map(([start, size]) => {
    const begin = y.shape.map((_, i) => (i === axis ? start : 0));
    const sizes = y.shape.map((_, i) => (i === axis ? size : -1));
    return tf.slice(y, begin, sizes);
  });
  return parts.length === 1 ? parts[0] : tf.concat(parts, axis);
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

/** Output channels a variant computes; perImage: channels[i] for image i. */
interface ISelection {
  readonly channels: readonly number[];
  readonly perImage: boolean;
}

function checkBatch(x: tf.Tensor, channels: readonly number[]): void {
  if (x.shape[0] !== channels.length) {
    throw new RangeError(
      `One channel per image needs a batch of ${channels.length}, not ${x.shape[0]}.`
    );
  }
}

/**
 * For each image i, channel channels[i] of conv(x, kernel) + bias, as
 * [B, H', W', 1]: the work of one channel per image. The batch becomes the
 * channels of one image, and a depthwise convolution with each image's
 * filter, summed over input channels, is that image's channel. 1×1 kernels
 * are a weighted sum of the input's channels.
 */
function convToInputPerImage(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  channels: readonly number[],
  options: IConvOptions
): tf.Tensor4D {
  checkBatch(x, channels);
  const [batch, h, w, inner] = x.shape;
  const [kh, kw] = kernel.shape;
  const filters = slices(kernel, channels, 3); // [kh, kw, inner, B]
  let y: tf.Tensor4D;
  if (
    kh === 1 &&
    kw === 1 &&
    options.strides[0] === 1 &&
    options.strides[1] === 1
  ) {
    const weights = tf.reshape(
      tf.transpose(tf.reshape(filters, [inner, batch])),
      [batch, 1, 1, inner]
    );
    y = tf.sum(tf.mul(x, weights), 3, true) as tf.Tensor4D;
  } else {
    const stacked = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [
      1,
      h,
      w,
      batch * inner
    ]) as tf.Tensor4D;
    const depthwise = tf.reshape(tf.transpose(filters, [0, 1, 3, 2]), [
      kh,
      kw,
      batch * inner,
      1
    ]) as tf.Tensor4D;
    const z = depthwiseToInput(stacked, depthwise, null, options);
    const [, ho, wo] = z.shape;
    const perImage = tf.sum(tf.reshape(z, [ho, wo, batch, inner]), 3);
    y = tf.reshape(tf.transpose(perImage, [2, 0, 1]), [batch, ho, wo, 1]);
  }
  return bias
    ? (tf.add(
        y,
        tf.reshape(slices(bias, channels, 0), [batch, 1, 1, 1])
      ) as tf.Tensor4D)
    : y;
}

/** For each image i, unit channels[i] of a dense layer (kernelT: [units, in]). */
function denseToInputPerImage(
  x: tf.Tensor,
  kernelT: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  channels: readonly number[]
): tf.Tensor {
  checkBatch(x, channels);
  const batch = channels.length;
  const inner = x.shape[x.rank - 1] as number;
  const rows = tf.reshape(slices(kernelT, channels, 0), [batch, 1, inner]);
  const flat = tf.reshape(x, [batch, -1, inner]);
  let y = tf.sum(tf.mul(flat, rows), 2, true); // [B, M, 1]
  if (bias) {
    y = tf.add(y, tf.reshape(slices(bias, channels, 0), [batch, 1, 1]));
  }
  return tf.reshape(y, [...x.shape.slice(0, -1), 1]);
}

/**
 * A [batch, width] mask with a 1 at (i, channels[i]), built in JS: the WASM
 * backend's OneHot returns zeros for float32 output.
 */
export function perImageMask(
  channels: readonly number[],
  width: number,
  batch = channels.length
): Float32Array {
  const mask = new Float32Array(batch * width);
  channels.forEach((c, i) => (mask[i * width + c] = 1));
  return mask;
}

/** channels[i] of image i from a whole activation, as [..., 1]. */
export function pickChannelPerImage(
  y: tf.Tensor,
  channels: readonly number[]
): tf.Tensor {
  checkBatch(y, channels);
  const width = y.shape[y.rank - 1] as number;
  const mask = perImageMask(channels, width);
  const shape = y.shape.map((d, i) =>
    i === 0 ? channels.length : i === y.rank - 1 ? width : 1
  );
  return tf.sum(tf.mul(y, tf.tensor(mask, shape)), -1, true);
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
      return relu6ToInput(x);
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
  /**
   * Tensors computed from the weights (folded batch norms, transposes), by
   * `node:what`: once per node, whatever variants are compiled.
   */
  private readonly _kept = new Map<string, tf.Tensor>();
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
    this._planFolds();
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
      appliers: new Map(),
      foldFrom: null,
      broken: nodes.length > 1 ? 'it is shared by several calls' : null
    });
    this._layers.set(layer.name, layer);
    names.push(layer.name);
  }

  /**
   * Folds each batch norm into the convolution feeding it, when that linear
   * convolution feeds nothing else: one fused op instead of three. The
   * convolution's own output stays available to anyone who asks for it.
   */
  private _planFolds(): void {
    const consumers = new Map<string, number>();
    for (const node of this._nodes.values()) {
      for (const name of node.inbound) {
        consumers.set(name, (consumers.get(name) ?? 0) + 1);
      }
    }
    for (const node of this._nodes.values()) {
      const source = this._nodes.get(node.inbound[0]);
      if (
        node.className !== 'BatchNormalization' ||
        !source ||
        source.broken ||
        !CONV_LAYERS.has(source.className) ||
        consumers.get(source.name) !== 1
      ) {
        continue;
      }
      const bn = this._layers.get(node.name)?.getConfig() as ILayerConfig;
      const conv = this._layers.get(source.name)?.getConfig() as ILayerConfig;
      const axis = Array.isArray(bn.axis) ? bn.axis[0] : (bn.axis ?? -1);
      if (
        (axis === -1 || axis === 3) &&
        (conv.activation ?? 'linear') === 'linear'
      ) {
        node.foldFrom = source.name;
        node.inbound = source.inbound;
      }
    }
  }

  /** Whether asking for some channels of a layer saves work. */
  sliceable(name: string): boolean {
    const { base } = parseName(name);
    const node = this._nodes.get(base);
    if (!node) {
      return false;
    }
    const kind = node.foldFrom
      ? this._nodes.get(node.foldFrom)?.className
      : node.className;
    return kind === 'Conv2D' || kind === 'SeparableConv2D' || kind === 'Dense';
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
    const parsed = parseName(name);
    if (parsed.channels) {
      const whole = this.outputShape(parsed.base);
      return [
        ...whole.slice(0, -1),
        parsed.perImage ? 1 : parsed.channels.length
      ];
    }
    if (parsed.pre) {
      return this.outputShape(parsed.base);
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
    checkInput(input, this.inputShape);
    const cache = new Map<string, tf.Tensor>([[INPUT, input]]);
    const evaluate = (name: string): tf.Tensor => {
      const known = cache.get(name);
      if (known) {
        return known;
      }
      const parsed = parseName(name);
      const node = this._nodes.get(parsed.base);
      if (!node) {
        throw new UnknownLayerError(parsed.base, this.layerNames);
      }
      const args = node.inbound.map(evaluate);
      let applier = node.appliers.get(name);
      if (!applier) {
        applier = this._compile(node, parsed);
        node.appliers.set(name, applier);
      }
      const out = applier(args);
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
    for (const t of this._kept.values()) {
      t.dispose();
    }
    this._kept.clear();
    for (const node of this._nodes.values()) {
      node.appliers.clear();
    }
  }

  /** A tensor computed once from the weights and kept until dispose(). */
  private _keep<T extends tf.Tensor>(key: string, make: () => T): T {
    let t = this._kept.get(key) as T | undefined;
    if (!t) {
      t = tf.keep(tf.tidy(make));
      this._kept.set(key, t);
    }
    return t;
  }

  private _compile(node: INode, variant: IName): Applier {
    if (node.broken) {
      const broken = node.broken;
      return () => {
        throw new UnsupportedLayerError(node.name, node.className, broken);
      };
    }
    const channels = variant.channels;
    if (channels && !this.sliceable(node.name)) {
      // No sliced kernel for this layer: compute it whole, keep the channels.
      const wholeName = node.name + (variant.pre ? PRE_ACTIVATION : '');
      let whole = node.appliers.get(wholeName);
      if (!whole) {
        whole = this._compile(node, { ...variant, channels: null });
        node.appliers.set(wholeName, whole);
      }
      const wholeApplier = whole;
      return variant.perImage
        ? inputs => pickChannelPerImage(wholeApplier(inputs), channels)
        : inputs => pickChannels(wholeApplier(inputs), channels);
    }
    const selection: ISelection | null = channels
      ? { channels, perImage: variant.perImage }
      : null;
    if (node.foldFrom) {
      return this._compileFolded(node, selection);
    }
    const layer = this._layers.get(node.name) as tf.layers.Layer;
    const config = { ...(layer.getConfig() as ILayerConfig) };
    if (variant.pre) {
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
        return this._compileConv(
          className,
          name,
          config,
          weights,
          unsupported,
          selection
        );
      case 'Activation':
        return ([x]) => act(x);
      case 'Dense': {
        const kernel = weights[0] as tf.Tensor2D;
        // Kept for the gradient: see matMulToInput.
        const kernelT = this._keep(`${name}:kernelT`, () =>
          tf.transpose(kernel)
        );
        const bias =
          config.useBias === false ? null : (weights[1] as tf.Tensor1D);
        if (channels && variant.perImage) {
          return ([x]) => act(denseToInputPerImage(x, kernelT, bias, channels));
        }
        return ([x]) => {
          // Slices are taken per call: nothing is kept per channel choice.
          const k = channels ? slices(kernel, channels, 1) : kernel;
          const kT = channels ? slices(kernelT, channels, 0) : kernelT;
          const b = bias && channels ? slices(bias, channels, 0) : bias;
          const inner = x.shape[x.rank - 1] as number;
          const flat =
            x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inner]);
          let y: tf.Tensor = matMulToInput(flat as tf.Tensor2D, k, kT);
          if (b) {
            y = tf.add(y, b);
          }
          if (x.rank !== 2) {
            y = tf.reshape(y, [...x.shape.slice(0, -1), k.shape[1] as number]);
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
        const [multiplier, offset] = this._foldBatchNorm(name, config, weights);
        return ([x]) => tf.add(tf.mul(x, multiplier), offset);
      }
      case 'ReLU': {
        const max = config.maxValue;
        if (max === 6) {
          return ([x]) => relu6ToInput(x);
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

  /**
   * A convolution layer (optionally with substituted weights: a folded batch
   * norm) as one fused, input-differentiable op. With `channels`, only those
   * output channels are computed (Conv2D and SeparableConv2D).
   */
  private _compileConv(
    className: string,
    name: string,
    config: ILayerConfig,
    weights: readonly (tf.Tensor | null)[],
    unsupported: (detail: string) => never,
    selection: ISelection | null
  ): Applier {
    const channels = selection?.channels ?? null;
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
        : applyActivation(y, activation, name, className);
    // Output-channel slices are taken per call: nothing is kept per choice.
    const pick = <T extends tf.Tensor>(t: T): T =>
      channels ? slices(t, channels, t.rank - 1) : t;
    // A full convolution (a Conv2D, or a separable's pointwise stage): some
    // channels, one channel per image, or all of them.
    const convolve = (
      x: tf.Tensor4D,
      kernel: tf.Tensor4D,
      bias: tf.Tensor1D | null,
      opts: IConvOptions
    ): tf.Tensor =>
      channels && selection?.perImage
        ? applyActivation(
            convToInputPerImage(x, kernel, bias, channels, {
              ...opts,
              activation: 'linear'
            }),
            activation,
            name,
            className
          )
        : after(conv2dToInput(x, pick(kernel), bias ? pick(bias) : null, opts));
    if (className === 'Conv2D') {
      const kernel = weights[0] as tf.Tensor4D;
      const bias = useBias ? (weights[1] as tf.Tensor1D | null) : null;
      const opts = options(strides, fused);
      return ([x]) => convolve(x as tf.Tensor4D, kernel, bias, opts);
    }
    if (className === 'DepthwiseConv2D') {
      const kernel = weights[0] as tf.Tensor4D;
      const bias = useBias ? (weights[1] as tf.Tensor1D | null) : null;
      const opts = options(strides, fused);
      return ([x]) =>
        after(depthwiseToInput(x as tf.Tensor4D, kernel, bias, opts));
    }
    // SeparableConv2D: depthwise (no bias, no activation), then pointwise.
    const depthwise = weights[0] as tf.Tensor4D;
    const pointwise = weights[1] as tf.Tensor4D;
    const bias = useBias ? (weights[2] as tf.Tensor1D | null) : null;
    const depthOpts = options(strides, 'linear');
    const pointOpts: IConvOptions = {
      ...options([1, 1], fused),
      padding: 'valid',
      dilations: [1, 1]
    };
    return ([x]) =>
      convolve(
        depthwiseToInput(x as tf.Tensor4D, depthwise, null, depthOpts),
        pointwise,
        bias,
        pointOpts
      );
  }

  /**
   * A batch norm folded into its convolution: kernel·a and bias·a + b, where
   * y = x·a + b is the batch norm. One fused op computes both layers.
   */
  private _compileFolded(node: INode, selection: ISelection | null): Applier {
    const convLayer = this._layers.get(
      node.foldFrom as string
    ) as tf.layers.Layer;
    const className = convLayer.getClassName();
    const convConfig = convLayer.getConfig() as ILayerConfig;
    const bnLayer = this._layers.get(node.name) as tf.layers.Layer;
    const [multiplier, offset] = this._foldBatchNorm(
      node.name,
      bnLayer.getConfig() as ILayerConfig,
      bnLayer.getWeights()
    );
    const w = convLayer.getWeights();
    const kernelIndex = className === 'SeparableConv2D' ? 1 : 0;
    const kernel = w[kernelIndex] as tf.Tensor4D;
    const bias = convConfig.useBias !== false ? w[kernelIndex + 1] : null;
    const folded = this._keep(`${node.name}:foldedKernel`, () =>
      className === 'DepthwiseConv2D'
        ? tf.mul(
            kernel,
            tf.reshape(multiplier, [kernel.shape[2], kernel.shape[3]])
          )
        : tf.mul(kernel, multiplier)
    );
    const foldedBias = this._keep(`${node.name}:foldedBias`, () =>
      bias ? tf.add(tf.mul(bias, multiplier), offset) : tf.mul(offset, 1)
    );
    const weights =
      className === 'SeparableConv2D'
        ? [w[0], folded, foldedBias]
        : [folded, foldedBias];
    const unsupported = (detail: string): never => {
      throw new UnsupportedLayerError(convLayer.name, className, detail);
    };
    return this._compileConv(
      className,
      node.name,
      { ...convConfig, useBias: true, activation: 'linear' },
      weights,
      unsupported,
      selection
    );
  }

  /** Batch norm at inference as y = x·a + b, with a and b computed once. */
  private _foldBatchNorm(
    name: string,
    config: ILayerConfig,
    weights: tf.Tensor[]
  ): [tf.Tensor, tf.Tensor] {
    const queue = [...weights];
    const gamma = config.scale !== false ? queue.shift() : undefined;
    const beta = config.center !== false ? queue.shift() : undefined;
    const [mean, variance] = queue;
    const epsilon = config.epsilon ?? 1e-3;
    const multiplier = this._keep(`${name}:bnMultiplier`, () => {
      const inv = tf.rsqrt(tf.add(variance, epsilon));
      return gamma ? tf.mul(inv, gamma) : inv;
    });
    const offset = this._keep(`${name}:bnOffset`, () => {
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
