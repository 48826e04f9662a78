/**
 * Gradient-ascent jobs (docs/architecture.md, "Objectives and the render
 * loop"): the spec's objective and optimization turned into a run, with the
 * schema's defaults filled in here and nowhere else. The job builds the
 * parameterization, transforms and objective, checks them against the model
 * before the first step, and frees everything it made whether the run
 * finishes, is cancelled or fails.
 */
import * as tf from '@tensorflow/tfjs';
import type {
  Objective as ObjectiveSpec,
  Optimization
} from '../../spec/types.generated';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import { FeatureVizError } from '../errors';
import { INPUT, type IActivationRef, refShape } from '../model/activation-ref';
import type { IExecutor } from '../model/executor';
import { checkLayers, compileObjective } from './compile';
import type { Objective } from './objective';
import { createParam } from './param';
import { type IFrame, type OptimizerConfig, renderVis } from './render';
import { createRandom } from './rng';
import { compileTransforms } from './transforms';
import { channelPerImage } from './units';

/**
 * How to optimize: the spec's `Optimization`, every field optional, plus
 * what only the engine's own callers (tests, benchmarks) set.
 */
export interface IOptimizationConfig extends Optimization {
  /** 'none' leaves pixels unbounded (for closed-form tests). */
  readonly squash?: 'sigmoid' | 'none';
  /** Also emit frames after these steps (benchmarks time from one). */
  readonly thresholds?: readonly number[];
}

/** The fields with a default in the schema, filled from SPEC_DEFAULTS. */
type Defaulted = 'param' | 'decorrelate' | 'batch' | 'steps' | 'seed';

export interface IResolvedOptimization
  extends
    Omit<IOptimizationConfig, Defaulted | 'optimizer'>,
    Required<Pick<IOptimizationConfig, Defaulted>> {
  readonly optimizer: OptimizerConfig;
}

/**
 * A configuration with the schema's defaults filled in: the one place the
 * engine reads them (SPEC_DEFAULTS is generated from the schema).
 */
export function resolveOptimization(
  config: IOptimizationConfig
): IResolvedOptimization {
  const defaults = SPEC_DEFAULTS.Optimization;
  const optimizer = config.optimizer ?? defaults.optimizer;
  return {
    ...config,
    param: config.param ?? defaults.param,
    decorrelate: config.decorrelate ?? defaults.decorrelate,
    batch: config.batch ?? defaults.batch,
    steps: config.steps ?? defaults.steps,
    seed: config.seed ?? defaults.seed,
    optimizer: {
      type: optimizer.type,
      lr: optimizer.lr ?? SPEC_DEFAULTS.Optimizer.lr
    }
  };
}

export interface IRunContext {
  readonly executor: IExecutor;
  /** The pixel range the model expects. */
  readonly inputRange?: readonly [number, number];
  readonly signal?: AbortSignal;
}

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

/** Runs gradient ascent on an objective and yields its frames. */
export async function* runObjective(
  objective: Objective,
  config: IOptimizationConfig,
  context: IRunContext
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor } = context;
  const resolved = resolveOptimization(config);
  const { batch, steps, seed } = resolved;
  const [height, width] = imageSize(executor, config);
  checkLayers(objective, executor.layerNames);
  const [, modelH, modelW, channels] = executor.inputShape;
  objective.check(
    (ref: IActivationRef) =>
      ref.layer === INPUT
        ? refShape([batch, height, width, channels], ref)
        : executor.outputShape(ref),
    batch
  );
  // A forward pass before any gradient tape: an unsupported layer or a shape
  // mismatch fails here, cleanly, rather than in the middle of a step.
  tf.tidy(() => {
    executor.forward(
      tf.zeros([batch, modelH ?? height, modelW ?? width, channels]),
      objective.refs.filter(ref => ref.layer !== INPUT)
    );
  });
  const param = createParam({
    kind: resolved.param,
    batch,
    height,
    width,
    channels,
    decorrelate: resolved.decorrelate,
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
      optimizer: resolved.optimizer,
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
  node: ObjectiveSpec,
  config: IOptimizationConfig,
  context: IRunContext
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor } = context;
  const objective = compileObjective(node, {
    logitsLayer: executor.logitsLayer,
    optimizable: layer => executor.optimizable(layer)
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
  const objective = channelPerImage(executor.optimizable(layer), chosen);
  return runObjective(objective, { ...config, batch: chosen.length }, context);
}
