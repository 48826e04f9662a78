/**
 * Which view shows which spec, and which engine job computes it: one entry
 * per spec `view` (docs/architecture.md, "How to add a view"). A spec whose
 * view has no entry is shown as "not available in this version". The output
 * resolves what a spec refers to (its model, its data) into `IJobInputs`
 * before asking an entry for its job.
 */
import type { IModelRequest, JobRequest } from '../engine/runtime/protocol';
import type { FeatureVizSpec } from '../spec';
import { batchLabels } from '../spec/describe';
import { toJobRequest } from '../spec/to-engine';
import { mountAtlas } from '../views/atlas';
import { mountPlayer } from '../views/player';
import type { IMountOptions, IView, IViewProps } from '../views/view';

type ViewName = FeatureVizSpec['view'];
type SpecOf<K extends ViewName> = Extract<FeatureVizSpec, { view: K }>;

/** What a spec's references resolved to: what a job may load. */
export interface IJobInputs {
  readonly model: IModelRequest;
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
