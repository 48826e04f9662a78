/**
 * A Web Worker that validates specs: compiling the schema's validator takes
 * hundreds of milliseconds, which the page's thread must not spend
 * (docs/architecture.md, "Memory and speed"). Started by the renderer
 * plugin; validation.ts is its client.
 */
import * as Comlink from 'comlink';
import { validateSpec } from '../spec';
import type { IWorkerValidation } from './validation';

/** What the worker offers (exported for tests, which expose it on a port). */
export const validateWorkerApi = {
  validate(data: unknown): IWorkerValidation {
    const result = validateSpec(data);
    return result.ok
      ? { ok: true }
      : { ok: false, field: result.error.field, problem: result.error.problem };
  }
};

export type ValidateWorkerApi = typeof validateWorkerApi;

// In a worker: answer the page. (A test's import exposes it harmlessly.)
Comlink.expose(validateWorkerApi);
