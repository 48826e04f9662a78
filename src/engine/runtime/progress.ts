/**
 * Progress of a job that counts items (images of a dataset pass, say): the
 * `progress` event after each batch, with an ETA from the pace after the
 * first batch, which pays for warm-up (shader compilation, WASM start) and
 * would make the estimate far too long (docs/architecture.md, "Jobs").
 */
import type { JobEvent } from './protocol';

export type ProgressEvent = Extract<JobEvent, { type: 'progress' }>;

export class ProgressClock {
  private readonly _started: number;
  private _first: { done: number; at: number } | null = null;

  constructor(
    private readonly _total: number,
    private readonly _unit: string,
    private readonly _now: () => number = () => performance.now()
  ) {
    this._started = _now();
  }

  /** Milliseconds since the clock started. */
  get elapsedMs(): number {
    return this._now() - this._started;
  }

  /** The event for `done` items done; the first call marks the warm-up's end. */
  tick(done: number): ProgressEvent {
    const at = this._now();
    let etaMs: number | null = null;
    if (this._first === null) {
      this._first = { done, at };
    } else if (done > this._first.done) {
      const pace = (at - this._first.at) / (done - this._first.done);
      etaMs = pace * Math.max(0, this._total - done);
    }
    return {
      type: 'progress',
      done,
      total: this._total,
      unit: this._unit,
      etaMs
    };
  }
}
