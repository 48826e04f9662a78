/**
 * The gradient-ascent jobs as the job table runs them (docs/architecture.md,
 * "Jobs"): a single objective, and a layer atlas (one channel per image).
 * Each sends `running`, then its frames with progress and an ETA, and returns
 * the summary of the last frame. Frames are the result: the views keep them.
 */
import { describeLayers } from '../model/inspect';
import {
  type IJobShape,
  layersUpTo,
  objectiveLayers
} from '../runtime/estimate';
import type { IJobContext, IJobOutcome } from '../runtime/jobs';
import type { IModelHandle } from '../runtime/model-cache';
import type { JobRequest, JobRequestOf } from '../runtime/protocol';
import { SPEC_DEFAULTS } from '../../spec/defaults.generated';
import { atlasChannels, runGradientAscent, runLayerAtlas } from './ascent';
import { pooledAtlas } from './atlas-shares';
import { streamFrames } from './frame-stream';
import { planRun } from './recipe';

export type { IAscentSummary } from './frame-stream';

export async function runAscentJob(
  request: JobRequestOf<'gradient-ascent'>,
  context: IJobContext
): Promise<IJobOutcome<'gradient-ascent'>> {
  context.emit({ type: 'running', backend: context.backend });
  const config = request.optimization ?? {};
  const frames = runGradientAscent(
    request.objective,
    config,
    runContext(context)
  );
  return { summary: await streamFrames(frames, config, context), result: null };
}

export async function runAtlasJob(
  request: JobRequestOf<'layer-atlas'>,
  context: IJobContext
): Promise<IJobOutcome<'layer-atlas'>> {
  const config = request.optimization ?? {};
  // The view lays out its grid before the first frame arrives.
  const channels = atlasChannels(
    context.model.executor,
    request.layer,
    request.channels
  );
  context.emit({ type: 'running', backend: context.backend, channels });
  // Its channels split over the engine's pool where it has workers.
  const pooled = pooledAtlas(context.pool, channels);
  if (pooled) {
    return {
      summary: await pooled(request, config, context),
      result: null
    };
  }
  const frames = runLayerAtlas(
    request.layer,
    channels,
    config,
    runContext(context),
    request.reduce
  );
  return { summary: await streamFrames(frames, config, context), result: null };
}

function runContext(context: IJobContext) {
  return {
    executor: context.model.executor,
    inputRange: context.model.loaded.metadata.inputRange,
    datasetMean: context.model.loaded.metadata.datasetMean,
    signal: context.signal
  };
}

/**
 * What the estimate of a gradient-ascent or atlas job needs (its images and
 * the layers it goes through), from the recipe's plan before any tensor is
 * made; an upper bound where the run later zooms on a receptive field. Null
 * for other kinds, and when the image size is not known yet (the run then
 * fails with its own message).
 */
export function ascentJobShape(
  request: JobRequest,
  handle: IModelHandle
): IJobShape | null {
  if (request.kind !== 'gradient-ascent' && request.kind !== 'layer-atlas') {
    return null;
  }
  const { executor } = handle;
  const config = request.optimization ?? {};
  let plan;
  try {
    plan = planRun(executor, config);
  } catch {
    return null; // the run reports what is wrong, with its own message
  }
  const preset = SPEC_DEFAULTS.Presets[plan.preset];
  const read =
    request.kind === 'gradient-ascent'
      ? objectiveLayers(request.objective, executor.logitsLayer.layer)
      : [request.layer];
  const channelsOf = (layer: string): number => {
    const out = executor.outputShape(layer);
    return out[out.length - 1] ?? 1;
  };
  return {
    batch:
      request.kind === 'gradient-ascent'
        ? (config.batch ?? SPEC_DEFAULTS.Optimization.batch)
        : (request.channels?.length ?? channelsOf(request.layer)),
    image: [plan.height, plan.width, plan.channels],
    steps: config.steps ?? preset.steps,
    param: config.param ?? preset.param,
    layers: layersUpTo(describeLayers(handle.loaded), read)
  };
}
