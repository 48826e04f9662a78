/**
 * Start images (docs/architecture.md, "Recipes"): the image an optimization
 * starts from, as values in [0, 1] that the parameterization inverts. What
 * the optimizer finds depends most on it for small models: from flat grey a
 * logit's picture is cluttered, from the training data's mean image it reads
 * as a digit.
 */
import * as tf from '@tensorflow/tfjs';
import type { InitImage } from '../../spec/types.generated';
import { FeatureVizError } from '../errors';
import type { IImageArray } from '../model/model-json';

export type { IImageArray };

/** The blob's standard deviation, as a share of the image's side. */
const BLOB_SIGMA = 0.18;
/** The blob's brightness at its centre. */
const BLOB_PEAK = 0.5;

function blob(height: number, width: number, channels: number): Float32Array {
  const out = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dy = (y - (height - 1) / 2) / height;
      const dx = (x - (width - 1) / 2) / width;
      const v =
        BLOB_PEAK * Math.exp(-(dy * dy + dx * dx) / (2 * BLOB_SIGMA ** 2));
      out.fill(v, (y * width + x) * channels, (y * width + x + 1) * channels);
    }
  }
  return out;
}

/** An image brought to height × width (bilinear), with its channels checked. */
async function fit(
  image: IImageArray,
  height: number,
  width: number,
  channels: number,
  what: string
): Promise<Float32Array> {
  const [h, w, c] = image.shape;
  if (image.values.length !== h * w * c) {
    throw new FeatureVizError(
      `The ${what} has ${image.values.length} values, not ${h}×${w}×${c}.`
    );
  }
  if (c !== channels) {
    throw new FeatureVizError(
      `The ${what} has ${c} channel${c === 1 ? '' : 's'} but the model takes ${channels}.`
    );
  }
  const values = Float32Array.from(image.values);
  if (h === height && w === width) {
    return values;
  }
  const resized = tf.tidy(() =>
    tf.image.resizeBilinear(tf.tensor4d(values, [1, h, w, c]), [height, width])
  );
  try {
    return Float32Array.from(await resized.data());
  } finally {
    resized.dispose();
  }
}

/**
 * The start image for a batch (batch × height × width × channels), or null
 * for Lucid's random start ('noise').
 */
export async function startImage(
  init: Exclude<InitImage, 'auto'>,
  shape: readonly [number, number, number, number],
  datasetMean: IImageArray | null
): Promise<Float32Array | null> {
  const [batch, height, width, channels] = shape;
  let one: Float32Array;
  if (init === 'noise') {
    return null;
  } else if (init === 'blob') {
    one = blob(height, width, channels);
  } else if (init === 'dataset-mean') {
    if (!datasetMean) {
      throw new FeatureVizError(
        "This model's model.json has no dataset mean image: start from init='blob', a colour or an image instead."
      );
    }
    one = await fit(datasetMean, height, width, channels, 'dataset mean');
  } else if ('color' in init) {
    const color = init.color;
    if (color.length !== 1 && color.length !== channels) {
      throw new FeatureVizError(
        `The start colour has ${color.length} values; the model takes ${channels} channel${channels === 1 ? '' : 's'}: give 1 or ${channels}.`
      );
    }
    one = new Float32Array(height * width * channels).map(
      (_, i) => color[color.length === 1 ? 0 : i % channels]
    );
  } else {
    one = await fit(
      { shape: init.shape, values: init.values },
      height,
      width,
      channels,
      'start image'
    );
  }
  const out = new Float32Array(batch * one.length);
  for (let b = 0; b < batch; b++) {
    out.set(one, b * one.length);
  }
  return out;
}
