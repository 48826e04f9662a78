/**
 * A pool worker's partial payloads in flight to the core (docs/architecture.md,
 * "Memory and speed"). Awaiting each one's delivery stalled the share: the
 * core answers only between its own steps, so a worker waited up to a whole
 * step per frame. The window lets the share go on while up to `size`
 * payloads travel, waits once that many are unanswered (so a slow core
 * holds a bounded number of frames), and `drain` waits for every one:
 * payloads travel on the callback's own port, so the result, on another,
 * must not leave before them. A delivery that failed fails the next send
 * or the drain.
 */
export class PartialWindow<P> {
  private readonly _inFlight = new Set<Promise<void>>();
  private _failure: { reason: unknown } | null = null;

  constructor(
    private readonly _deliver: (partial: P) => Promise<void> | void,
    private readonly _size = 4
  ) {}

  /** Sends a payload; resolves once fewer than `size` are unanswered. */
  async send(partial: P): Promise<void> {
    this._throwIfFailed();
    const delivery: Promise<void> = Promise.resolve(this._deliver(partial))
      .catch(reason => {
        this._failure ??= { reason };
      })
      .finally(() => this._inFlight.delete(delivery));
    this._inFlight.add(delivery);
    while (this._inFlight.size >= this._size) {
      await Promise.race(this._inFlight);
    }
    this._throwIfFailed();
  }

  /** Resolves once every payload sent has been answered. */
  async drain(): Promise<void> {
    while (this._inFlight.size > 0) {
      await Promise.all(this._inFlight);
    }
    this._throwIfFailed();
  }

  private _throwIfFailed(): void {
    if (this._failure) {
      throw this._failure.reason;
    }
  }
}
