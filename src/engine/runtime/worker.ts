/**
 * The engine's Web Worker entry: tensor work and shader compilation happen
 * here, so the notebook never waits on them.
 */
import * as Comlink from 'comlink';
import { createWorkerApi } from './worker-api';

Comlink.expose(createWorkerApi());
