/**
 * Which buffers a worker transfers with an event instead of copying them
 * (docs/architecture.md, "Jobs").
 */
import type { JobEvent } from './job-events';

/**
 * The buffers of an event's typed arrays (a frame's pixels, a result's
 * arrays), each once: what a worker transfers instead of copying. A typed
 * array sent this way must own its whole buffer (a view into a larger buffer
 * would take the rest with it).
 */
export function transferables(event: JobEvent): ArrayBuffer[] {
  if (event.type === 'frame') {
    return buffersIn(event.frame);
  } else if (event.type === 'done') {
    return buffersIn(event.result);
  }
  return [];
}

/** The buffers of every typed array in `value` (a frame, a result). */
export function buffersIn(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number): void => {
    if (ArrayBuffer.isView(value)) {
      // Not `instanceof`: a buffer from another realm (a test's VM) is one
      // too. A SharedArrayBuffer is shared, never transferred.
      if (
        Object.prototype.toString.call(value.buffer) === '[object ArrayBuffer]'
      ) {
        found.add(value.buffer as ArrayBuffer);
      }
    } else if (typeof value === 'object' && value !== null && depth < 8) {
      for (const item of Object.values(value)) {
        visit(item, depth + 1);
      }
    }
  };
  visit(value, 0);
  return [...found];
}
