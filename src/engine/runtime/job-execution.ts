/**
 * How the core runs one job (docs/architecture.md, "Jobs"): on the active
 * backend, with the model held for the run, refused before the first step
 * when over the page's caps, timed, and `done` sent with the summary's
 * common part; retried on the CPU when the backend lacks a kernel; ended as
 * `interrupted` after a lost GPU context; otherwise `failed`.
 */
import { CancelledError } from '../errors';
import type { DatasetStore } from '../dataset/store';
import { ascentJobShape } from '../optvis/jobs';
import { activateBackend, type WasmPaths } from './backends';
import type { BackendLadder } from './backend-ladder';
import type { BackendName } from './capabilities';
import { contextLost } from './context-loss';
import { checkLimits, estimateJob } from './estimate';
import type { EngineFaults } from './faults';
import { runJob } from './jobs';
import type { ModelCache } from './model-cache';
import type { ISharePool } from './pool/share-protocol';
import type {
  IJobSummary,
  ISummaryBase,
  JobEvent,
  JobRequest
} from './protocol';
import { serializeError } from './protocol';

export type JobListener = (event: JobEvent) => void;

/** Errors that mean "this backend lacks something": retry the job on CPU. */
const BACKEND_GAP =
  /kernel '?\w+'? not registered|not yet supported|not implemented for|has no kernel/i;

/** What the core lends a job's run. */
export interface IExecution {
  readonly ladder: BackendLadder;
  readonly models: ModelCache;
  readonly datasets: DatasetStore;
  readonly faults: EngineFaults;
  readonly wasmPaths?: WasmPaths;
  /** The pool for `backend`, if batched jobs may split there. */
  readonly pool: (backend: BackendName) => Promise<ISharePool | undefined>;
}

/** Runs a job on the active backend, with its fallback and failure events. */
export async function executeJob(
  execution: IExecution,
  request: JobRequest,
  listener: JobListener,
  signal: AbortSignal
): Promise<void> {
  const backend = execution.ladder.backend as BackendName;
  try {
    await runOn(execution, backend, request, listener, signal);
  } catch (reason) {
    if (reason instanceof CancelledError || signal.aborted) {
      throw reason;
    }
    const message = (reason as Error)?.message ?? '';
    if (contextLost(backend)) {
      // A backend error after a lost context: the job did nothing wrong.
      listener({
        type: 'interrupted',
        backend,
        reason: `${backend}: the GPU context was lost (${message})`
      });
      throw reason;
    }
    if (backend !== 'cpu' && BACKEND_GAP.test(message)) {
      await fallBack(execution, backend, message, request, listener, signal);
      return;
    }
    listener({ type: 'failed', error: serializeError(reason) });
    throw reason;
  }
}

/** Runs the job again on the CPU after `backend` lacked a kernel. */
async function fallBack(
  execution: IExecution,
  backend: BackendName,
  message: string,
  request: JobRequest,
  listener: JobListener,
  signal: AbortSignal
): Promise<void> {
  listener({ type: 'fallback', from: backend, to: 'cpu', reason: message });
  try {
    await activateBackend('cpu');
    await runOn(execution, 'cpu', request, listener, signal, {
      from: backend,
      reason: message
    });
  } catch (again) {
    if (!(again instanceof CancelledError)) {
      listener({ type: 'failed', error: serializeError(again) });
    }
    throw again;
  } finally {
    await activateBackend(backend, execution.wasmPaths);
  }
}

async function runOn(
  execution: IExecution,
  backend: BackendName,
  request: JobRequest,
  listener: JobListener,
  signal: AbortSignal,
  fallback?: ISummaryBase['fallback']
): Promise<void> {
  const handle = await execution.models.acquire(request.model, signal);
  try {
    // Refused before the first step when over the page's caps.
    const shape = ascentJobShape(request, handle);
    if (shape) {
      checkLimits(
        estimateJob(shape, execution.ladder.probeSpeed(backend)),
        request.limits,
        shape
      );
    }
    const started = performance.now();
    const { summary, result } = await runJob(request, {
      backend,
      model: handle,
      signal,
      emit: listener,
      datasets: execution.datasets,
      // A fallback runs here alone: the pool's workers run the other backend.
      pool: fallback ? undefined : await execution.pool(backend)
    });
    listener({
      type: 'done',
      // The runner's part is typed by its kind; so is the whole.
      summary: {
        kind: request.kind,
        backend,
        elapsedMs: performance.now() - started,
        ...(fallback ? { fallback } : {}),
        ...summary
      } as IJobSummary,
      ...(result ? { result } : {})
    });
  } finally {
    handle.release();
  }
}
