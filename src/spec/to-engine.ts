/**
 * A validated spec as an engine job (spec → engine, DESIGN.md §2). The host
 * resolves the model reference to a URL first; this maps the rest.
 */
import type { IOptimizationConfig } from '../engine/optvis/ascent';
import type { IModelRequest, JobRequest } from '../engine/runtime/protocol';
import type {
  GradientAscentSpec,
  LayerAtlasSpec,
  Optimization
} from './types.generated';

export function toOptimization(
  optimization: Optimization | undefined
): IOptimizationConfig {
  const o = optimization ?? {};
  return {
    param: o.param,
    decorrelate: o.decorrelate,
    size: o.size ? [o.size[0], o.size[1]] : undefined,
    batch: o.batch,
    transforms: o.transforms,
    optimizer: o.optimizer
      ? { type: o.optimizer.type, lr: o.optimizer.lr }
      : undefined,
    steps: o.steps,
    seed: o.seed,
    frameEvery: o.frameEvery
  };
}

export function toJobRequest(
  spec: GradientAscentSpec | LayerAtlasSpec,
  model: IModelRequest
): JobRequest {
  if (spec.view === 'gradient-ascent') {
    return {
      kind: 'gradient-ascent',
      model,
      objective: spec.objective,
      optimization: toOptimization(spec.optimization)
    };
  }
  return {
    kind: 'layer-atlas',
    model,
    layer: spec.layer,
    channels: spec.channels,
    optimization: toOptimization(spec.optimization)
  };
}
