/**
 * How a job is run and what it says while it runs, as the page receives it:
 * its events, each plain data that survives structured cloning.
 */
import type { IFrame } from '../optvis/render';
import type { BackendName } from './capabilities';
import type { IJobSummary, JobResult } from './job-kinds';
import type { ISerializedError } from './serialize-error';

export type JobState = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';

/** How a job is run: cancellation and the events it emits. */
export interface IRunOptions {
  /** Cancels the job, queued or running; run() then rejects with CancelledError. */
  readonly signal?: AbortSignal;
  /** Every event of the job: queued, running, frames, fallback, the end. */
  readonly onEvent?: (event: JobEvent) => void;
}

export type JobEvent =
  | { readonly type: 'queued'; readonly position: number }
  | {
      readonly type: 'running';
      readonly backend: BackendName;
      /** A layer atlas's channels, one per image, in order. */
      readonly channels?: readonly number[];
    }
  | {
      readonly type: 'fallback';
      readonly from: BackendName;
      readonly to: BackendName;
      readonly reason: string;
    }
  | {
      readonly type: 'frame';
      readonly frame: IFrame;
      /** Fraction of steps done, 0 to 1. */
      readonly progress: number;
      /** Estimated milliseconds to finish. */
      readonly etaMs: number | null;
    }
  | {
      /** Progress of a job that has no frames: items done of a total. */
      readonly type: 'progress';
      readonly done: number;
      readonly total: number;
      /** What is counted, plural ("images"). */
      readonly unit: string;
      /** Estimated milliseconds to finish; null until the pace is known. */
      readonly etaMs: number | null;
    }
  | {
      readonly type: 'done';
      readonly summary: IJobSummary;
      /** The job's result, for kinds that have one (its buffers transferred). */
      readonly result?: JobResult;
    }
  | {
      readonly type: 'cancelled';
      /** Why, when not by its own Cancel ("the kernel restarted"). */
      readonly reason?: string;
    }
  | { readonly type: 'failed'; readonly error: ISerializedError }
  | {
      /**
       * The backend failed under the job (a lost WebGL or WebGPU context):
       * its last good frame stays, and a re-run goes to the next backend
       * (docs/architecture.md, "One engine per page").
       */
      readonly type: 'interrupted';
      readonly backend: BackendName | null;
      readonly reason: string;
    };
