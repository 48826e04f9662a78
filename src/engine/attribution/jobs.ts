/**
 * The attribution jobs as the job table runs them (docs/architecture.md,
 * "Jobs"): occlusion and saliency of one input, and a layer's filters. Each
 * sends `running`, then `progress` after each batch (positions, noisy
 * copies, path steps), checks Cancel between batches, and returns its
 * summary and result. Defaults are the schema's (SPEC_DEFAULTS).
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';
import type { IJobContext, IJobOutcome } from '../runtime/jobs';
import { ProgressClock } from '../runtime/progress';
import type { JobRequestOf } from '../runtime/protocol';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import { type IMethodHooks, checkpoint } from './batching';
import { convolutionLayers, readFilters } from './filters';
import { gradCam, spatialLayers } from './grad-cam';
import {
  gradient,
  integratedGradients,
  modifiedGradient,
  seededNormals,
  smoothGrad
} from './gradients';
import { type IInputImage, loadInput } from './input';
import { occlude, occlusionGrid } from './occlusion';
import { pooledOcclusion } from './occlusion-shares';
import { pooledSamples } from './sample-shares';
import type {
  AttributionMethod,
  IOcclusionSummary,
  ISaliencyMap,
  IUnitSummary
} from './types';
import {
  type IUnit,
  predictedClasses,
  resolveUnit,
  resolvedTarget
} from './unit';

/** The input as a tensor, the unit and what the summary says of both. */
interface IPrepared {
  readonly x: tf.Tensor4D;
  readonly image: IInputImage;
  readonly unit: IUnit;
  readonly about: IUnitSummary;
}

async function prepare(
  request: JobRequestOf<'occlusion' | 'saliency'>,
  context: IJobContext
): Promise<IPrepared> {
  const { executor, loaded } = context.model;
  const { tensor, image } = await loadInput(
    request.input,
    executor,
    loaded.metadata.inputRange,
    (data, shape) => context.datasets.load(data, shape, context.signal)
  );
  try {
    const unit = await resolveUnit(executor, request.target, tensor);
    const [predicted] = await predictedClasses(executor, tensor);
    const value = tf.tidy(() =>
      unit.value(executor.forward(tensor, [unit.ref])[0])
    );
    const [base] = await value.data();
    value.dispose();
    return {
      x: tensor,
      image,
      unit,
      about: {
        example: image.name,
        unit: unit.description,
        value: base,
        label: image.label,
        predicted
      }
    };
  } catch (reason) {
    tensor.dispose();
    throw reason;
  }
}

/**
 * A method's hooks that report its items from `offset` on, as `progress`
 * events of a job of `clock.total` items.
 */
function progressHooks(
  context: IJobContext,
  clock: ProgressClock,
  offset = 0
): IMethodHooks {
  return {
    signal: context.signal,
    onProgress: done => context.emit(clock.tick(offset + done))
  };
}

export async function runOcclusionJob(
  request: JobRequestOf<'occlusion'>,
  context: IJobContext
): Promise<IJobOutcome<'occlusion'>> {
  context.emit({ type: 'running', backend: context.backend });
  const defaults = SPEC_DEFAULTS.OcclusionSpec;
  const size = request.size ?? defaults.size;
  const options = {
    size,
    stride: request.stride ?? size,
    fill: request.fill ?? defaults.fill
  };
  const { x, image, unit, about } = await prepare(request, context);
  try {
    const grid = occlusionGrid(image.height, image.width, options);
    const clock = new ProgressClock(grid.rows * grid.cols, 'positions');
    context.emit(clock.tick(0));
    const predict = unit.logit !== null;
    // The positions split over the engine's pool where it has workers.
    const pass = await pooledOcclusion(context.pool, x, {
      model: request.model,
      target: resolvedTarget(request.target, unit),
      fill: options.fill,
      predict
    });
    const maps = await occlude(
      context.model.executor,
      unit,
      x,
      { ...options, predict },
      progressHooks(context, clock),
      pass
    );
    let largest: IOcclusionSummary['largestDrop'] = null;
    maps.change.forEach((percent, i) => {
      if (Number.isFinite(percent) && (!largest || percent < largest.percent)) {
        largest = {
          percent,
          row: Math.floor(i / grid.cols),
          col: i % grid.cols
        };
      }
    });
    const changed = maps.predicted
      ? maps.predicted.filter(c => c !== about.predicted).length
      : null;
    return {
      summary: {
        ...about,
        ...options,
        rows: grid.rows,
        cols: grid.cols,
        largestDrop: largest,
        changedPrediction: changed
      },
      result: {
        kind: 'occlusion',
        input: image,
        ...about,
        grid,
        fill: options.fill,
        values: maps.values,
        change: maps.change,
        map: maps.map,
        predictions: maps.predicted
      }
    };
  } finally {
    x.dispose();
  }
}

/** The attribution summed over channels: the map drawn. */
function channelSum(
  attribution: Float32Array,
  image: IInputImage
): Float32Array {
  const { height, width, channels } = image;
  if (channels === 1) {
    return attribution;
  }
  const map = new Float32Array(height * width);
  for (let p = 0; p < map.length; p++) {
    for (let c = 0; c < channels; c++) {
      map[p] += attribution[p * channels + c];
    }
  }
  return map;
}

/** Grad-CAM's layer: the one asked for, else the model's last convolution. */
function camLayerOf(
  request: JobRequestOf<'saliency'>,
  context: IJobContext,
  executor: IExecutor
): string {
  if (request.camLayer) {
    return request.camLayer;
  }
  const convolutions = convolutionLayers(context.model.loaded);
  const last =
    convolutions[convolutions.length - 1] ?? spatialLayers(executor).pop();
  if (!last) {
    throw new FeatureVizError(
      'Grad-CAM needs a layer with a spatial output (height × width × channels), and this model has none.'
    );
  }
  return last;
}

/** How much work each method is, in the progress bar's items. */
function workOf(method: AttributionMethod, samples: number, steps: number) {
  return method === 'smoothgrad'
    ? samples
    : method === 'integrated-gradients'
      ? steps
      : 1;
}

export async function runSaliencyJob(
  request: JobRequestOf<'saliency'>,
  context: IJobContext
): Promise<IJobOutcome<'saliency'>> {
  context.emit({ type: 'running', backend: context.backend });
  const defaults = SPEC_DEFAULTS.SaliencySpec;
  const methods = request.methods ?? defaults.methods;
  const samples = request.samples ?? defaults.samples;
  const steps = request.steps ?? defaults.steps;
  const executor = context.model.executor;
  const { x, image, unit, about } = await prepare(request, context);
  try {
    const total = methods.reduce((n, m) => n + workOf(m, samples, steps), 0);
    const clock = new ProgressClock(total, 'gradients');
    context.emit(clock.tick(0));
    let done = 0;
    const maps: ISaliencyMap[] = [];
    for (const method of methods) {
      await checkpoint(context.signal);
      const inputs = { request, context, executor, x, image, unit };
      maps.push(
        await saliencyMap(method, inputs, progressHooks(context, clock, done))
      );
      done += workOf(method, samples, steps);
      context.emit(clock.tick(done));
    }
    return {
      summary: {
        ...about,
        methods: maps.map(m => ({
          method: m.method,
          ...(m.completeness ? { completeness: m.completeness } : {}),
          ...(m.camLayer ? { camLayer: m.camLayer } : {})
        }))
      },
      result: { kind: 'saliency', input: image, ...about, maps }
    };
  } finally {
    x.dispose();
  }
}

interface IMethodInputs {
  readonly request: JobRequestOf<'saliency'>;
  readonly context: IJobContext;
  readonly executor: IExecutor;
  readonly x: tf.Tensor4D;
  readonly image: IInputImage;
  readonly unit: IUnit;
}

async function saliencyMap(
  method: AttributionMethod,
  { request, context, executor, x, image, unit }: IMethodInputs,
  hooks: IMethodHooks
): Promise<ISaliencyMap> {
  const defaults = SPEC_DEFAULTS.SaliencySpec;
  // The samples split over the engine's pool where it has workers.
  const split = () =>
    pooledSamples(context.pool, {
      model: request.model,
      target: resolvedTarget(request.target, unit)
    });
  const signed = (attribution: Float32Array): ISaliencyMap => ({
    method,
    attribution,
    map: channelSum(attribution, image),
    signed: true
  });
  switch (method) {
    case 'gradient':
      return signed(await gradient(executor, unit, x));
    case 'smoothgrad':
      return signed(
        await smoothGrad(
          executor,
          unit,
          x,
          {
            noise: request.noise ?? defaults.noise,
            samples: request.samples ?? defaults.samples,
            normals: seededNormals(request.seed ?? defaults.seed),
            seed: request.seed ?? defaults.seed
          },
          hooks,
          split()
        )
      );
    case 'integrated-gradients': {
      const { attribution, completeness } = await integratedGradients(
        executor,
        unit,
        x,
        {
          steps: request.steps ?? defaults.steps,
          baseline: request.baseline ?? defaults.baseline
        },
        hooks,
        split()
      );
      return { ...signed(attribution), completeness: completeness[0] };
    }
    case 'guided-backprop':
    case 'deconvnet': {
      const loaded = context.model.loaded;
      if (loaded.format !== 'layers') {
        throw new FeatureVizError(
          `${method === 'deconvnet' ? 'Deconvnet' : 'Guided backpropagation'} changes the ReLUs of a Layers model; this is a graph model. Convert it to a Layers model (featureviz.convert), or use another method.`
        );
      }
      const rule = method === 'deconvnet' ? 'deconvnet' : 'guided';
      return signed(await modifiedGradient(loaded.model, rule, unit, x));
    }
    case 'grad-cam': {
      const camLayer = camLayerOf(request, context, executor);
      const maps = await gradCam(executor, unit, x, camLayer);
      return {
        method,
        attribution: maps.map,
        map: maps.map,
        signed: false,
        camLayer,
        low: maps.low,
        lowShape: maps.lowShape
      };
    }
  }
}

export async function runFiltersJob(
  request: JobRequestOf<'filters'>,
  context: IJobContext
): Promise<IJobOutcome<'filters'>> {
  context.emit({ type: 'running', backend: context.backend });
  const filters = await readFilters(context.model.loaded, request.layer);
  return {
    summary: {
      layer: filters.layer,
      kernelShape: [...filters.kernelShape],
      readsInput: filters.readsInput
    },
    result: { kind: 'filters', ...filters }
  };
}
