/**
 * Gradient-ascent jobs: a spec-shaped configuration turned into a run. The
 * job builds the parameterization, transforms and objective, checks them
 * against the model before the first step, and frees everything it made
 * whether the run finishes, is cancelled or fails.
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError } from '../errors';
import { INPUT, type IExecutor, perImageName } from '../model/executor';
import {
  type Objective,
  type ObjectiveNode,
  channelPerImage,
  checkLayers,
  compileObjective
} from './objectives';
import { type ParamKind, createParam } from './param';
import {
  type IFrame,
  type IOptimizerConfig,
  DEFAULT_OPTIMIZER,
  renderVis
} from './render';
import { createRandom } from './rng';
import { type TransformNode, compileTransforms } from './transforms';

/** How to optimize; every field has a default (the spec's `Optimization`). */
export interface IOptimizationConfig {
  readonly param?: ParamKind;
  /** Engine-only: 'none' leaves pixels unbounded (for closed-form tests). */
  readonly squash?: 'sigmoid' | 'none';
  readonly decorrelate?: boolean;
  readonly size?: readonly [number, number];
  readonly batch?: number;
  readonly transforms?:
    'standard' | 'small' | 'none' | readonly TransformNode[];
  readonly optimizer?: { readonly type: 'adam' | 'sgd'; readonly lr?: number };
  readonly steps?: number;
  readonly seed?: number;
  readonly frameEvery?: number;
  /** Also emit frames after these steps (benchmarks time from one). */
  readonly thresholds?: readonly number[];
}

export interface IRunContext {
  readonly executor: IExecutor;
  /** The pixel range the model expects. */
  readonly inputRange?: readonly [number, number];
  readonly signal?: AbortSignal;
}

export const DEFAULTS = {
  param: 'fourier' as ParamKind,
  decorrelate: true,
  steps: 256,
  seed: 0,
  batch: 1
};

/** Lucid's standard transforms need room; small images get the small preset. */
export function defaultTransforms(
  height: number,
  width: number
): 'standard' | 'small' {
  return Math.min(height, width) >= 64 ? 'standard' : 'small';
}

function imageSize(
  executor: IExecutor,
  config: IOptimizationConfig
): [number, number] {
  if (config.size) {
    return [config.size[0], config.size[1]];
  }
  const [, h, w] = executor.inputShape;
  if (h === null || w === null) {
    throw new FeatureVizError(
      'The model accepts any image size: give one with size=(height, width).'
    );
  }
  return [h, w];
}

function optimizerOf(config: IOptimizationConfig): IOptimizerConfig {
  return {
    type: config.optimizer?.type ?? DEFAULT_OPTIMIZER.type,
    lr: config.optimizer?.lr ?? DEFAULT_OPTIMIZER.lr
  };
}

/** Runs gradient ascent on an objective and yields its frames. */
export async function* runObjective(
  objective: Objective,
  config: IOptimizationConfig,
  context: IRunContext
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor } = context;
  const batch = config.batch ?? DEFAULTS.batch;
  const [height, width] = imageSize(executor, config);
  checkLayers(objective, executor.layerNames);
  objective.check(
    name =>
      name === INPUT
        ? [batch, height, width, executor.inputShape[3]]
        : executor.outputShape(name),
    batch
  );
  // A forward pass before any gradient tape: an unsupported layer or a shape
  // mismatch fails here, cleanly, rather than in the middle of a step.
  const [, modelH, modelW, channels] = executor.inputShape;
  tf.tidy(() => {
    executor.forward(
      tf.zeros([batch, modelH ?? height, modelW ?? width, channels]),
      [...objective.layers].filter(l => l !== INPUT)
    );
  });
  const steps = config.steps ?? DEFAULTS.steps;
  const seed = config.seed ?? DEFAULTS.seed;
  const param = createParam({
    kind: config.param ?? DEFAULTS.param,
    batch,
    height,
    width,
    channels: executor.inputShape[3],
    decorrelate: config.decorrelate ?? DEFAULTS.decorrelate,
    squash: config.squash,
    // The initial image and the transforms draw from separate streams.
    random: createRandom(seed ^ 0x5bd1e995)
  });
  try {
    return yield* renderVis({
      executor,
      objective,
      param,
      transforms: compileTransforms(
        config.transforms ?? defaultTransforms(height, width)
      ),
      inputRange: context.inputRange,
      optimizer: optimizerOf(config),
      steps,
      seed,
      frameEvery: config.frameEvery,
      thresholds: config.thresholds,
      signal: context.signal
    });
  } finally {
    param.dispose();
  }
}

/** Gradient ascent on an objective given as the spec's JSON tree. */
export function runGradientAscent(
  node: ObjectiveNode,
  config: IOptimizationConfig,
  context: IRunContext
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor } = context;
  const objective = compileObjective(node, {
    logitsLayer: executor.logitsLayer,
    optimizable: layer => executor.optimizable(layer),
    sliceable: layer => executor.sliceable(layer)
  });
  return runObjective(objective, config, context);
}

/** The channels a layer atlas shows: the chosen ones, or all. */
export function atlasChannels(
  executor: IExecutor,
  layer: string,
  channels?: readonly number[]
): number[] {
  const shape = executor.outputShape(layer);
  const count = shape[shape.length - 1];
  if (typeof count !== 'number') {
    throw new FeatureVizError(`Layer "${layer}" has no fixed channel count.`);
  }
  return channels ? [...channels] : Array.from({ length: count }, (_, i) => i);
}

/**
 * A layer atlas: one batched run where image i maximizes channel i, so a
 * whole layer costs one optimization, not one per channel.
 */
export function runLayerAtlas(
  layer: string,
  channels: readonly number[] | undefined,
  config: IOptimizationConfig,
  context: IRunContext
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor } = context;
  const chosen = atlasChannels(executor, layer, channels);
  const target = executor.optimizable(layer);
  let objective = channelPerImage(target, chosen);
  if (executor.sliceable(target)) {
    // Image i computes only its own channel (it reads column 0 of that).
    objective = objective.reading(
      channelPerImage(
        perImageName(target, chosen),
        chosen.map(() => 0)
      )
    );
  }
  return runObjective(objective, { ...config, batch: chosen.length }, context);
}
