/**
 * Test and benchmark support: the engine's pool with real Node worker
 * threads (each its own WASM instance on its own core, as a browser's
 * nested Web Workers are), from a bundle of node-share-worker.ts.
 * (Not part of the product bundle: only tests and benchmarks use it.)
 */
import type * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { IPoolHost } from '../runtime/pool/pool-size';
import { ROOT } from './files';

/** Where the bundle goes (ignored by git; Node finds tfjs from there). */
export const SHARE_WORKER_BUNDLE = path.join(
  ROOT,
  'bench/.build/node-share-worker.cjs'
);

/** Bundles the Node pool worker (esbuild, as the benchmarks bundle). */
export async function bundleShareWorker(): Promise<string> {
  // esbuild is a dev dependency; tests load it only here.
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/engine/testing/node-share-worker.ts')],
    outfile: SHARE_WORKER_BUNDLE,
    bundle: true,
    logLevel: 'warning',
    target: 'es2020',
    platform: 'node',
    format: 'cjs',
    external: ['@tensorflow/*']
  });
  return SHARE_WORKER_BUNDLE;
}

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
