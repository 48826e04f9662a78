/**
 * A model converted in the kernel (docs/architecture.md, "The kernel
 * bridge"): its size is checked against the "Largest model" setting before
 * anything is sent, then its model.json and weights are fetched over the
 * comm once per page (by content key, through the same cache as kernel
 * arrays) into the engine, which loads it from there like any model.
 */
import { FeatureVizError, ModelTooLargeError } from '../engine/errors';
import {
  kernelModelFolder,
  kernelModelUrl
} from '../engine/model/kernel-models';
import type { IModelRequest } from '../engine/runtime/protocol';
import type { ISettingValues } from '../tokens';
import type { KernelModelRef } from '../spec';

/** What resolving a kernel's model needs of an output's context. */
export interface IKernelModelContext {
  readonly settings: ISettingValues;
  /** Makes sure the engine holds the kernel's arrays under a key (resolve-data.ts). */
  readonly kernelArrays?:
    ((key: string, signal?: AbortSignal) => Promise<void>) | null;
  readonly signal?: AbortSignal;
}

export async function resolveKernelModel(
  ref: KernelModelRef,
  context: IKernelModelContext
): Promise<IModelRequest> {
  const maxWeightBytes = context.settings.maxWeightsMB * 1e6;
  const name = `The kernel's model${ref.name ? ` ${ref.name}` : ''}`;
  if (ref.weightBytes > maxWeightBytes) {
    throw new ModelTooLargeError(name, ref.weightBytes, maxWeightBytes);
  }
  if (!context.kernelArrays) {
    throw new FeatureVizError(
      `${name} lives in a kernel, but this output is not in a notebook with a running kernel: open the notebook and run the cell.`
    );
  }
  await context.kernelArrays(ref.kernel, context.signal);
  return {
    url: kernelModelUrl(ref.kernel),
    format: 'layers',
    maxWeightBytes,
    allowedPrefixes: [kernelModelFolder(ref.kernel)]
  };
}
