/**
 * What a model is made of: its layers with their types, output shapes and
 * parameter counts, for the sidebar's layer browser and for error messages.
 */
import type { LoadedModel } from './load';

export interface ILayerInfo {
  readonly name: string;
  readonly className: string;
  readonly outputShape: readonly (number | null)[];
  readonly params: number;
  readonly inputs: readonly string[];
}

export function describeLayers(loaded: LoadedModel): ILayerInfo[] {
  if (loaded.format === 'graph') {
    return loaded.nodes
      .filter(node => node.op !== 'Const' && node.op !== 'Placeholder')
      .map(node => ({
        name: node.name,
        className: node.op,
        outputShape: [],
        params: 0,
        inputs: (node.input ?? []).map(i => i.replace(/^\^/, '').split(':')[0])
      }));
  }
  return loaded.model.layers.map(layer => {
    const shape = layer.outputShape;
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: (Array.isArray(shape[0]) ? shape[0] : shape) as (
        number | null
      )[],
      params: layer.countParams(),
      inputs: (layer.inboundNodes[0]?.inboundLayers ?? []).map(l => l.name)
    };
  });
}
