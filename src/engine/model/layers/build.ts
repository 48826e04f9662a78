/**
 * From one layer and the activation asked of it to the function that
 * computes it: the layer's context, the batch norm folded into a
 * convolution, the pre-activation, and the registry lookup (a miss is an
 * unsupported layer) (docs/architecture.md, "How to add a layer type").
 */
import type * as tf from '@tensorflow/tfjs';
import type { layers } from '@tensorflow/tfjs-layers';
import { UnsupportedLayerError } from '../../errors';
import type { IActivationRef } from '../activation-ref';
import type { InputGradStrategy, ReluRule } from '../ops';
import type { Applier, ILayerConfig, ILayerContext } from './context';
import { foldBatchNorm } from './folding';
import { SUPPORTED_LAYERS, findLayer } from './registry';

export const configOf = (layer: layers.Layer): ILayerConfig =>
  layer.getConfig() as ILayerConfig;

/** Throws UnsupportedLayerError for `layer`, listing the supported classes. */
export function unsupported(layer: layers.Layer, detail: string): never {
  throw new UnsupportedLayerError(
    layer.name,
    layer.getClassName(),
    detail,
    SUPPORTED_LAYERS
  );
}

/** Whether a layer computes a channel selection alone (sliced kernels). */
export function selectsChannels(layer: layers.Layer): boolean {
  return findLayer(layer.getClassName())?.selects === true;
}

/** Whether a batch norm after a layer of this class can fold into it. */
export function canFold(className: string): boolean {
  return findLayer(className)?.fold !== undefined;
}

/** What the executor lends every layer it builds. */
export interface IBuildEnvironment {
  readonly strategy: InputGradStrategy;
  readonly reluRule: ReluRule;
  /** Computes (once) and keeps a tensor derived from a layer's weights. */
  keep<T extends tf.Tensor>(layer: string, what: string, make: () => T): T;
}

/**
 * The applier computing `ref` of `layer`; `foldedInto` is the convolution a
 * batch norm `layer` is folded into, computed as one op with it.
 */
export function buildLayer(
  layer: layers.Layer,
  foldedInto: layers.Layer | null,
  ref: IActivationRef,
  environment: IBuildEnvironment
): Applier {
  const source = foldedInto ?? layer;
  const keep: ILayerContext['keep'] = (what, make) =>
    environment.keep(layer.name, what, make);
  const context: ILayerContext = {
    name: layer.name,
    className: source.getClassName(),
    config: { ...configOf(layer) },
    weights: layer.getWeights(),
    selection: ref.channels
      ? { channels: ref.channels, perImage: ref.perImage === true }
      : null,
    strategy: environment.strategy,
    reluRule: environment.reluRule,
    keep,
    unsupported: detail => unsupported(source, detail)
  };
  const entry = findLayer(context.className);
  if (foldedInto && entry?.fold) {
    const folded = foldBatchNorm(
      entry.fold,
      { config: configOf(source), weights: source.getWeights() },
      context,
      keep
    );
    return entry.build({ ...context, ...folded });
  }
  if (ref.pre) {
    if (context.config.activation === undefined) {
      context.unsupported('it has no activation function to skip');
    }
    context.config.activation = 'linear';
  }
  const dataFormat = context.config.dataFormat;
  if (dataFormat && dataFormat !== 'channelsLast') {
    context.unsupported('only channels-last data is supported');
  }
  if (!entry) {
    return context.unsupported('this layer type is not supported');
  }
  return entry.build(context);
}
