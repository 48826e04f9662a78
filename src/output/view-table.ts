/**
 * Which view shows which spec, and which engine job computes it: one entry
 * per spec `view` (docs/architecture.md, "How to add a view"). A spec whose
 * view has no entry is shown as "not available in this version". The output
 * resolves what a spec refers to (its model, its data) into `IJobInputs`
 * before asking an entry for its job.
 */
import type { ExampleRequest } from '../engine/attribution/types';
import type { DataRequest } from '../engine/dataset/store';
import { FeatureVizError } from '../engine/errors';
import type { IModelRequest, JobRequest } from '../engine/runtime/protocol';
import { SPEC_DEFAULTS } from '../spec/defaults.generated';
import type { FeatureVizSpec } from '../spec';
import { batchLabels, describeUnit } from '../spec/describe';
import { toJobRequest, toTopExamplesRequest } from '../spec/to-engine';
import { mountAtlas } from '../views/atlas';
import { mountAttribution } from '../views/attribution';
import { mountFilters } from '../views/filters';
import { mountPlayer } from '../views/player';
import { mountPca } from '../views/scatter/scatter';
import { mountTopExamples } from '../views/top-examples';
import type { IMountOptions, IView, IViewProps } from '../views/view';

type ViewName = FeatureVizSpec['view'];
type SpecOf<K extends ViewName> = Extract<FeatureVizSpec, { view: K }>;

/** What a spec's references resolved to: what a job may load. */
export interface IJobInputs {
  readonly model: IModelRequest;
  /** The spec's `data`, for specs that have one. */
  readonly data?: DataRequest;
}

/** How one kind of spec is shown and computed. */
export interface IViewEntry<S extends FeatureVizSpec> {
  /** Mounts the view of `spec`, with the props every view gets. */
  mount(
    host: HTMLElement,
    spec: S,
    props: IViewProps,
    options?: IMountOptions
  ): IView;
  /** The engine job that computes `spec` from its resolved references. */
  job(spec: S, inputs: IJobInputs): JobRequest;
}

/** The spec's data, resolved by the output before the job is asked for. */
function resolvedData(inputs: IJobInputs): DataRequest {
  if (!inputs.data) {
    throw new FeatureVizError('The data of this output was not resolved.');
  }
  return inputs.data;
}

/** The one input a lens explains: example `data.index` (0 when omitted). */
function exampleOf(
  spec: { readonly data: { readonly index?: number } },
  inputs: IJobInputs
): ExampleRequest {
  return {
    source: 'data',
    data: resolvedData(inputs),
    index: spec.data.index ?? 0
  };
}

export const VIEWS: {
  readonly [K in ViewName]?: IViewEntry<SpecOf<K>>;
} = {
  'gradient-ascent': {
    mount: (host, spec, props, options) =>
      mountPlayer(
        host,
        { ...props, labels: batchLabels(spec.objective) },
        options
      ),
    job: (spec, { model }) => toJobRequest(spec, model)
  },
  'layer-atlas': {
    mount: (host, spec, props, options) =>
      mountAtlas(
        host,
        { ...props, layer: spec.layer, channels: spec.channels },
        options
      ),
    job: (spec, { model }) => toJobRequest(spec, model)
  },
  'top-examples': {
    mount: (host, spec, props, options) =>
      mountTopExamples(
        host,
        {
          ...props,
          unit: describeUnit(spec.target),
          patches: spec.patches ?? SPEC_DEFAULTS.TopExamplesSpec.patches
        },
        options
      ),
    job: (spec, inputs) =>
      toTopExamplesRequest(spec, inputs.model, resolvedData(inputs))
  },
  occlusion: {
    mount: (host, _spec, props, options) =>
      mountAttribution(host, { ...props, kind: 'occlusion' }, options),
    job: (spec, inputs) => ({
      kind: 'occlusion',
      model: inputs.model,
      input: exampleOf(spec, inputs),
      target: spec.target,
      size: spec.size,
      stride: spec.stride,
      fill: spec.fill
    })
  },
  saliency: {
    mount: (host, _spec, props, options) =>
      mountAttribution(host, { ...props, kind: 'saliency' }, options),
    job: (spec, inputs) => ({
      kind: 'saliency',
      model: inputs.model,
      input: exampleOf(spec, inputs),
      target: spec.target,
      methods: spec.methods,
      noise: spec.noise,
      samples: spec.samples,
      seed: spec.seed,
      steps: spec.steps,
      baseline: spec.baseline,
      camLayer: spec.camLayer
    })
  },
  filters: {
    mount: (host, spec, props, options) =>
      mountFilters(host, { ...props, layer: spec.layer }, options),
    job: (spec, { model }) => ({ kind: 'filters', model, layer: spec.layer })
  },
  pca: {
    mount: (host, spec, props, options) =>
      mountPca(host, { ...props, layer: spec.layer }, options),
    job: (spec, inputs) => ({
      kind: 'pca',
      model: inputs.model,
      layer: spec.layer,
      data: resolvedData(inputs),
      components: spec.components,
      seed: spec.seed,
      ...(spec.colorBy ? { colorBy: spec.colorBy } : {})
    })
  }
};

/** A spec with its entry: what the output mounts and runs. */
export interface ISpecView {
  readonly spec: FeatureVizSpec;
  mount(host: HTMLElement, props: IViewProps, options?: IMountOptions): IView;
  job(inputs: IJobInputs): JobRequest;
}

/** The view of a spec, or null when this version has none for it. */
export function viewFor(spec: FeatureVizSpec): ISpecView | null {
  // The entry is picked by spec.view, so it takes this very kind of spec.
  const entry = VIEWS[spec.view] as IViewEntry<FeatureVizSpec> | undefined;
  return entry
    ? {
        spec,
        mount: (host, props, options) =>
          entry.mount(host, spec, props, options),
        job: inputs => entry.job(spec, inputs)
      }
    : null;
}
