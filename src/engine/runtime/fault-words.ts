/**
 * What a job ended by a fault says (docs/architecture.md, "One engine per
 * page"): what went wrong, and what the engine did about it.
 */
import type { BackendName } from './capabilities';
import type { IMissedStep } from './watchdog';

/** An interrupted run: the fault, and that a re-run moves on. */
export function interruption(backend: BackendName, reason: string): string {
  return `${reason}. Feature Viz stopped using ${backend.toUpperCase()}; Re-run computes this on the next backend`;
}

/** A job whose step missed the watchdog's deadline. */
export function missedStep(missed: IMissedStep): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return missed.longestGapMs === null
    ? `The job stopped answering: it showed nothing within ${seconds(missed.deadlineMs)} of starting. The engine was restarted; Re-run to try again`
    : `The job stopped answering: a step took over ${seconds(missed.deadlineMs)} (steps took at most ${seconds(missed.longestGapMs)} before). The engine was restarted; Re-run to try again`;
}
