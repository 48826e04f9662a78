/**
 * The page's one job scheduler: one job at a time, first in first out, so
 * that twenty outputs share one backend (and one set of compiled shaders)
 * instead of fighting over it. Queued jobs can be cancelled before they
 * start; a running job is cancelled through its AbortSignal.
 */
import type { JobState } from './protocol';

export interface ISchedulerHooks {
  /** Called while waiting, with the number of jobs ahead (0 = next). */
  onQueued?(position: number): void;
  onStart?(): void;
}

export interface IScheduledJob {
  readonly id: string;
  readonly state: JobState;
  /** Settles when the job finished, failed or was cancelled. */
  readonly done: Promise<JobState>;
  cancel(): void;
}

interface IEntry {
  readonly id: string;
  readonly task: (signal: AbortSignal) => Promise<void>;
  readonly hooks: ISchedulerHooks;
  readonly controller: AbortController;
  state: JobState;
  resolve: (state: JobState) => void;
}

export class Scheduler {
  private readonly _queue: IEntry[] = [];
  private _running: IEntry | null = null;
  private _counter = 0;

  get queued(): number {
    return this._queue.length;
  }

  get running(): boolean {
    return this._running !== null;
  }

  /**
   * Adds a job. `task` must watch its signal; whatever it throws marks the job
   * failed (cancellation: 'cancelled'); the scheduler itself never throws.
   */
  enqueue(
    task: (signal: AbortSignal) => Promise<void>,
    hooks: ISchedulerHooks = {}
  ): IScheduledJob {
    let resolve: (state: JobState) => void = () => undefined;
    const done = new Promise<JobState>(r => (resolve = r));
    const entry: IEntry = {
      id: `job-${++this._counter}`,
      task,
      hooks,
      controller: new AbortController(),
      state: 'queued',
      resolve
    };
    this._queue.push(entry);
    this._notifyQueue();
    void this._pump();
    return {
      id: entry.id,
      get state() {
        return entry.state;
      },
      done,
      cancel: () => this._cancel(entry)
    };
  }

  /** Cancels every queued and running job. */
  cancelAll(): void {
    [...this._queue].forEach(entry => this._cancel(entry));
    if (this._running) {
      this._cancel(this._running);
    }
  }

  private _cancel(entry: IEntry): void {
    const index = this._queue.indexOf(entry);
    if (index >= 0) {
      this._queue.splice(index, 1);
      this._finish(entry, 'cancelled');
      this._notifyQueue();
    } else if (entry === this._running) {
      entry.controller.abort();
    }
  }

  private _notifyQueue(): void {
    this._queue.forEach((entry, position) => entry.hooks.onQueued?.(position));
  }

  private _finish(entry: IEntry, state: JobState): void {
    entry.state = state;
    entry.resolve(state);
  }

  private async _pump(): Promise<void> {
    if (this._running) {
      return;
    }
    const entry = this._queue.shift();
    if (!entry) {
      return;
    }
    this._running = entry;
    this._notifyQueue();
    entry.state = 'running';
    try {
      entry.hooks.onStart?.();
      await entry.task(entry.controller.signal);
      this._finish(
        entry,
        entry.controller.signal.aborted ? 'cancelled' : 'done'
      );
    } catch {
      this._finish(
        entry,
        entry.controller.signal.aborted ? 'cancelled' : 'failed'
      );
    } finally {
      this._running = null;
      void this._pump();
    }
  }
}
