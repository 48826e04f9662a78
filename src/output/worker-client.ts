/**
 * The page's side of the outputs' worker (output-worker.ts): spec
 * validation and figure encoding off the page's thread, started on first
 * use, shared by every output. Where no worker starts (a sandboxed page, an
 * opaque origin) or it fails, the same work is done here: the answers are
 * the same.
 */
import * as Comlink from 'comlink';
import {
  type FeatureVizSpec,
  SpecError,
  type SpecValidation,
  validateSpec
} from '../spec';
import type { FigureEncoder } from '../views/figure';
import { encodeFigureHere } from '../views/save';
import type { OutputWorkerApi } from './output-worker';

/** How an output validates its spec. */
export type Validate = (data: unknown) => Promise<SpecValidation>;

/** What crosses back from the worker (an Error's class does not). */
export type IWorkerValidation =
  | { readonly ok: true }
  | { readonly ok: false; readonly field: string; readonly problem: string };

/** Validation on this thread (tests; browsers where no worker starts). */
export const validateHere: Validate = async data => validateSpec(data);

/** A worker, or what stands for one in tests. */
export type WorkerEndpoint = Comlink.Endpoint & { terminate?: () => void };

export interface IOutputWorker {
  readonly validate: Validate;
  readonly encodeFigure: FigureEncoder;
}

/**
 * The outputs' worker, made by `start` on first use. Should it fail to
 * start or stop, the work carries on here, calls in flight included.
 */
export function outputWorker(start: () => WorkerEndpoint): IOutputWorker {
  let remote: {
    readonly api: Comlink.Remote<OutputWorkerApi>;
    /** Rejects when the worker fails: calls in flight then run here. */
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
            reject(new Error('the outputs worker failed'));
          })
        );
        failed.catch(() => undefined);
        remote = { api: Comlink.wrap<OutputWorkerApi>(endpoint), failed };
      } catch {
        // A sandboxed page (an opaque origin) may start no worker.
        broken = true;
        return null;
      }
    }
    return remote;
  };
  /** `work` in the worker, or `here` where there is none. */
  const inWorker = async <T>(
    work: (api: Comlink.Remote<OutputWorkerApi>) => Promise<T>,
    here: () => T | Promise<T>
  ): Promise<T> => {
    const worker = connect();
    if (!worker) {
      return here();
    }
    try {
      return await Promise.race([work(worker.api), worker.failed]);
    } catch {
      broken = true;
      return here();
    }
  };
  return {
    validate: async data => {
      const answer = await inWorker<IWorkerValidation>(
        api => api.validate(data),
        () => {
          const result = validateSpec(data);
          return result.ok
            ? { ok: true }
            : {
                ok: false,
                field: result.error.field,
                problem: result.error.problem
              };
        }
      );
      return answer.ok
        ? { ok: true, spec: data as FeatureVizSpec }
        : { ok: false, error: new SpecError(answer.field, answer.problem) };
    },
    encodeFigure: (spec, style) =>
      inWorker(
        api => api.figurePng(spec, style),
        () => encodeFigureHere(spec, style)
      )
  };
}
