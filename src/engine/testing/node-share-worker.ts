/**
 * Test and benchmark support: a pool worker in Node (a worker thread), the
 * same API as the browser's pool/share-worker.ts. Bundled by node-pool.ts.
 * (Not part of the product bundle: only tests and benchmarks use it.)
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter';
import { parentPort } from 'worker_threads';
import { createShareWorkerApi } from '../runtime/pool/share-worker-api';

if (parentPort) {
  Comlink.expose(createShareWorkerApi(), nodeEndpoint(parentPort));
}
