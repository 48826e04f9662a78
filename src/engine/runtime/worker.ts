/**
 * The engine's Web Worker entry: tensor work and shader compilation happen
 * here, so the notebook never waits on them. Batched work may spread over a
 * pool of workers started from here (docs/architecture.md, "Memory and
 * speed").
 */
import * as Comlink from 'comlink';
import { webPoolHost } from './pool/web-host';
import { createWorkerApi } from './worker-api';

Comlink.expose(createWorkerApi({ pool: webPoolHost() ?? undefined }));
