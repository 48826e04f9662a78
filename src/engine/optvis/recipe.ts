/**
 * Recipes (docs/architecture.md, "Recipes"): the one place where a run's
 * settings are resolved. The spec's optimization names a preset (the
 * schema's Presets, as data) and may override any of its fields; what the
 * preset leaves to "auto" is decided here from the model: the preset by
 * input size and colour, a channel's reduction by its receptive field, the
 * zoom on that field, the transforms and the start image.
 */
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import type {
  InitImage,
  Optimization,
  PresetName,
  Reduce,
  Regularizers,
  Transform,
  TransformPreset
} from '../../spec/types.generated';
import { FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';
import { type IBox, boxSize } from '../model/receptive-field';
import { centre, type IFocus } from './objective';
import type { OptimizerConfig } from './render';
import type { ChannelReduce } from './units';

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

export type PresetKey = Exclude<PresetName, 'auto'>;

/** The grey level a unit shown on its receptive field starts from. */
export const DARK_START = 0.05;

/** A preset whose images are at least this large (and colour) is Lucid's. */
const LUCID_MIN_SIDE = 64;

/** The preset `requested` names; 'auto' by the image's size and colour. */
export function choosePreset(
  requested: PresetName | undefined,
  height: number,
  width: number,
  channels: number
): PresetKey {
  const name = requested ?? SPEC_DEFAULTS.Optimization.preset;
  if (name !== 'auto') {
    return name;
  }
  return Math.min(height, width) >= LUCID_MIN_SIDE && channels === 3
    ? 'lucid'
    : 'small';
}

/** Lucid's standard transforms need room; small images get the small preset. */
export function defaultTransforms(
  height: number,
  width: number
): 'standard' | 'small' {
  return Math.min(height, width) >= LUCID_MIN_SIDE ? 'standard' : 'small';
}

/** The image's [height, width]: the configured size or the model's input's. */
export function imageSize(
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

/** What is decided before the objective is compiled. */
export interface IPlan {
  readonly preset: PresetKey;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Whether images are the model's own size (receptive fields are in its pixels). */
  readonly modelSized: boolean;
  /** How a channel of `layer` asked to reduce as `requested` is reduced. */
  reduceFor(layer: string, requested: Reduce): ChannelReduce;
}

/**
 * The receptive field of the unit at (row, col) of a layer (its centre when
 * omitted); null when unknown or the layer is not spatial.
 */
export function unitField(
  executor: IExecutor,
  layer: string,
  row?: number,
  col?: number
): IBox | null {
  const shape = executor.outputShape(layer);
  if (shape.length !== 4) {
    return null;
  }
  return executor.receptiveField(
    layer,
    row ?? centre(shape[1]),
    col ?? centre(shape[2])
  );
}

/** A box small enough to zoom on: at most half the image's shorter side. */
function small(box: IBox | null, height: number, width: number): boolean {
  return (
    box !== null && Math.max(...boxSize(box)) <= Math.min(height, width) / 2
  );
}

export function planRun(
  executor: IExecutor,
  config: IOptimizationConfig
): IPlan {
  const [height, width] = imageSize(executor, config);
  const [, modelH, modelW, channels] = executor.inputShape;
  const preset = choosePreset(config.preset, height, width, channels);
  const modelSized =
    (modelH === null || modelH === height) &&
    (modelW === null || modelW === width);
  return {
    preset,
    height,
    width,
    channels,
    modelSized,
    reduceFor: (layer, requested) => {
      const reduce =
        requested === 'auto' ? SPEC_DEFAULTS.Presets[preset].reduce : requested;
      // An unknown layer is reported, with the known ones, when the run checks it.
      if (reduce !== 'auto' || !executor.layerNames.includes(layer)) {
        return reduce === 'centre' ? 'centre' : 'mean';
      }
      return modelSized && small(unitField(executor, layer), height, width)
        ? 'centre'
        : 'mean';
    }
  };
}

/** Everything a run needs, resolved. */
export interface IRecipe {
  readonly preset: PresetKey;
  readonly param: 'pixel' | 'fourier';
  readonly decorrelate: boolean;
  readonly transforms: TransformPreset | readonly Transform[];
  /** Never 'auto'. */
  readonly init: Exclude<InitImage, 'auto'>;
  readonly regularizers: Regularizers;
  readonly optimizer: OptimizerConfig;
  readonly steps: number;
  readonly batch: number;
  readonly seed: number;
  /** The receptive field the frames are zoomed on; null: the whole image. */
  readonly crop: IBox | null;
}

/**
 * The box to zoom on: the receptive fields of the units an objective reads
 * at one position, when it reads nothing over all positions and the box is
 * at most half the image's side.
 */
export function cropFor(
  focus: IFocus,
  executor: IExecutor,
  plan: IPlan,
  crop: Optimization['crop']
): IBox | null {
  if (
    (crop ?? SPEC_DEFAULTS.Optimization.crop) === 'none' ||
    !plan.modelSized ||
    focus.everywhere ||
    focus.sites.length === 0
  ) {
    return null;
  }
  const boxes = focus.sites.map(site =>
    unitField(executor, site.ref.layer, site.row, site.col)
  );
  if (boxes.some(b => b === null)) {
    return null;
  }
  const known = boxes as IBox[];
  const union: IBox = {
    top: Math.min(...known.map(b => b.top)),
    left: Math.min(...known.map(b => b.left)),
    bottom: Math.max(...known.map(b => b.bottom)),
    right: Math.max(...known.map(b => b.right))
  };
  return small(union, plan.height, plan.width) ? union : null;
}

/**
 * The preset's values with the configuration's overrides, and what the
 * preset leaves to "auto": transforms (none on a zoomed unit: they would move
 * what it sees), the start image (dark for a zoomed unit; the training data's
 * mean, or a centred blob without one, for the small preset).
 */
export function resolveRecipe(
  plan: IPlan,
  focus: IFocus,
  executor: IExecutor,
  config: IOptimizationConfig,
  hasDatasetMean: boolean
): IRecipe {
  const preset = SPEC_DEFAULTS.Presets[plan.preset];
  const crop = cropFor(focus, executor, plan, config.crop);
  const transforms =
    config.transforms ??
    (crop
      ? 'none'
      : preset.transforms === 'auto'
        ? defaultTransforms(plan.height, plan.width)
        : preset.transforms);
  const wanted =
    config.init && config.init !== 'auto' ? config.init : preset.init;
  const init: Exclude<InitImage, 'auto'> =
    wanted !== 'auto'
      ? wanted
      : crop
        ? { color: [DARK_START] }
        : hasDatasetMean
          ? 'dataset-mean'
          : 'blob';
  return {
    preset: plan.preset,
    param: config.param ?? preset.param,
    decorrelate: config.decorrelate ?? preset.decorrelate,
    transforms,
    init,
    regularizers: config.regularizers ?? preset.regularizers,
    optimizer: {
      type: config.optimizer?.type ?? preset.optimizer.type,
      lr: config.optimizer?.lr ?? preset.optimizer.lr
    },
    steps: config.steps ?? preset.steps,
    batch: config.batch ?? SPEC_DEFAULTS.Optimization.batch,
    seed: config.seed ?? SPEC_DEFAULTS.Optimization.seed,
    crop
  };
}

function describeInit(init: IRecipe['init']): string {
  if (typeof init === 'string') {
    return init === 'dataset-mean' ? 'the dataset mean' : init;
  }
  if ('color' in init) {
    return init.color.every(v => v <= DARK_START) ? 'dark' : 'a flat colour';
  }
  return 'an image';
}

const REGULARIZER_NAMES: Record<keyof Regularizers, string> = {
  l1: 'L1',
  l2: 'L2',
  totalVariation: 'total variation',
  blur: 'blur'
};

/**
 * One line saying what the run does that the spec did not spell out: the
 * preset, the unit read, the zoom, the start, the penalties.
 */
export function describeRecipe(recipe: IRecipe, focus: IFocus): string {
  const parts = [`${recipe.preset} preset, ${recipe.steps} steps`];
  const site = focus.sites[0];
  if (recipe.crop && site) {
    const [h, w] = boxSize(recipe.crop);
    const unit =
      site.row === undefined && site.col === undefined
        ? 'centre neuron'
        : 'neuron';
    parts.push(
      `${unit}${site.ref.pre ? ' before its ReLU' : ''}, zoomed on its ${h}×${w} receptive field (rows ${recipe.crop.top}–${recipe.crop.bottom}, columns ${recipe.crop.left}–${recipe.crop.right})`
    );
  }
  parts.push(`start: ${describeInit(recipe.init)}`);
  const penalties = (
    Object.entries(recipe.regularizers) as [keyof Regularizers, number][]
  )
    .filter(([, weight]) => weight > 0)
    .map(([name, weight]) => `${REGULARIZER_NAMES[name]} ${weight}`);
  if (penalties.length > 0) {
    parts.push(`${penalties.join(', ')} (relative to the objective)`);
  }
  return parts.join(' · ');
}
