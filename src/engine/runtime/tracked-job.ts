/**
 * One job as the page's engine client follows it (client.ts): its request
 * (to submit it again to a replacement engine while it is still queued),
 * where it stands, its watchdog, and the promise run() returned. A job can
 * end on the page before the engine lets go of it (a Cancel the engine has
 * not answered within CANCEL_MS): it is then `settled` but still `live`,
 * and its watchdog keeps watching the engine.
 */
import {
  CancelledError,
  type FeatureVizError,
  InterruptedError,
  JobTimeoutError
} from '../errors';
import type { BackendName } from './capabilities';
import { EngineError } from './connection';
import {
  type IJobSummary,
  type IRunOptions,
  type JobEvent,
  type JobRequest,
  serializeError
} from './protocol';
import {
  type IMissedStep,
  type IWatchdogOptions,
  StepWatchdog
} from './watchdog';

/** Cancel ends a job on the page within this, whatever the backend does. */
export const CANCEL_MS = 800;

export class TrackedJob {
  /** The engine's id for it, once submitted. */
  id: string | null = null;
  /** Which engine (the client's generation) has it. */
  generation = -1;
  /** Whether the engine started running it. */
  running = false;
  /** Whether run()'s promise has settled. */
  settled = false;
  /** Whether an engine still holds it (queued or running there). */
  live = false;
  cancelRequested = false;
  readonly watchdog: StepWatchdog;
  private _cancelTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly request: JobRequest,
    private readonly _options: IRunOptions,
    private readonly _resolve: (summary: IJobSummary) => void,
    private readonly _reject: (error: Error) => void,
    onMiss: (job: TrackedJob, missed: IMissedStep) => void,
    watchdog?: IWatchdogOptions
  ) {
    this.watchdog = new StepWatchdog(missed => onMiss(this, missed), watchdog);
  }

  /** Sends an event to the job's owner (nothing after it settled). */
  emit(event: JobEvent): void {
    if (!this.settled) {
      this._options.onEvent?.(event);
    }
  }

  /** Ends run()'s promise with the summary. */
  resolve(summary: IJobSummary): void {
    if (this._settle()) {
      this._resolve(summary);
    }
  }

  /** Ends run()'s promise with an error. */
  reject(error: FeatureVizError | Error): void {
    if (this._settle()) {
      this._reject(error);
    }
  }

  /** Ends the job on the page after CANCEL_MS if the engine has not. */
  cancelSoon(): void {
    this.cancelRequested = true;
    this._cancelTimer ??= setTimeout(() => {
      this.emit({ type: 'cancelled' });
      this.reject(new CancelledError());
    }, CANCEL_MS);
  }

  /**
   * Ends run()'s promise as the engine's last event of the job says; false
   * for an event that does not end it.
   */
  finish(event: JobEvent): boolean {
    switch (event.type) {
      case 'done':
        this.resolve(event.summary);
        return true;
      case 'failed':
        this.reject(new EngineError(event.error));
        return true;
      case 'cancelled':
        this.reject(new CancelledError());
        return true;
      case 'interrupted':
        this.reject(new InterruptedError(event.reason));
        return true;
      default:
        return false;
    }
  }

  /** The engine let go of it (it ended there, or the engine was replaced). */
  release(): void {
    this.live = false;
    this.watchdog.stop();
  }

  private _settle(): boolean {
    if (this.settled) {
      return false;
    }
    this.settled = true;
    if (this._cancelTimer !== null) {
      clearTimeout(this._cancelTimer);
      this._cancelTimer = null;
    }
    return true;
  }
}

/**
 * Ends the jobs of an engine being replaced: the running one (and any the
 * page already ended) leave `jobs` ending with `reason`, as `how` says;
 * the ones still waiting stay, and are returned to be submitted again.
 */
export function endForReplacement(
  jobs: Set<TrackedJob>,
  how: 'failed' | 'interrupted',
  reason: string,
  backend: BackendName | null
): TrackedJob[] {
  const waiting: TrackedJob[] = [];
  for (const job of [...jobs]) {
    job.release();
    if (!job.settled && !job.running) {
      waiting.push(job);
      continue;
    }
    jobs.delete(job);
    if (how === 'interrupted') {
      job.emit({ type: 'interrupted', backend, reason });
      job.reject(new InterruptedError(reason));
    } else {
      const error = new JobTimeoutError(reason);
      job.emit({ type: 'failed', error: serializeError(error) });
      job.reject(error);
    }
  }
  return waiting;
}
