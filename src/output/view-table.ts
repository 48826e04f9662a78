/**
 * Which view shows which spec, and which engine job computes it: one entry
 * per spec `view` (docs/architecture.md, "How to add a view"). A spec whose
 * view has no entry is shown as "not available in this version". The output
 * resolves what a spec refers to (its model, its data) into `IJobInputs`
 * before asking an entry for its job.
 */
import type { ExampleRequest } from '../engine/attribution/types';
import type { IModelRequest, JobRequest } from '../engine/runtime/protocol';
import type { DataRef, FeatureVizSpec } from '../spec';
import { batchLabels } from '../spec/describe';
import { toJobRequest } from '../spec/to-engine';
import { mountAtlas } from '../views/atlas';
import { mountAttribution } from '../views/attribution';
import { mountFilters } from '../views/filters';
import { mountPlayer } from '../views/player';
import type { IMountOptions, IView, IViewProps } from '../views/view';

type ViewName = FeatureVizSpec['view'];
type SpecOf<K extends ViewName> = Extract<FeatureVizSpec, { view: K }>;

/** What a spec's references resolved to: what a job may load. */
export interface IJobInputs {
  readonly model: IModelRequest;
  /** The one input a lens explains, for entries that name one (`example`). */
  readonly example?: ExampleRequest;
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
  /** The data reference of the one input the job explains (resolved first). */
  example?(spec: S): DataRef;
}

/** The resolved input of a lens on one input (the output resolves it first). */
function exampleOf(inputs: IJobInputs): ExampleRequest {
  if (!inputs.example) {
    throw new Error('The output did not resolve the input of this lens.');
  }
  return inputs.example;
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
  occlusion: {
    mount: (host, _spec, props, options) =>
      mountAttribution(host, { ...props, kind: 'occlusion' }, options),
    example: spec => spec.data,
    job: (spec, inputs) => ({
      kind: 'occlusion',
      model: inputs.model,
      input: exampleOf(inputs),
      target: spec.target,
      size: spec.size,
      stride: spec.stride,
      fill: spec.fill
    })
  },
  saliency: {
    mount: (host, _spec, props, options) =>
      mountAttribution(host, { ...props, kind: 'saliency' }, options),
    example: spec => spec.data,
    job: (spec, inputs) => ({
      kind: 'saliency',
      model: inputs.model,
      input: exampleOf(inputs),
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
  }
};

/** A spec with its entry: what the output mounts and runs. */
export interface ISpecView {
  readonly spec: FeatureVizSpec;
  mount(host: HTMLElement, props: IViewProps, options?: IMountOptions): IView;
  job(inputs: IJobInputs): JobRequest;
  /** The data reference of the input the job explains, if it explains one. */
  readonly example: DataRef | null;
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
        job: inputs => entry.job(spec, inputs),
        example: entry.example?.(spec) ?? null
      }
    : null;
}
