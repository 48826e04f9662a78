/** The page's cache of kernel arrays: one fetch per key for the page's life. */
import type { IKernelBridge } from '../bridge';
import { KernelDataCache } from '../data-cache';
import type { INamedArray } from '../wire';

function countingBridge(fail = false) {
  const fetched: string[] = [];
  const bridge: IKernelBridge = {
    attach: () => undefined,
    sendResult: () => undefined,
    sendFailure: () => undefined,
    fetchArrays: async key => {
      fetched.push(key);
      await new Promise(resolve => setTimeout(resolve, 5));
      if (fail) {
        throw new Error('The kernel no longer holds this dataset.');
      }
      return [
        { name: 'images', shape: [1], data: Uint8Array.from([key.length]) }
      ];
    }
  };
  return { bridge, fetched };
}

describe('KernelDataCache', () => {
  it('fetches a key once, however many outputs and re-runs ask', async () => {
    const stored: [string, readonly INamedArray[]][] = [];
    const cache = new KernelDataCache(async (key, arrays) => {
      stored.push([key, arrays]);
    });
    const { bridge, fetched } = countingBridge();
    await Promise.all([
      cache.ensure('k1', () => bridge),
      cache.ensure('k1', () => bridge)
    ]);
    await cache.ensure('k1', () => bridge);
    await cache.ensure('k2', () => bridge);
    expect(fetched).toEqual(['k1', 'k2']);
    expect(stored.map(s => s[0])).toEqual(['k1', 'k2']);
    expect(cache.has('k1')).toBe(true);
  });

  it('asks for a bridge only to fetch, and passes on why there is none', async () => {
    const cache = new KernelDataCache(async () => undefined);
    const { bridge, fetched } = countingBridge();
    await cache.ensure('k', () => bridge);
    await cache.ensure('k', () => {
      throw new Error('no kernel');
    });
    expect(fetched).toEqual(['k']);
    await expect(
      cache.ensure('other', () => {
        throw new Error('no kernel');
      })
    ).rejects.toThrow('no kernel');
  });

  it('fetches again after clear (a replaced engine no longer holds the arrays)', async () => {
    const stored: string[] = [];
    const cache = new KernelDataCache(async key => {
      stored.push(key);
    });
    const { bridge, fetched } = countingBridge();
    await cache.ensure('k1', () => bridge);
    expect(cache.has('k1')).toBe(true);
    cache.clear();
    expect(cache.has('k1')).toBe(false);
    await cache.ensure('k1', () => bridge);
    expect(fetched).toEqual(['k1', 'k1']);
    expect(stored).toEqual(['k1', 'k1']);
  });

  it('forgets a failed fetch, so that the next run asks again', async () => {
    const cache = new KernelDataCache(async () => undefined);
    const failing = countingBridge(true);
    await expect(cache.ensure('k', () => failing.bridge)).rejects.toThrow(
      /no longer holds/
    );
    expect(cache.has('k')).toBe(false);
    const working = countingBridge();
    await cache.ensure('k', () => working.bridge);
    expect(working.fetched).toEqual(['k']);
  });

  it("stops one caller's wait on Cancel, not the shared fetch", async () => {
    const cache = new KernelDataCache(async () => undefined);
    const { bridge, fetched } = countingBridge();
    const abort = new AbortController();
    const cancelled = cache.ensure('k', () => bridge, abort.signal);
    const other = cache.ensure('k', () => bridge);
    abort.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    await other;
    expect(fetched).toEqual(['k']);
  });
});
