/**
 * What the attribution methods share around their batches
 * (docs/architecture.md, "Attribution"): how many copies of an input one
 * forward pass takes, cancellation between batches, and progress.
 */
import { CancelledError } from '../errors';
import type { IExecutor } from '../model/executor';
import { nextTick } from '../tick';

/** Activation values one batch may hold at its widest layer (64 MB of float32). */
const ACTIVATION_BUDGET = 2 ** 24;
const MAX_BATCH = 256;

/**
 * How many inputs one pass takes: as many as keep the widest layer's
 * activations within the budget (per-op overhead dominates small batches on
 * WASM, docs/architecture.md "Memory and speed").
 */
export function batchSize(executor: IExecutor): number {
  const [, h, w, c] = executor.inputShape;
  let widest = (h ?? 224) * (w ?? 224) * c;
  for (const layer of executor.layerNames) {
    let shape: readonly (number | null)[];
    try {
      shape = executor.outputShape(layer);
    } catch {
      continue; // a layer no unit can read (several outputs): not run
    }
    const size = shape.slice(1).reduce<number>((a, d) => a * (d ?? 224), 1);
    widest = Math.max(widest, size);
  }
  return Math.max(
    1,
    Math.min(MAX_BATCH, Math.floor(ACTIVATION_BUDGET / widest))
  );
}

/**
 * Batch sizes that keep each batch near `targetMs`: big enough that per-op
 * overhead does not dominate, small enough that Cancel and progress come
 * within a fraction of a second (docs/architecture.md, "Attribution"). The
 * first batch is small; each later one is sized from the pace so far.
 */
export class BatchPacer {
  private _size: number;
  private _started = 0;

  constructor(
    private readonly _max: number,
    first = 4,
    private readonly _targetMs = 200
  ) {
    this._size = Math.max(1, Math.min(first, _max));
  }

  /** How many items the next batch takes (at most `left`); starts its clock. */
  next(left: number): number {
    this._started = performance.now();
    return Math.min(this._size, left);
  }

  /** Records that the batch of `count` items is done. */
  done(count: number): void {
    const perItem = (performance.now() - this._started) / Math.max(1, count);
    const size =
      perItem > 0 ? Math.round(this._targetMs / perItem) : this._size * 2;
    // Grow at most fourfold at a time: one quick batch is no promise.
    this._size = Math.max(1, Math.min(this._max, size, this._size * 4));
  }
}

/** Cancellation and progress, as a method's caller gives them. */
export interface IMethodHooks {
  readonly signal?: AbortSignal;
  /** Called after each batch with how many items of `total` are done. */
  readonly onProgress?: (done: number, total: number) => void;
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new CancelledError();
  }
}

/**
 * Between two batches: lets the event loop through (a Cancel message, the
 * page's own work when the engine runs on the main thread), then stops if
 * the job was cancelled.
 */
export async function checkpoint(signal?: AbortSignal): Promise<void> {
  await nextTick();
  throwIfCancelled(signal);
}
