/**
 * A validated spec as an engine job (spec → engine, docs/architecture.md,
 * "Layers"). The host resolves the model reference to a URL first. The
 * engine takes the spec's objective and optimization types as they are.
 */
import type { DataRequest } from '../engine/dataset/store';
import type {
  IModelRequest,
  JobRequest,
  JobRequestOf
} from '../engine/runtime/protocol';
import type {
  GradientAscentSpec,
  LayerAtlasSpec,
  TopExamplesSpec
} from './types.generated';

export function toJobRequest(
  spec: GradientAscentSpec | LayerAtlasSpec,
  model: IModelRequest
): JobRequest {
  if (spec.view === 'gradient-ascent') {
    return {
      kind: 'gradient-ascent',
      model,
      objective: spec.objective,
      optimization: spec.optimization
    };
  }
  return {
    kind: 'layer-atlas',
    model,
    layer: spec.layer,
    channels: spec.channels,
    reduce: spec.reduce,
    optimization: spec.optimization
  };
}

/** A top-examples spec as its job, with the model and data resolved. */
export function toTopExamplesRequest(
  spec: TopExamplesSpec,
  model: IModelRequest,
  data: DataRequest
): JobRequestOf<'top-examples'> {
  return {
    kind: 'top-examples',
    model,
    target: spec.target,
    data,
    k: spec.k,
    bottom: spec.bottom,
    patches: spec.patches,
    ...(spec.histogram ? { histogram: true } : {})
  };
}
