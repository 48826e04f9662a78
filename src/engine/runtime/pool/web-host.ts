/**
 * The pool's workers in a browser (docs/architecture.md, "Memory and
 * speed"): Web Workers started by the engine's own worker, each running
 * pool/share-worker.ts with its own WebAssembly instance on its own core.
 */
import type { IPoolHost } from './pool-size';

/** A pool host for the engine's worker; null where workers cannot nest. */
export function webPoolHost(): IPoolHost | null {
  if (typeof Worker === 'undefined' || typeof navigator === 'undefined') {
    return null;
  }
  return {
    cores: navigator.hardwareConcurrency || 1,
    spawn: () => {
      const worker = new Worker(new URL('./share-worker.js', import.meta.url), {
        name: 'featureviz-engine-pool'
      });
      return {
        endpoint: worker,
        terminate: () => worker.terminate(),
        onExit: listener =>
          worker.addEventListener(
            'error',
            event => listener(event.message || 'the worker failed'),
            { once: true }
          )
      };
    }
  };
}
