/**
 * The engine's job list for the engine panel: every job the page submits,
 * queued or running, with its progress and a Cancel of its own
 * (docs/architecture.md, "The explorer"). It wraps the page's one engine
 * (the engine plugin provides the wrapped engine), so it sees every
 * caller's jobs without a change to the engine client. Cancel aborts the
 * job's own signal: the caller sees the same CancelledError as when it
 * cancels itself.
 */
import { Signal } from '@lumino/signaling';
import type {
  IEngineStatus,
  IJobSummary,
  IRunOptions,
  JobEvent,
  JobKind,
  JobRequest,
  TestFault
} from '../engine/runtime/protocol';
import type { IEngineJob, IEngineJobs, IFeatureVizEngine } from '../tokens';

/** "layer-atlas of conv2d", "top-examples of channel 5 of conv2d_1". */
export function describeJob(request: JobRequest): string {
  const fields = request as {
    readonly layer?: unknown;
    readonly target?: { readonly layer?: unknown; readonly channel?: unknown };
  };
  const layer =
    typeof fields.layer === 'string'
      ? fields.layer
      : typeof fields.target?.layer === 'string'
        ? fields.target.layer
        : null;
  return layer ? `${request.kind} of ${layer}` : request.kind;
}

interface ITracked extends IEngineJob {
  readonly abort: AbortController;
}

/** The page's engine, with the list of its jobs. */
export class JobBoard implements IFeatureVizEngine, IEngineJobs {
  private readonly _jobs = new Map<number, ITracked>();
  private readonly _changed = new Signal<IEngineJobs, readonly IEngineJob[]>(
    this
  );
  private _next = 1;

  constructor(private readonly _engine: IFeatureVizEngine) {}

  get queue(): IEngineJobs {
    return this;
  }

  get statusChanged(): IFeatureVizEngine['statusChanged'] {
    return this._engine.statusChanged;
  }

  /** Emits the list whenever a job is added, changes state or ends. */
  get changed(): Signal<IEngineJobs, readonly IEngineJob[]> {
    return this._changed;
  }

  list(): readonly IEngineJob[] {
    return [...this._jobs.values()].map(({ abort: _, ...job }) => job);
  }

  cancel(id: number): void {
    this._jobs.get(id)?.abort.abort();
  }

  cancelAll(): void {
    for (const job of this._jobs.values()) {
      job.abort.abort();
    }
  }

  status(): Promise<IEngineStatus> {
    return this._engine.status();
  }

  setBackendChoice(
    choice: Parameters<IFeatureVizEngine['setBackendChoice']>[0]
  ): void {
    this._engine.setBackendChoice(choice);
  }

  describeModel(
    request: Parameters<IFeatureVizEngine['describeModel']>[0]
  ): ReturnType<IFeatureVizEngine['describeModel']> {
    return this._engine.describeModel(request);
  }

  describeDataset(
    request: Parameters<IFeatureVizEngine['describeDataset']>[0]
  ): ReturnType<IFeatureVizEngine['describeDataset']> {
    return this._engine.describeDataset(request);
  }

  examplePixels(
    request: Parameters<IFeatureVizEngine['examplePixels']>[0]
  ): ReturnType<IFeatureVizEngine['examplePixels']> {
    return this._engine.examplePixels(request);
  }

  /**
   * The UI tests' fault hook (docs/architecture.md, "One engine per page"),
   * passed on to the engine: the board is the service Galata reaches. The
   * engine honours it only when the page config turns test hooks on.
   */
  testFault(fault: TestFault): Promise<boolean> {
    const engine = this._engine as {
      testFault?: (fault: TestFault) => Promise<boolean>;
    };
    return engine.testFault ? engine.testFault(fault) : Promise.resolve(false);
  }

  putArrays(
    ...args: Parameters<IFeatureVizEngine['putArrays']>
  ): Promise<void> {
    return this._engine.putArrays(...args);
  }

  hasArrays(key: string): Promise<boolean> {
    return this._engine.hasArrays(key);
  }

  async run(
    request: JobRequest,
    options: IRunOptions = {}
  ): Promise<IJobSummary> {
    const id = this._next++;
    const abort = new AbortController();
    const caller = options.signal;
    const forward = () => abort.abort();
    if (caller?.aborted) {
      abort.abort();
    }
    caller?.addEventListener('abort', forward, { once: true });
    abort.signal.addEventListener(
      'abort',
      () => {
        const job = this._jobs.get(id);
        if (job) {
          this._set({ ...job, state: 'cancelling' });
        }
      },
      { once: true }
    );
    this._set({
      id,
      kind: request.kind as JobKind,
      label: describeJob(request),
      state: 'queued',
      progress: null,
      abort
    });
    try {
      return await this._engine.run(request, {
        signal: abort.signal,
        onEvent: event => {
          this._onEvent(id, event);
          options.onEvent?.(event);
        }
      });
    } finally {
      caller?.removeEventListener('abort', forward);
      this._jobs.delete(id);
      this._changed.emit(this.list());
    }
  }

  private _onEvent(id: number, event: JobEvent): void {
    const job = this._jobs.get(id);
    if (!job || job.state === 'cancelling') {
      return;
    }
    if (event.type === 'running') {
      this._set({ ...job, state: 'running' });
    } else if (event.type === 'frame') {
      this._set({ ...job, state: 'running', progress: event.progress });
    } else if (event.type === 'progress' && event.total > 0) {
      this._set({
        ...job,
        state: 'running',
        progress: event.done / event.total
      });
    }
  }

  private _set(job: ITracked): void {
    this._jobs.set(job.id, job);
    this._changed.emit(this.list());
  }
}
