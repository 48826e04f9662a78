/**
 * The page's side of the jobs it sent to the engine (docs/architecture.md,
 * "One engine per page"): each job followed as a TrackedJob from submit to
 * its end, its events passed on and its watchdog fed, Cancel sent to the
 * core (and the job ended on the page within CANCEL_MS whatever the core
 * does), and every job failed at once when the engine is gone. The client
 * owns the connection and replaces it; this desk asks it which one is
 * current.
 */
import * as Comlink from 'comlink';
import { CancelledError, FeatureVizError } from '../errors';
import { EngineError, type ICoreConnection } from './connection';
import type { JobListener } from './core';
import { interruption } from './fault-words';
import type {
  IJobSummary,
  IRunOptions,
  JobEvent,
  JobRequest
} from './protocol';
import { serializeError } from './protocol';
import { TrackedJob } from './tracked-job';
import type { IMissedStep, IWatchdogOptions } from './watchdog';

/** What the desk needs from the client that owns the engine. */
export interface IEngineLink {
  /** The current connection and its generation (bumped by a replacement). */
  conn(): ICoreConnection;
  generation(): number;
  /** Resolves once a replacement under way is done. */
  replacing(): Promise<void> | null;
  readonly watchdog?: IWatchdogOptions;
  /** A step of `job` missed its deadline. */
  onMiss(job: TrackedJob, missed: IMissedStep): void;
  /** A job ended: the engine's status changed. */
  jobEnded(): void;
}

export class JobDesk {
  /** Jobs on their way or running, until they end. */
  readonly jobs = new Set<TrackedJob>();

  constructor(private readonly _link: IEngineLink) {}

  run(request: JobRequest, options: IRunOptions = {}): Promise<IJobSummary> {
    const { signal } = options;
    if (signal?.aborted) {
      return Promise.reject(new CancelledError());
    }
    return new Promise<IJobSummary>((resolve, reject) => {
      const job = new TrackedJob(
        request,
        options,
        resolve,
        reject,
        (missed, info) => this._link.onMiss(missed, info),
        this._link.watchdog
      );
      this.jobs.add(job);
      signal?.addEventListener('abort', () => this._cancel(job), {
        once: true
      });
      void this.submit(job);
    });
  }

  /** Fails every job in flight with `message` (the engine is gone). */
  fail(message: string): void {
    const error = new EngineError({ name: 'EngineStoppedError', message });
    for (const job of [...this.jobs]) {
      job.release();
      job.emit({ type: 'failed', error: serializeError(error) });
      job.reject(error);
      this.jobs.delete(job);
    }
  }

  /** Sends `job` to the current core (again, after a replacement). */
  async submit(job: TrackedJob): Promise<void> {
    await this._link.replacing();
    const generation = this._link.generation();
    const conn = this._link.conn();
    job.generation = generation;
    job.id = null;
    job.running = false;
    job.live = true;
    const listener: JobListener = (event: JobEvent) => {
      if (job.generation === generation && job.live) {
        this._onEvent(job, event);
      }
    };
    try {
      const id = await conn.core.submit(
        job.request,
        conn.remote ? Comlink.proxy(listener) : listener
      );
      if (job.generation === generation) {
        job.id = id;
        if (job.cancelRequested) {
          void Promise.resolve(conn.core.cancel(id)).catch(() => undefined);
        }
      }
    } catch (reason) {
      job.release();
      this.jobs.delete(job);
      job.reject(toError(reason));
    }
  }

  private _onEvent(job: TrackedJob, event: JobEvent): void {
    if (event.type === 'running') {
      job.running = true;
      job.watchdog.start();
    } else if (event.type === 'frame' || event.type === 'progress') {
      job.watchdog.beat();
    }
    if (event.type === 'interrupted' && event.backend) {
      // The engine says what failed; the page adds what happens next.
      event = { ...event, reason: interruption(event.backend, event.reason) };
    }
    job.emit(event);
    if (!job.finish(event)) {
      return;
    }
    job.release();
    this.jobs.delete(job);
    this._link.jobEnded();
  }

  private _cancel(job: TrackedJob): void {
    if (job.settled) {
      return;
    }
    job.cancelSoon();
    if (job.id !== null && job.generation === this._link.generation()) {
      void Promise.resolve(this._link.conn().core.cancel(job.id)).catch(
        () => undefined
      );
    }
  }
}

/** An engine failure as the page's typed error. */
export function toError(reason: unknown): Error {
  return reason instanceof FeatureVizError
    ? reason
    : new EngineError(serializeError(reason));
}
