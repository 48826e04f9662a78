/**
 * Test and benchmark support: the engine's pool with real Node worker
 * threads (each its own WASM instance on its own core, as a browser's
 * nested Web Workers are), from a bundle of node-share-worker.ts
 * (node-pool-bundle.ts makes it for tests; the benchmark bundles its own).
 * (Not part of the product bundle: only tests and benchmarks use it.)
 */
import type * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter';
import { Worker } from 'worker_threads';
import type { IPoolHost } from '../runtime/pool/pool-size';

/** A pool host that starts worker threads; `workers` lists those started. */
export function nodePoolHost(
  bundle: string,
  cores: number
): IPoolHost & { readonly workers: Worker[] } {
  const workers: Worker[] = [];
  return {
    cores,
    workers,
    spawn: () => {
      const worker = new Worker(bundle);
      workers.push(worker);
      return {
        endpoint: nodeEndpoint(worker) as Comlink.Endpoint,
        terminate: () => void worker.terminate(),
        onExit: listener => {
          worker.once('exit', code =>
            listener(`the worker thread exited with code ${code}`)
          );
          worker.once('error', error => listener(error.message));
        }
      };
    }
  };
}
