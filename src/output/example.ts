/**
 * The one input a lens explains (occlusion, saliency), resolved from the
 * spec's data reference into what the engine job takes
 * (docs/architecture.md, "Attribution"): a bundled dataset's manifest URL,
 * split and index (the engine loads the digits once), or an array the kernel
 * holds, fetched over the featureviz comm and sent with the job (one image:
 * a few kilobytes). Files on the server are not an input of these lenses
 * yet: the message says so.
 */
import type { ExampleRequest } from '../engine/attribution/types';
import { FeatureVizError } from '../engine/errors';
import type { IKernelBridge } from '../kernel/bridge';
import type { INamedArray } from '../kernel/wire';
import type { DataRef } from '../spec';

export interface IExampleContext {
  /** The URL of one of the extension's static assets. */
  readonly assetUrl: (path: string) => string;
  /** The bridge to the kernel of the output's notebook, if any. */
  readonly kernel: () => IKernelBridge | null;
  readonly signal?: AbortSignal;
}

/** The example `index` of arrays a kernel sent: images and maybe labels. */
export function exampleOfArrays(
  arrays: readonly INamedArray[],
  index: number
): ExampleRequest {
  const images = arrays.find(a => a.name === 'images');
  if (!images || (images.shape.length !== 3 && images.shape.length !== 4)) {
    throw new FeatureVizError(
      'The kernel sent no images of shape N×H×W or N×H×W×C for this output.'
    );
  }
  if (images.data instanceof Int32Array) {
    throw new FeatureVizError(
      'The kernel sent int32 images; send uint8 pixels (0–255) or float32 values.'
    );
  }
  const [count, height, width, channels = 1] = images.shape;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new FeatureVizError(
      `Example ${index} is out of range: the kernel sent ${count} image${count === 1 ? '' : 's'}.`
    );
  }
  const size = height * width * channels;
  const labels = arrays.find(a => a.name === 'labels');
  return {
    source: 'array',
    name: count === 1 ? 'kernel array' : `kernel array #${index}`,
    shape: [height, width, channels],
    pixels: images.data.slice(index * size, (index + 1) * size),
    label: labels && labels.data.length === count ? labels.data[index] : null
  };
}

export async function resolveExample(
  data: DataRef,
  context: IExampleContext
): Promise<ExampleRequest> {
  const index = data.index ?? 0;
  if ('builtin' in data) {
    return {
      source: 'dataset',
      url: context.assetUrl(`datasets/${data.builtin}/${data.builtin}.json`),
      // No split: the whole dataset.
      split: data.split ?? 'all',
      index
    };
  }
  if ('path' in data) {
    throw new FeatureVizError(
      'Occlusion and saliency take an example of a bundled dataset or an array from the kernel; files on the server are not supported as their input yet.'
    );
  }
  const bridge = context.kernel();
  if (!bridge) {
    throw new FeatureVizError(
      "This output's input is an array in its notebook's kernel, and no kernel is connected: run the cell again."
    );
  }
  const arrays = await bridge.fetchArrays(data.comm, context.signal);
  return exampleOfArrays(arrays, index);
}
