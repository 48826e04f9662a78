/**
 * Validating an output's spec without blocking the page: in a Web Worker
 * (validate-worker.ts) where one can start, here otherwise. Either way the
 * result is the one validateSpec gives.
 */
import * as Comlink from 'comlink';
import {
  type FeatureVizSpec,
  SpecError,
  type SpecValidation,
  validateSpec
} from '../spec';
import type { ValidateWorkerApi } from './validate-worker';

/** How an output validates its spec. */
export type Validate = (data: unknown) => Promise<SpecValidation>;

/** What crosses back from the worker (an Error's class does not). */
export type IWorkerValidation =
  | { readonly ok: true }
  | { readonly ok: false; readonly field: string; readonly problem: string };

/** Validation on this thread (tests; browsers where no worker starts). */
export const validateHere: Validate = async data => validateSpec(data);

/**
 * Validation in a worker made by `start`, started on first use. Should it
 * fail to start or stop, validation carries on here.
 */
export function workerValidator(
  start: () => Comlink.Endpoint & { terminate?: () => void }
): Validate {
  let remote: {
    readonly api: Comlink.Remote<ValidateWorkerApi>;
    /** Rejects when the worker fails: calls in flight then validate here. */
    readonly failed: Promise<never>;
  } | null = null;
  let broken = false;
  const connect = () => {
    if (broken) {
      return null;
    }
    if (!remote) {
      try {
        const endpoint = start();
        const failed = new Promise<never>((_, reject) =>
          endpoint.addEventListener('error', () => {
            broken = true;
            endpoint.terminate?.();
            reject(new Error('the validation worker failed'));
          })
        );
        failed.catch(() => undefined);
        remote = { api: Comlink.wrap<ValidateWorkerApi>(endpoint), failed };
      } catch {
        // A sandboxed page (an opaque origin) may start no worker.
        broken = true;
        return null;
      }
    }
    return remote;
  };
  return async data => {
    const worker = connect();
    if (!worker) {
      return validateSpec(data);
    }
    let answer: IWorkerValidation;
    try {
      answer = await Promise.race([worker.api.validate(data), worker.failed]);
    } catch {
      broken = true;
      return validateSpec(data);
    }
    return answer.ok
      ? { ok: true, spec: data as FeatureVizSpec }
      : { ok: false, error: new SpecError(answer.field, answer.problem) };
  };
}
