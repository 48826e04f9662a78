/**
 * Which outputs the kernel has just displayed in this page (docs/architecture.md,
 * "Trust and safety"). An output computes by itself only when its cell ran
 * now: the renderer plugin notes every featureviz display message a kernel
 * sends, as the message arrives (before JupyterLab adds the output), and the
 * output claims its note when it renders. An output read from a saved
 * notebook — opened, or trusted later — finds no note: it shows its saved
 * result or a Run button, and starts nothing.
 */
import { specHash } from '../spec/hash';

/** How long a note waits for its output (a cell scrolled far out of view). */
const NOTE_TTL_MS = 10 * 60 * 1000;
/** At most this many unclaimed notes are kept, the oldest dropped first. */
const MAX_NOTES = 1000;

export class FreshOutputs {
  /** Spec hash → when each unclaimed display of it arrived. */
  private readonly _notes = new Map<string, number[]>();
  private _count = 0;

  constructor(private readonly _now: () => number = () => Date.now()) {}

  /** Notes that a kernel just displayed an output with this spec. */
  note(spec: unknown): void {
    const hash = specHash(spec);
    const times = this._notes.get(hash) ?? [];
    times.push(this._now());
    this._notes.set(hash, times);
    this._count++;
    this._prune();
  }

  /**
   * Whether a kernel just displayed an output with this spec hash that no
   * output has claimed yet; claims it (true once per display).
   */
  claim(hash: string): boolean {
    this._prune();
    const times = this._notes.get(hash);
    if (!times?.length) {
      return false;
    }
    times.shift();
    this._count--;
    if (times.length === 0) {
      this._notes.delete(hash);
    }
    return true;
  }

  private _prune(): void {
    const oldest = this._now() - NOTE_TTL_MS;
    for (const [hash, times] of this._notes) {
      while (times.length && (times[0] < oldest || this._count > MAX_NOTES)) {
        times.shift();
        this._count--;
      }
      if (times.length === 0) {
        this._notes.delete(hash);
      }
    }
  }
}
