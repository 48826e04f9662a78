/**
 * What the explorer's neuron card shows, as specs: the same schema-valid
 * specs a `featureviz` Python call builds (docs/architecture.md, "The
 * explorer"), so the card runs through the notebook's own output code and
 * "Insert code" (python-code.ts) writes the call that builds exactly them.
 * Defaults come from the schema (`SPEC_DEFAULTS`), never from here.
 */
import { SPEC_DEFAULTS } from '../spec/defaults.generated';
import {
  type DataRef,
  type GradientAscentSpec,
  type LayerAtlasSpec,
  type ModelRef,
  type PcaSpec,
  SPEC_VERSION,
  type SpecVersion,
  type TopExamplesSpec,
  type UnitTarget
} from '../spec';

/**
 * How the explorer reads a unit: a channel of a spatial layer, a neuron of a
 * flat layer, or a class logit of the model's last layer.
 */
export type UnitKind = 'channel' | 'neuron' | 'logit';

/** One unit of an opened model, as the card shows it. */
export interface IExplorerUnit {
  readonly model: ModelRef;
  readonly layer: string;
  readonly unit: number;
  readonly kind: UnitKind;
}

/** The explorer's settings that shape its specs (schema/settings.json). */
export interface ICardOptions {
  /** The dataset the card ranks and projects. */
  readonly data: DataRef;
  /** Gradient-ascent steps; the recipe's when null. */
  readonly steps: number | null;
  /** The image's side in pixels; the model's input size when null. */
  readonly size: number | null;
}

/** The card's specs: every lens on one unit. */
export interface ICardSpecs {
  readonly ascent: GradientAscentSpec;
  readonly examples: TopExamplesSpec;
  readonly pca: PcaSpec;
}

/** The schema's version constant, typed as the generated types want it. */
const VERSION = SPEC_VERSION as SpecVersion;

/** The model's name in unit ids: a bundled name, or its model.json's path. */
export function modelName(model: ModelRef): string {
  if ('builtin' in model) {
    return model.builtin;
  }
  if ('kernel' in model) {
    return model.name ?? `kernel-${model.kernel.slice(0, 8)}`;
  }
  return model.url;
}

/** The unit's stable id, `model/layer/unit`, shown on everything about it. */
export function unitId(unit: IExplorerUnit): string {
  return `${modelName(unit.model)}/${unit.layer}/${unit.unit}`;
}

/** How a layer's units are read, from its output shape and place. */
export function unitKind(
  outputShape: readonly (number | null)[],
  isLast: boolean
): UnitKind {
  if (outputShape.length > 2) {
    return 'channel';
  }
  return isLast ? 'logit' : 'neuron';
}

/** How many units a layer has: its output's last dimension. */
export function unitCount(outputShape: readonly (number | null)[]): number {
  return outputShape[outputShape.length - 1] ?? 0;
}

/** The Optimization a Python call with `steps=` and `size=` builds. */
function optimization(
  options: ICardOptions
): GradientAscentSpec['optimization'] {
  return {
    seed: SPEC_DEFAULTS.Optimization.seed,
    ...(options.steps !== null ? { steps: options.steps } : {}),
    ...(options.size !== null ? { size: [options.size, options.size] } : {})
  };
}

function ascentObjective(unit: IExplorerUnit): GradientAscentSpec['objective'] {
  switch (unit.kind) {
    case 'channel':
      return { type: 'channel', layer: unit.layer, channel: unit.unit };
    case 'neuron':
      return { type: 'neuron', layer: unit.layer, channel: unit.unit };
    case 'logit':
      return { type: 'logit', index: unit.unit, layer: unit.layer };
  }
}

function examplesTarget(unit: IExplorerUnit): UnitTarget {
  switch (unit.kind) {
    case 'channel':
      return {
        type: 'channel',
        layer: unit.layer,
        channel: unit.unit,
        reduce: SPEC_DEFAULTS.ChannelTarget.reduce
      };
    case 'neuron':
      return { type: 'neuron', layer: unit.layer, channel: unit.unit };
    case 'logit':
      return { type: 'logit', index: unit.unit, layer: unit.layer };
  }
}

/** The spec's title: the unit's id, so that every output names its unit. */
function titled(unit: IExplorerUnit): { title: string } {
  return { title: unitId(unit) };
}

/** Every lens of the card on `unit`. */
export function cardSpecs(
  unit: IExplorerUnit,
  options: ICardOptions
): ICardSpecs {
  return {
    ascent: {
      view: 'gradient-ascent',
      model: unit.model,
      objective: ascentObjective(unit),
      optimization: optimization(options),
      ...titled(unit),
      version: VERSION
    },
    examples: {
      view: 'top-examples',
      model: unit.model,
      target: examplesTarget(unit),
      data: options.data,
      k: SPEC_DEFAULTS.TopExamplesSpec.k,
      bottom: true,
      patches: unit.kind === 'channel',
      histogram: true,
      ...titled(unit),
      version: VERSION
    },
    pca: {
      view: 'pca',
      model: unit.model,
      layer: unit.layer,
      data: options.data,
      components: SPEC_DEFAULTS.PcaSpec.components,
      seed: SPEC_DEFAULTS.PcaSpec.seed,
      // Where the unit sits in its layer: the examples coloured by it.
      colorBy: examplesTarget(unit),
      ...titled(unit),
      version: VERSION
    }
  };
}

/** The layer atlas of some channels, as `fv.layer_atlas` builds it. */
export function atlasSpec(
  model: ModelRef,
  layer: string,
  channels: readonly [number, ...number[]],
  options: ICardOptions
): LayerAtlasSpec {
  return {
    view: 'layer-atlas',
    model,
    layer,
    channels: [...channels],
    optimization: optimization(options),
    version: VERSION
  };
}
