/**
 * What the attribution methods share around their batches
 * (docs/architecture.md, "Attribution"): how many copies of an input one
 * forward pass takes, cancellation between batches, and progress.
 */
import { CancelledError } from '../errors';
import type { IExecutor } from '../model/executor';

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
