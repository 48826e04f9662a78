/**
 * Grad-CAM (Selvaraju et al. 2017; Captum's LayerGradCam followed by its
 * upsampling): the activations A of a spatial layer, each channel weighted by
 * the mean over positions of d unit / dA, summed over channels, through a
 * ReLU (the paper's; Captum leaves it optional), then upsampled bilinearly to
 * the input's size (half-pixel centres, PyTorch's align_corners=False). The
 * gradient with respect to A comes from feeding A to the executor
 * (docs/architecture.md, "Attribution").
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';
import { type IUnit, unitValues } from './unit';

export interface IGradCamMaps {
  /** The map at the input's size, [n, h, w]. */
  readonly map: Float32Array;
  /** The map at the layer's size, [n, lh, lw]. */
  readonly low: Float32Array;
  readonly lowShape: readonly [number, number];
}

/** The layers with a spatial output (height × width × channels). */
export function spatialLayers(executor: IExecutor): string[] {
  return executor.layerNames.filter(layer => {
    try {
      return executor.outputShape(layer).length === 4;
    } catch {
      return false;
    }
  });
}

/**
 * Throws unless Grad-CAM can use `layer` for `unit`: a spatial layer that
 * comes before the unit (or is its layer).
 */
export function checkCamLayer(
  executor: IExecutor,
  layer: string,
  unit: IUnit
): void {
  const shape = executor.outputShape(layer);
  if (shape.length !== 4) {
    throw new FeatureVizError(
      `Grad-CAM needs a layer with a spatial output (height × width × channels), such as a convolution; "${layer}" has shape [${shape
        .slice(1)
        .join(
          ', '
        )}]. Layers it can use: ${spatialLayers(executor).join(', ')}.`
    );
  }
  const order = executor.layerNames;
  if (order.indexOf(layer) > order.indexOf(unit.ref.layer)) {
    throw new FeatureVizError(
      `Grad-CAM's layer "${layer}" comes after the unit's layer "${unit.ref.layer}": the unit does not depend on it. Choose a layer before it.`
    );
  }
}

/** Grad-CAM of each image of `x` for `unit` at `layer` (checked first). */
export async function gradCam(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D,
  layer: string
): Promise<IGradCamMaps> {
  checkCamLayer(executor, layer, unit);
  const [, h, w] = x.shape;
  const [low, map] = tf.tidy(() => {
    const [activation] = executor.forward(x, [{ layer }]);
    const grads = tf.grad((a: tf.Tensor) =>
      tf.sum(unitValues(executor, unit, x, { feed: new Map([[layer, a]]) }))
    )(activation);
    const weights = tf.mean(grads, [1, 2], true);
    const cam = tf.relu(
      tf.sum(tf.mul(weights, activation), 3, true)
    ) as tf.Tensor4D;
    const up = tf.image.resizeBilinear(cam, [h, w], false, true);
    return [cam, up];
  });
  try {
    return {
      map: (await map.data()) as Float32Array,
      low: (await low.data()) as Float32Array,
      lowShape: [low.shape[1], low.shape[2]]
    };
  } finally {
    low.dispose();
    map.dispose();
  }
}
