/**
 * Transforms: random, differentiable changes to the image before each step,
 * which make the visualization robust (Lucid's optvis/transform.py,
 * Apache-2.0). Every random choice draws from the run's seeded IRandom.
 *
 * Two tfjs gaps shape this module: MirrorPad's registered gradient ignores the
 * reflected pixels, and rotateWithOffset has no gradient at all. So reflection
 * is built from slices and reverses, and scaling and rotation share one
 * bilinear affine sampler (resample.ts). Crops, joins and pads go through
 * pixel-rows.ts, which keeps tfjs-wasm from copying them pixel by pixel.
 */
import * as tf from '@tensorflow/tfjs';
import type { Transform, TransformPreset } from '../../spec/types.generated';
import { FeatureVizError } from '../errors';
import { cropPixels, joinPixels, padPixels } from './pixel-rows';
import { resample } from './resample';
import type { IRandom } from './rng';

export interface ITransform {
  readonly description: string;
  apply(image: tf.Tensor4D, random: IRandom): tf.Tensor4D;
}

/** Pads the image; 'reflect' mirrors it, 'constant' fills with `value`. */
export function pad(
  pixels: number,
  mode: 'constant' | 'reflect' = 'reflect',
  value = 0.5
): ITransform {
  return {
    description: `pad(${pixels}, ${mode})`,
    apply: image => {
      if (pixels === 0) {
        return image;
      }
      if (mode === 'constant') {
        return padPixels(image, pixels, value);
      }
      return reflectPad(image, pixels);
    }
  };
}

function reflectAxis(x: tf.Tensor4D, p: number, axis: 1 | 2): tf.Tensor4D {
  const size = x.shape[axis];
  if (p >= size) {
    throw new FeatureVizError(
      `Reflect padding of ${p} pixels needs an image larger than ${size}.`
    );
  }
  const [, h, w] = x.shape;
  const edge = (start: number): tf.Tensor4D =>
    axis === 1 ? cropPixels(x, start, 0, p, w) : cropPixels(x, 0, start, h, p);
  const head = tf.reverse(edge(1), axis);
  const tail = tf.reverse(edge(size - 1 - p), axis);
  return joinPixels([head, x, tail], axis);
}

/** numpy's 'reflect' padding (the edge pixel is not repeated). */
export function reflectPad(image: tf.Tensor4D, p: number): tf.Tensor4D {
  return reflectAxis(reflectAxis(image, p, 1), p, 2);
}

/** A random crop that is `pixels` smaller in height and width (Lucid's jitter). */
export function jitter(pixels: number): ITransform {
  return {
    description: `jitter(${pixels})`,
    apply: (image, random) => {
      if (pixels === 0) {
        return image;
      }
      const [, h, w] = image.shape;
      if (pixels >= h || pixels >= w) {
        throw new FeatureVizError(
          `Jitter of ${pixels} pixels needs an image larger than ${h}×${w}.`
        );
      }
      const dy = random.int(0, pixels);
      const dx = random.int(0, pixels);
      return cropPixels(image, dy, dx, h - pixels, w - pixels);
    }
  };
}

/** Resizes by a factor chosen from `scales` (Lucid's random_scale). */
export function randomScale(scales: readonly number[]): ITransform {
  return {
    description: `random_scale(${scales.length} scales)`,
    apply: (image, random) => {
      const scale = random.choice(scales);
      if (scale === 1) {
        return image;
      }
      const [, h, w] = image.shape;
      return resample(
        image,
        0,
        scale,
        Math.max(1, Math.round(h * scale)),
        Math.max(1, Math.round(w * scale))
      );
    }
  };
}

/** Rotates by an angle in degrees chosen from `degrees` (Lucid's random_rotate). */
export function randomRotate(degrees: readonly number[]): ITransform {
  return {
    description: `random_rotate(${degrees.length} angles)`,
    apply: (image, random) => {
      const angle = random.choice(degrees);
      if (angle === 0) {
        return image;
      }
      const [, h, w] = image.shape;
      return resample(image, (angle * Math.PI) / 180, 1, h, w);
    }
  };
}

/** Lucid's standard_transforms, for images of about 128 pixels and up. */
export function standardTransforms(): ITransform[] {
  return [
    pad(12, 'constant', 0.5),
    jitter(8),
    randomScale(Array.from({ length: 11 }, (_, i) => 1 + (i - 5) / 50)),
    randomRotate([
      ...Array.from({ length: 21 }, (_, i) => i - 10),
      0,
      0,
      0,
      0,
      0
    ]),
    jitter(4)
  ];
}

/**
 * The same idea sized for tiny inputs such as 28×28 digits: a few pixels of
 * reflection, jitter, ±5 % scale and ±8° rotation.
 */
export function smallTransforms(): ITransform[] {
  return [
    pad(2, 'reflect'),
    jitter(2),
    randomScale([0.95, 0.975, 1, 1.025, 1.05]),
    randomRotate([-8, -4, 0, 0, 4, 8]),
    jitter(1)
  ];
}

/** A preset or a list of the spec's transforms as transforms to apply. */
export function compileTransforms(
  spec: TransformPreset | readonly Transform[]
): ITransform[] {
  if (spec === 'standard') {
    return standardTransforms();
  }
  if (spec === 'small') {
    return smallTransforms();
  }
  if (spec === 'none') {
    return [];
  }
  return spec.map(node => {
    switch (node.type) {
      case 'pad':
        return pad(node.pixels, node.mode ?? 'reflect', node.value ?? 0.5);
      case 'jitter':
        return jitter(node.pixels);
      case 'random-scale':
        return randomScale(node.scales);
      case 'random-rotate':
        return randomRotate(node.degrees);
      default: {
        const unknown: never = node;
        throw new FeatureVizError(
          `Unknown transform ${JSON.stringify((unknown as { type?: unknown }).type)}.`
        );
      }
    }
  });
}

/** Applies transforms in order. */
export function applyTransforms(
  image: tf.Tensor4D,
  transforms: readonly ITransform[],
  random: IRandom
): tf.Tensor4D {
  return transforms.reduce((img, t) => t.apply(img, random), image);
}
