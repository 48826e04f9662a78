/**
 * The spec's objective tree (the generated `Objective` type of the one
 * schema, docs/architecture.md, "One schema") compiled into an Objective,
 * and the check that the layers it names exist.
 */
import { FeatureVizError, UnknownLayerError } from '../errors';
import { INPUT, type IActivationRef } from '../model/activation-ref';
import type {
  Objective as ObjectiveSpec,
  Reduce
} from '../../spec/types.generated';
import { Objective } from './objective';
import { blurInputEachStep, l1, l2, totalVariation } from './penalties';
import {
  type ChannelReduce,
  channel,
  classLogit,
  deepdream,
  direction,
  diversity,
  neuron
} from './units';

/** What compiling needs to know of the model (an executor has both). */
export interface ICompileContext {
  /** The model's logits (before a final softmax). */
  readonly logitsLayer: IActivationRef;
  /** What to optimize for units of a layer (its pre-ReLU output). */
  readonly optimizable?: (layer: string) => IActivationRef;
  /**
   * How a channel of `layer` is reduced when its spec asks for `requested`
   * ('auto': the recipe decides, optvis/recipe.ts); by default 'auto' is
   * the mean.
   */
  readonly reduce?: (layer: string, requested: Reduce) => ChannelReduce;
}

/** Builds an objective from the spec's JSON tree. */
export function compileObjective(
  node: ObjectiveSpec,
  context: ICompileContext
): Objective {
  const unit = (layer: string): IActivationRef =>
    context.optimizable?.(layer) ?? { layer };
  switch (node.type) {
    case 'channel': {
      const requested = node.reduce ?? 'auto';
      const reduce =
        context.reduce?.(node.layer, requested) ??
        (requested === 'centre' ? 'centre' : 'mean');
      return channel(unit(node.layer), node.channel, node.batch, reduce);
    }
    case 'neuron':
      return neuron(unit(node.layer), node.channel, node.x, node.y, node.batch);
    case 'layer':
      return deepdream(node.layer, node.batch);
    case 'logit':
      return classLogit(
        node.layer ?? context.logitsLayer,
        node.index,
        node.batch
      );
    case 'direction':
      return direction(unit(node.layer), node.vector, node);
    case 'diversity':
      return diversity(node.layer);
    case 'l1':
      return l1(node.layer, node.constant, node.batch);
    case 'l2':
      return l2(node.layer, node.constant, node.epsilon, node.batch);
    case 'total-variation':
      return totalVariation(node.layer, node.batch);
    case 'blur-input-each-step':
      return blurInputEachStep();
    case 'sum':
      return Objective.sum(node.terms.map(t => compileObjective(t, context)));
    case 'scale':
      return compileObjective(node.term, context).scale(node.factor);
    default: {
      const unknown: never = node;
      throw new FeatureVizError(
        `Unknown objective type ${JSON.stringify((unknown as { type?: unknown }).type)}.`
      );
    }
  }
}

/** Layer-name checks for objectives: names the real layers when one is wrong. */
export function checkLayers(
  objective: Objective,
  known: readonly string[]
): void {
  for (const { layer } of objective.refs) {
    if (layer !== INPUT && !known.includes(layer)) {
      throw new UnknownLayerError(layer, known);
    }
  }
}
