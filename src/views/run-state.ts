/**
 * The life of one visualization run, as its view shows it. Pure: the output
 * feeds it the engine's own job events (plus `submit` and `stored`), and the
 * views draw what it returns, so the rules are tested alone.
 *
 *   idle ─submit→ queued ─running→ running ─done→ done
 *            stored ─submit→ queued  │  │  └─failed→ failed
 *                                    │  └─cancelled→ cancelled
 *   done / cancelled / failed ─submit→ queued     (queued may be cancelled
 *                                                  or fail too)
 *   running ─interrupted→ interrupted ─submit→ queued   (the backend failed
 *                          under the run: its last frame stays, the reason
 *                          is shown, a re-run goes to the next backend)
 */
import type { JobEvent } from '../engine/runtime/protocol';

export type RunStateName =
  | 'idle'
  | 'stored'
  | 'queued'
  | 'running'
  | 'done'
  | 'cancelled'
  | 'failed'
  | 'interrupted';

export interface IRunState {
  readonly state: RunStateName;
  /** Jobs ahead of this one while queued. */
  readonly position: number | null;
  readonly backend: string | null;
  /** 0 to 1. */
  readonly progress: number;
  readonly etaMs: number | null;
  readonly step: number;
  readonly steps: number;
  readonly error: string | null;
  /** Why a run was cancelled or interrupted, when not by its own Cancel. */
  readonly reason: string | null;
  readonly fallback: string | null;
  /** The channels the job announced when it started (a layer atlas's). */
  readonly channels: readonly number[] | null;
  /**
   * What `step` and `steps` count, plural: "steps" for animations; a job
   * without frames says in its progress events ("images").
   */
  readonly unit: string;
}

/**
 * What moves a run on: every event of the engine's job, as the engine sends
 * it, and two of the output's own: `submit` (a run is asked for) and `stored`
 * (a saved result is shown). When the engine's promise rejects, the output
 * sends the engine's `cancelled` or `failed` event itself.
 */
export type RunEvent =
  JobEvent | { readonly type: 'submit' } | { readonly type: 'stored' };

export const INITIAL: IRunState = {
  state: 'idle',
  position: null,
  backend: null,
  progress: 0,
  etaMs: null,
  step: 0,
  steps: 0,
  error: null,
  reason: null,
  fallback: null,
  channels: null,
  unit: 'steps'
};

const FINISHED: readonly RunStateName[] = [
  'done',
  'cancelled',
  'failed',
  'interrupted'
];

/** Whether a run in this state may be started (again). */
export function canStart(state: RunStateName): boolean {
  return state === 'idle' || state === 'stored' || FINISHED.includes(state);
}

/** Whether a run in this state can be cancelled. */
export function canCancel(state: RunStateName): boolean {
  return state === 'queued' || state === 'running';
}

/** Whether `next` starts a new run after `previous`: views forget old frames. */
export function startsNewRun(previous: IRunState, next: IRunState): boolean {
  return next.state === 'queued' && !canCancel(previous.state);
}

/** The next state; events that make no sense in a state are ignored. */
export function reduce(current: IRunState, event: RunEvent): IRunState {
  const { state } = current;
  switch (event.type) {
    case 'submit':
      return canStart(state) ? { ...INITIAL, state: 'queued' } : current;
    case 'stored':
      return state === 'idle' ? { ...INITIAL, state: 'stored' } : current;
    case 'queued':
      return state === 'queued'
        ? { ...current, position: event.position }
        : current;
    case 'running':
      return canCancel(state)
        ? {
            ...current,
            state: 'running',
            position: null,
            backend: event.backend,
            channels: event.channels ?? current.channels
          }
        : current;
    case 'fallback':
      return state === 'running'
        ? {
            ...current,
            backend: event.to,
            fallback: `${event.from} lacked a kernel; running on ${event.to}`
          }
        : current;
    case 'frame':
      return state === 'running'
        ? {
            ...current,
            step: event.frame.step,
            steps: event.frame.steps,
            progress: event.progress,
            etaMs: event.etaMs
          }
        : current;
    case 'progress':
      return state === 'running'
        ? {
            ...current,
            step: event.done,
            steps: event.total,
            unit: event.unit,
            progress: event.total > 0 ? event.done / event.total : 0,
            etaMs: event.etaMs
          }
        : current;
    case 'done':
      return state === 'running'
        ? { ...current, state: 'done', progress: 1, etaMs: 0 }
        : current;
    case 'cancelled':
      return canCancel(state)
        ? {
            ...current,
            state: 'cancelled',
            reason: event.reason ?? null,
            etaMs: null
          }
        : current;
    case 'interrupted':
      return canCancel(state)
        ? {
            ...current,
            state: 'interrupted',
            reason: event.reason,
            error: event.reason,
            etaMs: null
          }
        : current;
    case 'failed':
      return canCancel(state)
        ? {
            ...current,
            state: 'failed',
            error: event.error.message,
            etaMs: null
          }
        : current;
  }
}

/** Words for the state, for the status line and screen readers. */
export function describeState(run: IRunState): string {
  switch (run.state) {
    case 'idle':
      return 'Not started';
    case 'stored':
      return 'Saved result';
    case 'queued':
      return run.position ? `Queued (${run.position} ahead)` : 'Queued';
    case 'running':
      return `Running: ${counted(run)}${run.etaMs !== null && run.etaMs > 0 ? `, about ${formatDuration(run.etaMs)} left` : ''}`;
    case 'done':
      // A job that reported no steps or items (reading filters) is just done.
      return run.steps > 0
        ? `Done: ${run.steps.toLocaleString('en-US')} ${run.unit}`
        : 'Done';
    case 'cancelled':
      return `Cancelled${run.reason ? `: ${run.reason},` : ''} ${
        run.unit === 'steps'
          ? `at step ${run.step}`
          : `after ${run.step.toLocaleString('en-US')} ${run.unit}`
      }`;
    case 'interrupted':
      return `Interrupted ${
        run.unit === 'steps'
          ? `at step ${run.step}`
          : `after ${run.step.toLocaleString('en-US')} ${run.unit}`
      }`;
    case 'failed':
      return 'Failed';
  }
}

/** "step 3 of 8", or for other units "3,000 of 10,000 images". */
function counted(run: IRunState): string {
  return run.unit === 'steps'
    ? `step ${run.step} of ${run.steps}`
    : `${run.step.toLocaleString('en-US')} of ${run.steps.toLocaleString('en-US')} ${run.unit}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return '<1 s';
  }
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds} s`
    : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
