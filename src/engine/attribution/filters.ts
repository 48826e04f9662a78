/**
 * A convolution layer's kernels as images (docs/architecture.md,
 * "Attribution"): the weights of a Conv2D, [kh, kw, in, out], read from a
 * Layers model. The first convolution (reading the model's input) is drawn
 * one image per filter (grey or colour); deeper ones per filter and input
 * channel. The convolutions of a model, in order, are also what Grad-CAM
 * picks its default layer from.
 */
import { FeatureVizError } from '../errors';
import type { LoadedModel } from '../model/load';

/** The classes whose kernels are drawn, and what Grad-CAM defaults to. */
const CONVOLUTIONS = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D']);

/** The convolution layers of a Layers model, in order (none for graphs). */
export function convolutionLayers(loaded: LoadedModel): string[] {
  if (loaded.format !== 'layers') {
    return [];
  }
  return loaded.model.layers
    .filter(layer => CONVOLUTIONS.has(layer.getClassName()))
    .map(layer => layer.name);
}

export interface IFilters {
  readonly layer: string;
  /** [kernel height, kernel width, input channels, filters]. */
  readonly kernelShape: readonly [number, number, number, number];
  /** The kernel in that shape's order. */
  readonly weights: Float32Array;
  /** The largest |weight|: the colour scale's bound. */
  readonly scale: number;
  /** Whether the layer reads the model's input (drawn one image per filter). */
  readonly readsInput: boolean;
}

/** The kernels of `layer` (the first convolution when omitted). */
export async function readFilters(
  loaded: LoadedModel,
  layer?: string
): Promise<IFilters> {
  if (loaded.format !== 'layers') {
    throw new FeatureVizError(
      "Filters are read from a Layers model's weights; this is a graph model. Convert the model to a Layers model (featureviz.convert) to see its filters."
    );
  }
  const model = loaded.model;
  const conv2d = model.layers
    .filter(l => l.getClassName() === 'Conv2D')
    .map(l => l.name);
  const name = layer ?? conv2d[0];
  if (name === undefined) {
    throw new FeatureVizError('This model has no Conv2D layer to draw.');
  }
  const found = model.layers.find(l => l.name === name);
  if (!found || found.getClassName() !== 'Conv2D') {
    const what = found
      ? `"${name}" is a ${found.getClassName()} layer`
      : `The model has no layer "${name}"`;
    throw new FeatureVizError(
      `${what}; filters are drawn for Conv2D layers: ${conv2d.join(', ')}.`
    );
  }
  const kernel = found.getWeights()[0];
  const weights = (await kernel.data()) as Float32Array;
  let scale = 0;
  for (const w of weights) {
    scale = Math.max(scale, Math.abs(w));
  }
  const [kh, kw, inputs, filters] = kernel.shape as [
    number,
    number,
    number,
    number
  ];
  // The layer reads the input when its inbound layer is the model's input.
  const inbound = found.inboundNodes[0]?.inboundLayers ?? [];
  const readsInput =
    inbound.length === 0 ||
    inbound.every(l => l.getClassName() === 'InputLayer');
  return {
    layer: name,
    kernelShape: [kh, kw, inputs, filters],
    weights: Float32Array.from(weights),
    scale,
    readsInput
  };
}
