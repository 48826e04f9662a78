/**
 * The engine's store of kernel models: what the page fetched over the comm
 * is served to the loader, which applies the same checks as to a download.
 */
import { ModelTooLargeError } from '../../errors';
import { KernelModelStore, kernelModelUrl } from '../kernel-models';
import { loadModel } from '../load';

const KEY = 'a'.repeat(64);

describe('KernelModelStore', () => {
  it('is served to the loader from the store, with the loader’s own checks', async () => {
    const json = {
      format: 'layers-model',
      modelTopology: { class_name: 'Model', config: { layers: [] } },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: [{ name: 'w', shape: [4], dtype: 'float32' }]
        }
      ]
    };
    const store = new KernelModelStore();
    const bytes = new Uint8Array(Buffer.from(JSON.stringify(json)));
    store.put(KEY, [
      { name: 'model.json', data: bytes },
      { name: 'weights', data: new Uint8Array(8) }
    ]);
    // The manifest's 16 bytes against a shard of 8: a truncated model.
    await expect(
      loadModel(kernelModelUrl(KEY), {
        fetch: store.fetch(),
        allowedPrefixes: [`featureviz-kernel://model/${KEY}/`]
      })
    ).rejects.toThrow(/hold 8 bytes but the manifest describes 16/);
    // A key the page does not hold.
    await expect(
      loadModel(kernelModelUrl('c'.repeat(64)), { fetch: store.fetch() })
    ).rejects.toThrow(/404/);
    // Cap from the manifest, as for downloads.
    await expect(
      loadModel(kernelModelUrl(KEY), {
        fetch: store.fetch(),
        maxWeightBytes: 10
      })
    ).rejects.toThrow(ModelTooLargeError);
  });
});
