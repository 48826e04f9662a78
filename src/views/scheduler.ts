/**
 * Painting at the display's rate (docs/architecture.md, "Memory and speed"):
 * frames may arrive faster than the screen refreshes, and each one asks
 * for a paint; the view paints once, in the next animation frame, what is
 * newest then. Nothing is painted while the page is hidden.
 */
export interface IPaintScheduler {
  /** Paints in the next animation frame (once, however often asked). */
  request(): void;
}

export function paintScheduler(
  paint: () => void,
  signal: AbortSignal
): IPaintScheduler {
  let pending: number | null = null;
  const run = () => {
    pending = null;
    if (!signal.aborted) {
      paint();
    }
  };
  signal.addEventListener(
    'abort',
    () => {
      if (pending !== null) {
        cancelAnimationFrame(pending);
        pending = null;
      }
    },
    { once: true }
  );
  return {
    request() {
      if (pending === null && !signal.aborted) {
        pending = requestAnimationFrame(run);
      }
    }
  };
}
