/**
 * A pool worker's entry (docs/architecture.md, "Memory and speed"): started
 * by the engine's worker, it runs shares of batched jobs on its own core.
 */
import * as Comlink from 'comlink';
import { createShareWorkerApi } from './share-worker-api';

Comlink.expose(createShareWorkerApi());
