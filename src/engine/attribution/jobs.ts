/**
 * The attribution jobs as the job table runs them (docs/architecture.md,
 * "Jobs"): saliency of one input and a layer's filters (the occlusion job is
 * in occlusion-job.ts, re-exported here for the job table). Each
 * sends `running`, then `progress` after each batch (positions, noisy
 * copies, path steps), checks Cancel between batches, and returns its
 * summary and result. Defaults are the schema's (SPEC_DEFAULTS).
 */
import type * as tf from '@tensorflow/tfjs';
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
import type { IInputImage } from './input';
import { prepare, progressHooks } from './prepare';
import { pooledSamples } from './sample-shares';
import type { AttributionMethod, ISaliencyMap } from './types';
import { type IUnit, resolvedTarget } from './unit';

export { runOcclusionJob } from './occlusion-job';

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
