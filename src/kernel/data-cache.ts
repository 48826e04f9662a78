/**
 * Kernel arrays held for the page's life, by content key
 * (docs/architecture.md, "The kernel bridge"). The key is a hash of the
 * arrays' bytes that Python computes, so the same data has the same key in
 * any kernel: re-running a cell, or showing the same arrays in another
 * output, fetches nothing again. Fetches of one key in flight are shared;
 * a failed one is forgotten, so the next run asks again.
 */
import type { IKernelBridge } from './bridge';
import type { INamedArray } from './wire';

/** Keeps fetched arrays (in the engine): the cache's only side effect. */
export type ArrayStore = (
  key: string,
  arrays: readonly INamedArray[]
) => Promise<void>;

export class KernelDataCache {
  private readonly _held = new Map<string, Promise<void>>();

  constructor(private readonly _store: ArrayStore) {}

  /** Whether `key` is held (or being fetched). */
  has(key: string): boolean {
    return this._held.has(key);
  }

  /**
   * Forgets every key: the engine that held them was replaced (a hung step,
   * a dead worker, a lost GPU context), so the next use fetches again.
   */
  clear(): void {
    this._held.clear();
  }

  /**
   * Makes sure `key`'s arrays are stored, fetching them the first time from
   * the bridge `connect` gives (asked only then). Cancelling stops this
   * caller's wait, not a fetch another output may share.
   */
  ensure(
    key: string,
    connect: () => IKernelBridge,
    signal?: AbortSignal
  ): Promise<void> {
    let held = this._held.get(key);
    if (!held) {
      try {
        held = connect()
          .fetchArrays(key)
          .then(arrays => this._store(key, arrays));
      } catch (reason) {
        return Promise.reject(reason);
      }
      this._held.set(key, held);
      held.catch(() => this._held.delete(key));
    }
    return untilAborted(held, signal);
  }
}

function untilAborted(work: Promise<void>, signal?: AbortSignal) {
  if (!signal) {
    return work;
  }
  return new Promise<void>((resolve, reject) => {
    const abort = () => reject(new DOMException('Cancelled', 'AbortError'));
    if (signal.aborted) {
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    work
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', abort));
  });
}
