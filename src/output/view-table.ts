/**
 * Which view shows which spec, and which engine job computes it: one entry
 * per spec `view` (docs/architecture.md, "How to add a view"). A spec whose
 * view has no entry is shown as "not available in this version". The output
 * resolves what a spec refers to (its model, its data) into `IJobInputs`
 * before asking an entry for its job.
 */
import type { DataRequest } from '../engine/dataset/store';
import { FeatureVizError } from '../engine/errors';
import type { IModelRequest, JobRequest } from '../engine/runtime/protocol';
import { SPEC_DEFAULTS } from '../spec/defaults.generated';
import type { FeatureVizSpec } from '../spec';
import { batchLabels, describeUnit } from '../spec/describe';
import { toJobRequest, toTopExamplesRequest } from '../spec/to-engine';
import { mountAtlas } from '../views/atlas';
import { mountPlayer } from '../views/player';
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
    job: (spec, { model, data }) => {
      if (!data) {
        throw new FeatureVizError('The data of this output was not resolved.');
      }
      return toTopExamplesRequest(spec, model, data);
    }
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
