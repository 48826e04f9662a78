/**
 * Occlusion over the engine's pool (docs/architecture.md, "Memory and
 * speed"): every position of the square is its own forward pass, so the
 * grid's positions are cut into one contiguous share per worker, each share
 * runs its positions on the same input and unit, and the values (and
 * predicted classes) are put back in position order: the map is then made
 * once, as with one worker. With one worker the positions run here.
 */
import * as tf from '@tensorflow/tfjs';
import { splitBatches, type IShareContext } from '../dataset/pass-shares';
import type {
  IOcclusionShare,
  IOcclusionShareResult,
  ISharePool
} from '../runtime/pool/share-protocol';
import { type OcclusionPass, occludePositions } from './occlusion';
import { unitOf } from './unit';

/** What an occlusion over the pool needs besides its input. */
export type IOcclusionWork = Omit<
  IOcclusionShare,
  'kind' | 'grid' | 'range' | 'input' | 'shape'
>;

/**
 * The positions of an occlusion of `x` split over the pool, or undefined
 * (run them here) with one worker.
 */
export async function pooledOcclusion(
  pool: ISharePool | undefined,
  x: tf.Tensor4D,
  work: IOcclusionWork
): Promise<OcclusionPass | undefined> {
  if (!pool || pool.size < 2) {
    return undefined;
  }
  // The workers get the input as the model takes it, once per share.
  const input = (await x.data()) as Float32Array;
  const shape = x.shape;
  return async (grid, range, hooks) => {
    const total = range[1] - range[0];
    const parts = await pool.run<'occlusion'>(
      splitBatches(range, 1, pool.size).map(share => ({
        kind: 'occlusion',
        ...work,
        input,
        shape,
        grid,
        range: share
      })),
      hooks.signal ?? new AbortController().signal,
      done => hooks.onProgress?.(done, total)
    );
    const values = new Float32Array(total);
    const predicted = work.predict ? new Int32Array(total) : null;
    let offset = 0;
    for (const part of parts) {
      values.set(part.values, offset);
      if (predicted && part.predicted) {
        predicted.set(part.predicted, offset);
      }
      offset += part.values.length;
    }
    return { values, predicted };
  };
}

/** Runs one share of an occlusion in a pool worker (or in the core itself). */
export async function runOcclusionShare(
  share: IOcclusionShare,
  context: IShareContext
): Promise<IOcclusionShareResult> {
  const handle = await context.models.acquire(share.model, context.signal);
  const x = tf.tensor4d(share.input, [...share.shape]);
  try {
    const { executor } = handle;
    return await occludePositions(
      executor,
      unitOf(executor, share.target),
      x,
      share.grid,
      { fill: share.fill, predict: share.predict },
      share.range,
      { signal: context.signal, onProgress: done => context.onProgress(done) }
    );
  } finally {
    x.dispose();
    handle.release();
  }
}
