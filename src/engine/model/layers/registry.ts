/**
 * The one table of supported Keras layers: class name → entry, assembled
 * from what each family file contributes (docs/architecture.md, "How to add
 * a layer type"). A class that is not here is an unsupported layer.
 */
import { ACTIVATION_LAYERS } from './activations';
import type { ILayerEntry, LayerFamily } from './context';
import { CONV_LAYERS } from './conv';
import { CORE_LAYERS } from './core';
import { MERGE_LAYERS } from './merge';
import { NORMALIZATION_LAYERS } from './normalization';
import { PADDING_LAYERS } from './padding';
import { POOLING_LAYERS } from './pooling';

const FAMILIES: readonly LayerFamily[] = [
  CONV_LAYERS,
  CORE_LAYERS,
  NORMALIZATION_LAYERS,
  ACTIVATION_LAYERS,
  POOLING_LAYERS,
  PADDING_LAYERS,
  MERGE_LAYERS
];

const REGISTRY: ReadonlyMap<string, ILayerEntry> = new Map(
  FAMILIES.flatMap(family => Object.entries(family))
);

/** The Keras class names the executor runs, for error messages. */
export const SUPPORTED_LAYERS: readonly string[] = [...REGISTRY.keys()];

/** The entry for a Keras class; undefined when it is not supported. */
export function findLayer(className: string): ILayerEntry | undefined {
  return REGISTRY.get(className);
}
