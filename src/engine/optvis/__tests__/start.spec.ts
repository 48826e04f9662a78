/**
 * Start images: what each init choice makes (against values worked out
 * here), parameterizations that start exactly there (the image they give
 * back, for pixels and spectra, with and without colour decorrelation), the
 * real DFT against a float64 sum, and the dataset mean read from model.json.
 */
import * as tf from '@tensorflow/tfjs';
import { maxAbsDiff, useBackend, values } from '../../testing/backends';
import { FeatureVizError } from '../../errors';
import { readMetadata } from '../../model/model-json';
import { createParam } from '../param';
import { realSpectrum } from '../param/fourier';
import { naiveRfft2 } from '../../testing/oracles';
import { createRandom } from '../rng';
import { startImage } from '../start';

describe('start images', () => {
  beforeAll(() => useBackend('cpu'));

  it('are a colour, a centred blob, the dataset mean or an image, for every image of the batch', async () => {
    expect(await startImage('noise', [2, 4, 4, 1], null)).toBeNull();
    const grey = (await startImage({ color: [0.25] }, [2, 2, 3, 3], null))!;
    expect(Array.from(grey)).toEqual(new Array(2 * 2 * 3 * 3).fill(0.25));
    const colour = (await startImage(
      { color: [0.1, 0.5, 0.9] },
      [1, 1, 2, 3],
      null
    ))!;
    expect(Array.from(colour)).toEqual(
      [0.1, 0.5, 0.9, 0.1, 0.5, 0.9].map(Math.fround)
    );
    const blob = (await startImage('blob', [1, 9, 9, 1], null))!;
    // Brightest at the centre (0.5), symmetric, darker towards the corners.
    expect(blob[4 * 9 + 4]).toBeCloseTo(0.5, 6);
    expect(blob[0]).toBeCloseTo(blob[80], 6);
    expect(blob[0]).toBeLessThan(blob[1 * 9 + 1]);
    const mean = { shape: [2, 2, 1] as const, values: [0, 0.2, 0.4, 0.6] };
    expect(
      Array.from((await startImage('dataset-mean', [2, 2, 2, 1], mean))!)
    ).toEqual([0, 0.2, 0.4, 0.6, 0, 0.2, 0.4, 0.6].map(Math.fround));
    // A 2×2 image resized (bilinear, half-pixel centres) to 4×4 keeps its corners.
    const big = (await startImage(
      { shape: [2, 2, 1], values: [0, 1, 1, 0] },
      [1, 4, 4, 1],
      null
    ))!;
    expect(big.length).toBe(16);
    expect(big[0]).toBeCloseTo(0, 6);
    expect(big[3]).toBeCloseTo(1, 6);
  });

  it('say what is wrong with an impossible start', async () => {
    await expect(
      startImage('dataset-mean', [1, 4, 4, 1], null)
    ).rejects.toThrow("This model's model.json has no dataset mean image");
    await expect(
      startImage({ color: [0.1, 0.2] }, [1, 4, 4, 3], null)
    ).rejects.toThrow('The start colour has 2 values');
    await expect(
      startImage(
        { shape: [2, 2, 3], values: new Array(12).fill(0) as [number] },
        [1, 4, 4, 1],
        null
      )
    ).rejects.toThrow('The start image has 3 channels but the model takes 1.');
    await expect(
      startImage({ shape: [2, 2, 1], values: [0, 1] }, [1, 2, 2, 1], null)
    ).rejects.toThrow(FeatureVizError);
  });

  it('the real spectrum equals numpy.fft.rfft2 written out', () => {
    for (const [h, w] of [
      [5, 6],
      [4, 7]
    ]) {
      const image = Array.from({ length: h }, (_, y) =>
        Array.from({ length: w }, (_, x) => Math.sin((y * w + x) * 1.7))
      );
      const spectrum = realSpectrum(
        Float32Array.from(image.flat()),
        1,
        h,
        w,
        1
      );
      const { re, im } = naiveRfft2(image, h, w);
      expect(maxAbsDiff(spectrum, [...re.flat(), ...im.flat()])).toBeLessThan(
        1e-4
      );
    }
  });

  it('parameterizations start at the start image (pixels and spectra, grey and colour)', () => {
    for (const kind of ['pixel', 'fourier'] as const) {
      for (const [h, w, channels] of [
        [6, 6, 1],
        [5, 7, 3]
      ]) {
        const size = 2 * h * w * channels;
        const start = Float32Array.from(
          { length: size },
          (_, i) => 0.05 + (0.9 * ((i * 37) % 101)) / 100
        );
        const param = createParam({
          kind,
          batch: 2,
          height: h,
          width: w,
          channels,
          decorrelate: true,
          start,
          random: createRandom(1)
        });
        const image = tf.tidy(() => values(param.image()));
        expect([kind, h, maxAbsDiff(image, start) < 1e-4]).toEqual([
          kind,
          h,
          true
        ]);
        param.dispose();
      }
    }
  });

  it('reads the dataset mean from model.json, and ignores a malformed one', () => {
    const meta = (datasetMean: unknown) =>
      readMetadata({ userDefinedMetadata: { featureviz: { datasetMean } } })
        .datasetMean;
    const good = meta({ shape: [1, 2, 1], values: [0.25, 0.75] });
    expect(good?.shape).toEqual([1, 2, 1]);
    expect(Array.from(good?.values ?? [])).toEqual([0.25, 0.75]);
    expect(meta({ shape: [1, 2, 1], values: [0.25] })).toBeNull();
    expect(meta({ shape: [1, 2, 1], values: [0.25, 7] })).toBeNull();
    expect(meta({ shape: [2, 1], values: [0.25, 0.5] })).toBeNull();
    expect(meta(undefined)).toBeNull();
  });
});
