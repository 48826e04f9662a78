/**
 * The page's watchdog over the running job (docs/architecture.md, "One
 * engine per page"). It lives on the page, not in the engine's worker, so
 * that it works while the worker's thread is blocked inside a kernel or
 * waits forever on a lost GPU context. Each step (each frame or progress
 * event) gets a deadline derived from the gaps measured so far: `factor`
 * times the longest gap, never under `minMs` nor over `maxMs`; until the
 * first event (loading the model, compiling shaders) the deadline is
 * `firstMs`. A missed deadline calls `onMiss` once.
 */

export interface IWatchdogOptions {
  /** The deadline for the first event after the job starts running. */
  readonly firstMs: number;
  /** The shortest deadline a step gets (timers, garbage collection, a busy machine). */
  readonly minMs: number;
  /** The longest deadline a step gets. */
  readonly maxMs: number;
  /** The deadline as a multiple of the longest gap between events so far. */
  readonly factor: number;
}

export const WATCHDOG_DEFAULTS: IWatchdogOptions = {
  firstMs: 120_000,
  minMs: 10_000,
  maxMs: 120_000,
  factor: 10
};

/** What the watchdog saw when a step missed its deadline. */
export interface IMissedStep {
  /** The deadline that passed, in milliseconds. */
  readonly deadlineMs: number;
  /** The longest gap between events before it; null before the first event. */
  readonly longestGapMs: number | null;
  /** Events seen (frames or progress) before the miss. */
  readonly beats: number;
}

/** The deadline for the next event, given the longest gap so far. */
export function stepDeadline(
  longestGapMs: number | null,
  options: IWatchdogOptions = WATCHDOG_DEFAULTS
): number {
  if (longestGapMs === null) {
    return options.firstMs;
  }
  return Math.min(
    options.maxMs,
    Math.max(options.minMs, options.factor * longestGapMs)
  );
}

export class StepWatchdog {
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _last = 0;
  private _longest: number | null = null;
  private _beats = 0;
  private _stopped = true;

  constructor(
    private readonly _onMiss: (missed: IMissedStep) => void,
    private readonly _options: IWatchdogOptions = WATCHDOG_DEFAULTS,
    private readonly _now: () => number = () => performance.now()
  ) {}

  /** The job started running: the first deadline begins. */
  start(): void {
    this._stopped = false;
    this._last = this._now();
    this._arm();
  }

  /** A frame or progress event arrived: the step ended in time. */
  beat(): void {
    if (this._stopped) {
      return;
    }
    const now = this._now();
    const gap = now - this._last;
    this._longest = Math.max(this._longest ?? 0, gap);
    this._last = now;
    this._beats++;
    this._arm();
  }

  /** The job ended (or is no longer watched). */
  stop(): void {
    this._stopped = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** The deadline of the step under way, in milliseconds. */
  get deadlineMs(): number {
    return stepDeadline(this._longest, this._options);
  }

  private _arm(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    const deadlineMs = this.deadlineMs;
    const missed: IMissedStep = {
      deadlineMs,
      longestGapMs: this._longest,
      beats: this._beats
    };
    this._timer = setTimeout(() => {
      this._timer = null;
      if (!this._stopped) {
        this._stopped = true;
        this._onMiss(missed);
      }
    }, deadlineMs);
  }
}
