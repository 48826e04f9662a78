/**
 * What a job will cost, estimated before it starts (docs/architecture.md,
 * "Memory and speed"): its peak tensor memory from the images and the
 * activations it keeps for the gradient, and its time from the multiply-adds
 * of one step scaled by the backend probe's measured step. The core refuses
 * a job whose estimate is over the caps the page sends (the settings), with
 * the estimate in the message. Pure arithmetic: no tensors.
 */
import type { Objective } from '../../spec/types.generated';
import { JobTooLargeError } from '../errors';
import type { ILayerInfo } from '../model/inspect';
import type { IJobLimits } from './protocol';

/** What an estimate needs to know of a job and its model. */
export interface IJobShape {
  /** Images optimized together. */
  readonly batch: number;
  /** The optimized image: height, width, channels. */
  readonly image: readonly [number, number, number];
  readonly steps: number;
  readonly param: 'pixel' | 'fourier';
  /**
   * The model's layers in execution order, up to the deepest one the
   * objective reads (none when it reads only the input).
   */
  readonly layers: readonly (Pick<
    ILayerInfo,
    'name' | 'outputShape' | 'params'
  > &
    Partial<Pick<ILayerInfo, 'className' | 'inputs'>>)[];
}

export interface IJobEstimate {
  /** Peak bytes of tensors the job holds at once. */
  readonly bytes: number;
  /** Multiply-adds of one step's forward pass, all images. */
  readonly macsPerStep: number;
  /** Milliseconds for all steps; null without a measured backend speed. */
  readonly ms: number | null;
}

const FLOAT_BYTES = 4;
/**
 * Floats held per image element during a step: the parameterization's
 * variables with the optimizer's two moment slots, the image, and above all
 * the transforms' bilinear resampling (scale, rotation, the fit to the
 * model's input), whose sample positions, weights and gathered neighbours
 * the gradient keeps. Measured with tf.profile on the CPU backend with the
 * default transforms (estimate.spec.ts).
 */
const IMAGE_COPIES = 100;
/**
 * Each activation on the way to the objective is kept with its gradient (a
 * convolution's patches once: their gradient is not kept).
 */
const ACTIVATION_COPIES = 2;
/**
 * The gradient to the input goes back through each layer with a transposed
 * or flipped copy of its weights, made during the step.
 */
const WEIGHT_COPIES = 2;
/**
 * Max pooling differentiates through the engine's own input gradient
 * (model/pool-ops.ts), which spreads each window tap's share back to the
 * pool's input size and adds them: per tap, about this many copies of the
 * pool's input are held at once (measured with tf.profile on the CPU
 * backend through the bundled model's 2×2 pool, estimate.spec.ts).
 */
const POOL_TAP_COPIES = 2.5;

/**
 * Elements of one image's activation of a layer. Sizes a model leaves free
 * (null) take the image's, an upper bound for layers that downsample.
 */
function elements(
  shape: readonly (number | null)[],
  image: IJobShape['image']
): number {
  return shape.slice(1).reduce<number>((n, d, i) => {
    const size = d ?? (i < 2 ? image[i] : 1);
    return n * size;
  }, 1);
}

/**
 * Elements of one image's patches of a layer with weights: a convolution's
 * input gradient and forward pass work on k·k·c_in values per output
 * position (im2col), which the gradient tape keeps; for a dense layer, its
 * input.
 */
function patchElements(
  layer: IJobShape['layers'][number],
  image: IJobShape['image']
): number {
  const shape = layer.outputShape;
  const out = shape[shape.length - 1] ?? 1;
  if (layer.params === 0 || shape.length < 2) {
    return 0;
  }
  const positions =
    shape.length === 4 ? (shape[1] ?? image[0]) * (shape[2] ?? image[1]) : 1;
  return (positions * Math.max(0, layer.params - out)) / out;
}

/**
 * Elements one image's max-pool input gradient holds at its peak: for each
 * window tap (the input's size over the output's, for the usual windows as
 * large as their stride), copies of the pool's input.
 */
function poolGradElements(
  layer: IJobShape['layers'][number],
  byName: ReadonlyMap<string, IJobShape['layers'][number]>,
  image: IJobShape['image']
): number {
  if (layer.className !== 'MaxPooling2D') {
    return 0;
  }
  const source = layer.inputs?.[0] ? byName.get(layer.inputs[0]) : undefined;
  const input = source
    ? elements(source.outputShape, image)
    : image[0] * image[1] * image[2];
  const output = Math.max(1, elements(layer.outputShape, image));
  return POOL_TAP_COPIES * (input / output) * input;
}

/**
 * Multiply-adds of one image through one layer: each weight is used once per
 * output position (exact for convolutions and dense layers); a layer without
 * weights costs about one operation per output element.
 */
function layerMacs(
  layer: IJobShape['layers'][number],
  image: IJobShape['image']
): number {
  const shape = layer.outputShape;
  if (layer.params === 0) {
    return elements(shape, image);
  }
  const positions =
    shape.length === 4 ? (shape[1] ?? image[0]) * (shape[2] ?? image[1]) : 1;
  return layer.params * positions;
}

/**
 * The estimate of a job. `probeMacs` and `probeMs` are the backend probe's
 * multiply-adds and measured milliseconds per step (backends.ts); the time
 * is the probe's scaled by the job's multiply-adds.
 */
export function estimateJob(
  shape: IJobShape,
  probe?: { readonly macs: number; readonly ms: number }
): IJobEstimate {
  const [height, width, channels] = shape.image;
  const pixels = height * width * channels;
  // The Fourier parameterization's inverse DFT: two matrix products per
  // channel (rows, then columns).
  const paramMacs =
    shape.param === 'fourier'
      ? channels * (height * height * width + height * width * width)
      : 0;
  let activations = 0;
  let pooling = 0;
  let patches = 0;
  let weights = 0;
  let macs = paramMacs;
  const byName = new Map(shape.layers.map(l => [l.name, l]));
  for (const layer of shape.layers) {
    activations += elements(layer.outputShape, shape.image);
    pooling += poolGradElements(layer, byName, shape.image);
    patches += patchElements(layer, shape.image);
    weights += layer.params;
    macs += layerMacs(layer, shape.image);
  }
  const bytes =
    FLOAT_BYTES *
    (shape.batch *
      (IMAGE_COPIES * pixels +
        ACTIVATION_COPIES * activations +
        patches +
        pooling) +
      WEIGHT_COPIES * weights);
  const macsPerStep = shape.batch * macs;
  const ms =
    probe && probe.ms > 0 && probe.macs > 0
      ? shape.steps * probe.ms * (macsPerStep / probe.macs)
      : null;
  return { bytes, macsPerStep, ms };
}

/** The layers a spec objective reads (`logits` for a logit without one). */
export function objectiveLayers(node: Objective, logits: string): string[] {
  switch (node.type) {
    case 'sum':
      return node.terms.flatMap(term => objectiveLayers(term, logits));
    case 'scale':
      return objectiveLayers(node.term, logits);
    case 'logit':
      return [node.layer ?? logits];
    case 'blur-input-each-step':
      return [];
    default:
      return node.layer !== undefined ? [node.layer] : [];
  }
}

/**
 * The layers up to the deepest of `read`, in execution order: what the
 * forward pass computes and the gradient goes back through.
 */
export function layersUpTo<L extends { readonly name: string }>(
  layers: readonly L[],
  read: readonly string[]
): L[] {
  const deepest = Math.max(
    -1,
    ...read.map(name => layers.findIndex(l => l.name === name))
  );
  return layers.slice(0, deepest + 1);
}

/** Throws JobTooLargeError when the estimate is over a cap. */
export function checkLimits(
  estimate: IJobEstimate,
  limits: IJobLimits | undefined,
  shape: IJobShape
): void {
  const [height, width, channels] = shape.image;
  const images = `${shape.batch} image${shape.batch === 1 ? '' : 's'} of ${height}×${width}×${channels}`;
  if (limits?.maxBytes !== undefined && estimate.bytes > limits.maxBytes) {
    throw new JobTooLargeError(
      `about ${formatBytes(estimate.bytes)} of memory`,
      `the ${Math.round(limits.maxBytes / 1e6)} MB limit`,
      `${images} and the activations of ${shape.layers.length} layer${shape.layers.length === 1 ? '' : 's'}`,
      'Largest job (MB of memory)'
    );
  }
  if (
    limits?.maxMs !== undefined &&
    estimate.ms !== null &&
    estimate.ms > limits.maxMs
  ) {
    throw new JobTooLargeError(
      `about ${formatMinutes(estimate.ms)} on this backend`,
      `the ${formatMinutes(limits.maxMs)} limit`,
      `${shape.steps} steps of ${images}, ${formatCount(estimate.macsPerStep)} multiply-adds each`,
      'Longest job (minutes)'
    );
  }
}

/** Three significant digits, without an exponent. */
function round3(x: number): string {
  return String(Number(x.toPrecision(3)));
}

export function formatBytes(bytes: number): string {
  return bytes >= 1e9
    ? `${round3(bytes / 1e9)} GB`
    : `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60000;
  return minutes >= 120
    ? `${round3(minutes / 60)} hours`
    : minutes >= 1
      ? `${round3(minutes)} minute${round3(minutes) === '1' ? '' : 's'}`
      : `${Math.round(ms / 1000)} second${Math.round(ms / 1000) === 1 ? '' : 's'}`;
}

function formatCount(n: number): string {
  return n >= 1e9
    ? `${round3(n / 1e9)} billion`
    : n >= 1e6
      ? `${round3(n / 1e6)} million`
      : String(Math.round(n));
}
