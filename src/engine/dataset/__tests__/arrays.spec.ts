/**
 * Datasets from arrays and files: .npy and .npz files written by NumPy (the
 * fixtures' make_fixtures.py) read back to the same values, and bad input
 * refused with a message that names the problem.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../testing/backends';
import { arrayDataset, displayRange, fitTo, inputBatch } from '../dataset';
import { parseNpy, parseNpz } from '../npy';

const FIXTURES = path.join(__dirname, 'fixtures');
const read = (file: string) =>
  new Uint8Array(fs.readFileSync(path.join(FIXTURES, file)));

describe('.npy and .npz', () => {
  it('reads uint8 images, float64 values (as float32) and int64 labels', () => {
    const images = parseNpy(read('images_u8.npy'), 'images_u8.npy');
    expect(images.shape).toEqual([3, 4, 5]);
    expect(images.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(images.data)).toEqual(
      Array.from({ length: 60 }, (_, i) => i)
    );
    const floats = parseNpy(read('floats_f8.npy'), 'floats_f8.npy');
    expect(floats.shape).toEqual([2, 3, 3]);
    expect(floats.data).toBeInstanceOf(Float32Array);
    Array.from(floats.data).forEach((v, i) =>
      expect(v).toBeCloseTo(i / 7 - 1, 6)
    );
    const labels = parseNpy(read('labels_i8.npy'), 'labels_i8.npy');
    expect(labels.data).toBeInstanceOf(Int32Array);
    expect(Array.from(labels.data)).toEqual([7, -2, 1000000]);
  });

  it.each(['data.npz', 'data_compressed.npz'])(
    'reads the arrays of %s by key',
    async file => {
      const arrays = await parseNpz(read(file), file);
      expect([...arrays.keys()].sort()).toEqual(
        file === 'data.npz'
          ? ['images', 'labels']
          : ['floats', 'images', 'labels']
      );
      const images = await (
        arrays.get('images') as () => Promise<{
          shape: readonly number[];
          data: ArrayLike<number>;
        }>
      )();
      expect(images.shape).toEqual([3, 4, 5]);
      expect(Array.from(images.data).slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    }
  );

  it('refuses what it cannot read, by name', async () => {
    expect(() => parseNpy(read('fortran.npy'), 'fortran.npy')).toThrow(
      /fortran.npy is stored in Fortran order/
    );
    expect(() => parseNpy(read('complex.npy'), 'complex.npy')).toThrow(
      /complex.npy holds <c8 values; Feature Viz reads uint8 or float images/
    );
    expect(() =>
      parseNpy(read('images_u8.npy').subarray(0, 100), 'x.npy')
    ).toThrow(/x.npy is truncated/);
    expect(() => parseNpy(new Uint8Array(40), 'zeros.npy')).toThrow(
      /zeros.npy is not a NumPy .npy file/
    );
    await expect(parseNpz(read('images_u8.npy'), 'a.npz')).rejects.toThrow(
      /a.npz is not a readable .npz \(ZIP\) file: no end of central directory/
    );
  });
});

describe('arrayDataset', () => {
  const u8 = (n: number) => new Uint8Array(n);

  it('takes N×H×W as one channel and N×H×W×C as given', () => {
    expect(
      arrayDataset('x', { shape: [2, 3, 4], data: u8(24) }, null).imageShape
    ).toEqual([3, 4, 1]);
    const rgb = arrayDataset(
      'x',
      { shape: [2, 3, 4, 3], data: u8(72) },
      { shape: [2], data: Int32Array.from([1, 0]) }
    );
    expect(rgb).toMatchObject({ count: 2, imageShape: [3, 4, 3] });
    expect(rgb.range).toEqual([0, 255]);
  });

  it.each([
    [
      'a wrong rank',
      { shape: [12, 2], data: u8(24) },
      null,
      /images must be N×H×W or N×H×W×C \(channels last\), not of shape \[12, 2\]/
    ],
    ['no images', { shape: [0, 28, 28], data: u8(0) }, null, /is empty/],
    [
      'labels of the wrong length',
      { shape: [2, 2, 2], data: u8(8) },
      { shape: [3], data: new Int32Array(3) },
      /labels must be one per image: 2 images but labels of shape \[3\]/
    ],
    [
      'NaN values',
      { shape: [2, 1, 2], data: Float32Array.from([0, 1, NaN, 2]) },
      null,
      /has NaN values \(the first in image 1\)/
    ],
    [
      'too few values',
      { shape: [2, 2, 2], data: u8(7) },
      null,
      /7 values do not fill 2 images of 2×2×1/
    ]
  ])('refuses %s', (_, images, labels, message) => {
    expect(() => arrayDataset('digits', images, labels)).toThrow(message);
  });

  it('refuses a channel count the model does not take, naming both', () => {
    const rgb = arrayDataset(
      'photos',
      { shape: [1, 2, 2, 3], data: u8(12) },
      null
    );
    expect(() => fitTo(rgb, [null, 28, 28, 1], [0, 1])).toThrow(
      'The model takes images with 1 channel; photos has 3 (images of 2×2×3).'
    );
  });
});

describe('inputBatch', () => {
  beforeAll(() => useBackend('cpu'));

  it("scales pixels to the model's range and resizes to its input", () => {
    const pixels = Uint8Array.from([0, 51, 102, 255]);
    const dataset = arrayDataset('x', { shape: [1, 2, 2], data: pixels }, null);
    const fit = fitTo(dataset, [null, 2, 2, 1], [-1, 1]);
    const same = tf.tidy(() =>
      Array.from(inputBatch(dataset, [0, 1], fit, true).dataSync())
    );
    [-1, -0.6, -0.2, 1].forEach((v, i) => expect(same[i]).toBeCloseTo(v, 6));
    const bigger = fitTo(dataset, [null, 4, 4, 1], [0, 1]);
    tf.tidy(() => {
      const x = inputBatch(dataset, [0], bigger);
      expect(x.shape).toEqual([1, 4, 4, 1]);
      // Bilinear (TensorFlow's default corners): the first pixel is kept.
      expect((x.arraySync() as number[][][][])[0][0][0][0]).toBe(0);
    });
    expect(displayRange(dataset, fit)).toEqual([-1, 1]);
  });

  it('passes float values as they are, picked by index', () => {
    const floats = Float32Array.from([5, 6, 7, 8, -1, -2, -3, -4]);
    const dataset = arrayDataset('f', { shape: [2, 2, 2], data: floats }, null);
    const fit = fitTo(dataset, [null, 2, 2, 1], [0, 1]);
    const picked = tf.tidy(() =>
      Array.from(inputBatch(dataset, [1, 0], fit).dataSync())
    );
    expect(picked).toEqual([-1, -2, -3, -4, 5, 6, 7, 8]);
    expect(displayRange(dataset, fit)).toEqual([-4, 8]);
  });
});
