/**
 * Gradient-ascent jobs (docs/architecture.md, "Objectives and the render
 * loop"): the spec's objective and optimization turned into a run. The
 * recipe (optvis/recipe.ts) resolves every setting the spec leaves out; the
 * job builds the start image, parameterization, transforms, scaled
 * regularizers and objective, checks them against the model before the
 * first step, labels the last frame's pictures (optvis/notes.ts), and frees
 * everything it made whether the run finishes, is cancelled or fails.
 */
import * as tf from '@tensorflow/tfjs';
import type {
  Objective as ObjectiveSpec,
  Reduce
} from '../../spec/types.generated';
import { FeatureVizError } from '../errors';
import { INPUT, type IActivationRef, refShape } from '../model/activation-ref';
import type { IExecutor } from '../model/executor';
import { checkLayers, compileObjective } from './compile';
import { labelLastFrame } from './notes';
import type { Objective } from './objective';
import { type IBatchPart, createParam } from './param';
import {
  type IOptimizationConfig,
  describeRecipe,
  planRun,
  resolveRecipe
} from './recipe';
import { objectiveScales, scaledRegularizers } from './regularize';
import { type IFrame, renderVis, toModelInput } from './render';
import { createRandom } from './rng';
import { type IImageArray, startImage } from './start';
import { compileTransforms } from './transforms';
import { channelPerImage } from './units';

export type { IOptimizationConfig } from './recipe';

export interface IRunContext {
  readonly executor: IExecutor;
  /** The pixel range the model expects. */
  readonly inputRange?: readonly [number, number];
  /** The mean image of the model's training data (from its model.json). */
  readonly datasetMean?: IImageArray | null;
  readonly signal?: AbortSignal;
}

interface IRunOptions {
  /** The images are units of one layer: label the weak ones. */
  readonly compare?: boolean;
  /**
   * The run is images [start, start + batch) of a batch of `of` (a share
   * of a layer atlas): it starts as that batch would, and leaves its last
   * frame unlabelled (the notes compare every image of the whole batch).
   */
  readonly part?: IBatchPart;
}

/** Runs gradient ascent on an objective and yields its frames. */
export async function* runObjective(
  objective: Objective,
  config: IOptimizationConfig,
  context: IRunContext,
  options: IRunOptions = {}
): AsyncGenerator<IFrame, IFrame, undefined> {
  const { executor } = context;
  const plan = planRun(executor, config);
  const recipe = resolveRecipe(
    plan,
    objective.focus,
    executor,
    config,
    Boolean(context.datasetMean)
  );
  const { batch, steps, seed } = recipe;
  const { height, width, channels } = plan;
  checkLayers(objective, executor.layerNames);
  const [, modelH, modelW] = executor.inputShape;
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
  const start = await startImage(
    recipe.init,
    [batch, height, width, channels],
    context.datasetMean ?? null
  );
  const param = createParam({
    kind: recipe.param,
    batch,
    height,
    width,
    channels,
    decorrelate: recipe.decorrelate,
    squash: config.squash,
    start,
    // The initial image and the transforms draw from separate streams.
    random: createRandom(seed ^ 0x5bd1e995),
    part: options.part
  });
  try {
    const toModel = (image: tf.Tensor4D) =>
      toModelInput(executor, image, context.inputRange);
    const weighted = Object.values(recipe.regularizers).some(w => w > 0);
    let penalty = null;
    if (weighted) {
      const images = tf.tidy(() => param.image());
      try {
        const scales = await objectiveScales(
          objective,
          executor,
          images,
          toModel
        );
        penalty = scaledRegularizers(recipe.regularizers, scales);
      } finally {
        images.dispose();
      }
    }
    let last: IFrame | null = null;
    for await (const frame of renderVis({
      executor,
      objective,
      penalty,
      param,
      transforms: compileTransforms(recipe.transforms),
      inputRange: context.inputRange,
      optimizer: recipe.optimizer,
      steps,
      seed,
      frameEvery: config.frameEvery,
      thresholds: config.thresholds,
      crop: recipe.crop,
      caption: describeRecipe(recipe, objective.focus),
      signal: context.signal
    })) {
      last =
        frame.step === steps && !options.part
          ? labelLastFrame(frame, objective.focus, options.compare === true)
          : frame;
      yield last;
    }
    return last as IFrame;
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
  const plan = planRun(executor, config);
  const objective = compileObjective(node, {
    logitsLayer: executor.logitsLayer,
    optimizable: layer => executor.optimizable(layer),
    reduce: plan.reduceFor
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
 * A layer atlas: one batched run where image i maximizes channel i (its
 * mean or centre neuron, as `reduce` and the recipe say), so a whole layer
 * costs one optimization, not one per channel.
 */
export function runLayerAtlas(
  layer: string,
  channels: readonly number[] | undefined,
  config: IOptimizationConfig,
  context: IRunContext,
  reduce: Reduce = 'auto'
): AsyncGenerator<IFrame, IFrame, undefined> {
  const chosen = atlasChannels(context.executor, layer, channels);
  return runObjective(
    atlasObjective(context.executor, layer, chosen, config, reduce),
    { ...config, batch: chosen.length },
    context,
    { compare: true }
  );
}

/** The objective of an atlas of `channels` (each image its channel). */
export function atlasObjective(
  executor: IExecutor,
  layer: string,
  channels: readonly number[],
  config: IOptimizationConfig,
  reduce: Reduce = 'auto'
): Objective {
  const plan = planRun(executor, config);
  return channelPerImage(
    executor.optimizable(layer),
    channels,
    plan.reduceFor(layer, reduce)
  );
}

/**
 * Images [start, end) of the atlas of `channels`, as its one batched run
 * computes them (a share of the atlas on the engine's pool): the same
 * random start and transforms, each image its channel; the last frame is
 * left for the whole atlas's notes.
 */
export function runAtlasPart(
  layer: string,
  channels: readonly number[],
  range: readonly [number, number],
  config: IOptimizationConfig,
  context: IRunContext,
  reduce: Reduce = 'auto'
): AsyncGenerator<IFrame, IFrame, undefined> {
  const [start, end] = range;
  return runObjective(
    atlasObjective(
      context.executor,
      layer,
      channels.slice(start, end),
      config,
      reduce
    ),
    { ...config, batch: end - start },
    context,
    { part: { start, of: channels.length } }
  );
}
