/**
 * Painting at an animation's pace (docs/architecture.md, "Memory and speed"):
 * frames may arrive faster than they can be looked at, and each asks for a
 * paint; the view paints once, in an animation frame at least
 * PAINT_INTERVAL_MS after its last paint, what is newest then (every paint
 * makes the browser update the notebook's rendering, tens of milliseconds
 * on a loaded machine). Nothing is painted while the page is hidden.
 */
export interface IPaintScheduler {
  /** Paints soon (once, however often asked). */
  request(): void;
}

/** The player's playback pace: as smooth as the animation is. */
export const PAINT_INTERVAL_MS = 80;

export function paintScheduler(
  paint: () => void,
  signal: AbortSignal,
  intervalMs = PAINT_INTERVAL_MS
): IPaintScheduler {
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  const run = () => {
    frame = null;
    if (!signal.aborted) {
      last = performance.now();
      paint();
    }
  };
  signal.addEventListener(
    'abort',
    () => {
      if (frame !== null) {
        cancelAnimationFrame(frame);
      }
      if (timer !== null) {
        clearTimeout(timer);
      }
      frame = timer = null;
    },
    { once: true }
  );
  return {
    request() {
      if (frame !== null || timer !== null || signal.aborted) {
        return;
      }
      const wait = last + intervalMs - performance.now();
      if (wait <= 0) {
        frame = requestAnimationFrame(run);
        return;
      }
      timer = setTimeout(() => {
        timer = null;
        frame = requestAnimationFrame(run);
      }, wait);
    }
  };
}
