/**
 * What a run that threw becomes: the event its run state takes (cancelled,
 * interrupted by its backend, or failed) and the message the kernel is
 * sent, which must agree with what the output shows.
 */
import { CancelledError, InterruptedError } from '../engine/errors';
import { serializeError } from '../engine/runtime/protocol';
import type { RunEvent } from '../views/run-state';

export interface IRunFailure {
  readonly event: RunEvent;
  /** What the kernel is told (KernelLink.failed). */
  readonly message: string;
}

/**
 * `aborted`: whether the run's own signal was aborted (a cancel that
 * surfaced as another error); `cancelReason`: why, when not by its own
 * Cancel button.
 */
export function runFailure(
  reason: unknown,
  aborted: boolean,
  cancelReason: string | null
): IRunFailure {
  const cancelled = reason instanceof CancelledError || aborted;
  return {
    event: cancelled
      ? { type: 'cancelled', reason: cancelReason ?? undefined }
      : reason instanceof InterruptedError
        ? { type: 'interrupted', backend: null, reason: reason.message }
        : { type: 'failed', error: serializeError(reason) },
    message: cancelled
      ? `The run was cancelled${cancelReason ? `: ${cancelReason}` : ''}.`
      : serializeError(reason).message
  };
}
