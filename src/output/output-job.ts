/**
 * An output's job request, put together from the page: its spec's inputs
 * resolved through the renderer's context (inputs.ts), and the caps the
 * settings hold every job to.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { IJobLimits, JobRequest } from '../engine/runtime/protocol';
import type { FeatureVizSpec } from '../spec';
import type { ISettingValues } from '../tokens';
import { resolveInputs } from './inputs';
import type { IRendererContext } from './renderer-context';
import type { IJobInputs } from './view-table';

/**
 * `node`: the output's node, by which the kernel of the notebook that shows
 * it is found (kernel arrays).
 */
export function resolveOutputInputs(
  spec: FeatureVizSpec,
  resolver: IRenderMime.IResolver | null,
  context: IRendererContext,
  settings: ISettingValues,
  node: HTMLElement,
  signal: AbortSignal
): Promise<IJobInputs> {
  const { kernelArrays, files } = context;
  return resolveInputs(spec, {
    resolver,
    assetUrl: context.assetUrl,
    settings,
    origin: window.location.origin,
    filesUrl: context.filesUrl,
    files: files ?? null,
    kernelArrays: kernelArrays
      ? (key, signal) => kernelArrays(node, key, signal)
      : null,
    signal
  });
}

/** `job` held to the settings' memory and time caps. */
export function withLimits(
  job: JobRequest,
  settings: ISettingValues
): JobRequest & { readonly limits: IJobLimits } {
  return {
    ...job,
    limits: {
      maxBytes: settings.maxJobMemoryMB * 1e6,
      maxMs: settings.maxJobMinutes * 60000
    }
  };
}
