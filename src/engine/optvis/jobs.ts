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
import {
  type IOptimizationConfig,
  atlasChannels,
  runGradientAscent,
  runLayerAtlas
} from './ascent';
import { planRun } from './recipe';
import type { IFrame } from './render';

/** The kind-specific part of a gradient-ascent or atlas job's summary. */
export interface IAscentSummary {
  readonly steps: number;
  readonly seed: number;
  /** The objective at the last step (NaN before the first step). */
  readonly value: number;
  /** Each image's share of the objective at the last step. */
  readonly perImage: readonly number[];
  /** Milliseconds to the first step's frame (shader compilation, warm-up). */
  readonly firstFrameMs: number;
}

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

/** Sends each frame with its progress and ETA; summarizes the last one. */
async function streamFrames(
  frames: AsyncGenerator<IFrame, IFrame, undefined>,
  config: IOptimizationConfig,
  context: IJobContext
): Promise<IAscentSummary> {
  const seed = config.seed ?? SPEC_DEFAULTS.Optimization.seed;
  // The recipe decides the steps from the model: frames say how many.
  let steps = config.steps ?? 0;
  const started = performance.now();
  let firstFrameMs = 0;
  // Read before a frame is sent: sending transfers its buffers away.
  let value = NaN;
  let perImage: number[] = [];
  for await (const frame of frames) {
    const now = performance.now();
    if (frame.step === 1 || (firstFrameMs === 0 && frame.step > 0)) {
      firstFrameMs = now - started;
    }
    // ETA from the steady-state pace, not the warm-up.
    const steady =
      frame.step > 1 ? (now - started - firstFrameMs) / (frame.step - 1) : null;
    steps = frame.steps;
    value = frame.value;
    perImage = Array.from(frame.perImage);
    context.emit({
      type: 'frame',
      frame,
      progress: frame.step / steps,
      etaMs: steady === null ? null : steady * (steps - frame.step)
    });
  }
  return { steps, seed, value, perImage, firstFrameMs };
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
