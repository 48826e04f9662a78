/**
 * A model converted in the kernel: its size is checked against "Largest
 * model" before anything is asked of the kernel, its arrays are fetched
 * through the page cache (the engine's side: kernel-models.spec.ts).
 */
import { ModelTooLargeError } from '../../engine/errors';
import { kernelModelUrl } from '../../engine/model/kernel-models';
import type { ISettingValues } from '../../tokens';
import { resolveModel } from '../resolve';

const KEY = 'a'.repeat(64);
const settings: ISettingValues = {
  backend: 'auto',
  allowedOrigins: [],
  maxWeightsMB: 50,
  maxDatasetMB: 20,
  maxJobMemoryMB: 1024,
  maxJobMinutes: 10,
  keepFrames: false
};

function context(kernelArrays: jest.Mock | null) {
  return {
    resolver: null,
    assetUrl: (p: string) => p,
    settings,
    origin: 'http://localhost:8888',
    filesUrl: 'http://localhost:8888/files/',
    kernelArrays
  };
}

describe('a kernel model', () => {
  it('is fetched over the comm once asked, and loaded from the engine store', async () => {
    const kernelArrays = jest.fn(async () => undefined);
    const request = await resolveModel(
      { kernel: KEY, weightBytes: 1000, name: 'ResNet' },
      context(kernelArrays)
    );
    expect(kernelArrays).toHaveBeenCalledWith(KEY, undefined);
    expect(request).toEqual({
      url: kernelModelUrl(KEY),
      format: 'layers',
      maxWeightBytes: 50e6,
      allowedPrefixes: [`featureviz-kernel://model/${KEY}/`]
    });
  });

  it('over the size cap is refused before anything is sent', async () => {
    const kernelArrays = jest.fn(async () => undefined);
    const result = resolveModel(
      { kernel: KEY, weightBytes: 60e6, name: 'VGG' },
      context(kernelArrays)
    );
    await expect(result).rejects.toThrow(ModelTooLargeError);
    await expect(result).rejects.toThrow(
      "The kernel's model VGG has 60.0 MB of weights, over the 50 MB limit."
    );
    expect(kernelArrays).not.toHaveBeenCalled();
  });

  it('outside a notebook with a kernel says so', async () => {
    await expect(
      resolveModel({ kernel: KEY, weightBytes: 10 }, context(null))
    ).rejects.toThrow(
      /lives in a kernel, but this output is not in a notebook/
    );
  });
});
