/**
 * Layers that change the spatial size without weights: ZeroPadding2D,
 * Cropping2D and UpSampling2D.
 */
import * as tf from '@tensorflow/tfjs';
import { type LayerFamily, pair } from './context';

/** Keras padding (p, [rows, cols] or [[top, bottom], [left, right]]). */
export function padding(p: number | number[] | number[][]): [number, number][] {
  if (!Array.isArray(p)) {
    return [
      [p, p],
      [p, p]
    ];
  }
  return [0, 1].map(axis => {
    const side = p[axis];
    return Array.isArray(side) ? [side[0], side[1]] : [side, side];
  }) as [number, number][];
}

export const PADDING_LAYERS: LayerFamily = {
  ZeroPadding2D: {
    build: ({ config }) => {
      const [rows, cols] = padding(
        config.padding as number | number[] | number[][]
      );
      return ([x]) => tf.pad(x, [[0, 0], rows, cols, [0, 0]]);
    }
  },
  Cropping2D: {
    build: ({ config }) => {
      const c = config.cropping as number[][];
      return ([x]) =>
        tf.slice(
          x,
          [0, c[0][0], c[1][0], 0],
          [
            -1,
            (x.shape[1] as number) - c[0][0] - c[0][1],
            (x.shape[2] as number) - c[1][0] - c[1][1],
            -1
          ]
        );
    }
  },
  UpSampling2D: {
    build: ({ config }) => {
      const [sh, sw] = pair(config.size, 2);
      const bilinear = config.interpolation === 'bilinear';
      return ([x]) => {
        const size: [number, number] = [
          (x.shape[1] as number) * sh,
          (x.shape[2] as number) * sw
        ];
        return bilinear
          ? tf.image.resizeBilinear(x as tf.Tensor4D, size)
          : tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size);
      };
    }
  }
};
