/**
 * The activation pass split over the engine's pool (docs/architecture.md,
 * "Memory and speed"): the examples cut into one contiguous share per
 * worker, on the single-worker pass's batch boundaries (each share computes
 * the very batches one worker would), each share's partial top and bottom k
 * merged exactly (`mergeRanked`). With one worker, or too few batches to
 * share, the pass runs here as before.
 */
import { CancelledError } from '../errors';
import type { IExecutor } from '../model/executor';
import type { ModelCache } from '../runtime/model-cache';
import type { IModelRequest } from '../runtime/protocol';
import type {
  IPassShare,
  IPassShareResult,
  ISharePool
} from '../runtime/pool/share-protocol';
import {
  type IPassOptions,
  type IPassResult,
  activationPass,
  resolveUnit
} from './activation-pass';
import { type IDataset, type IInputFit, fitTo } from './dataset';
import { joinScores } from './histogram';
import type { DataRequest, DatasetStore } from './store';
import { mergeRanked } from './top-k';

/** Contiguous shares of [start, end) in whole batches, as even as they come. */
export function splitBatches(
  range: readonly [number, number],
  batchSize: number,
  parts: number
): [number, number][] {
  const [start, end] = range;
  const batches = Math.ceil((end - start) / batchSize);
  const count = Math.max(1, Math.min(parts, batches));
  const shares: [number, number][] = [];
  let first = 0;
  for (let i = 0; i < count; i++) {
    const last = Math.round(((i + 1) * batches) / count);
    shares.push([
      start + first * batchSize,
      Math.min(end, start + last * batchSize)
    ]);
    first = last;
  }
  return shares;
}

/** What a pass over the pool needs beyond the single-worker pass's options. */
export interface IPooledPass {
  readonly pool?: ISharePool;
  /** The share's request parts (the model and data, as the job gave them). */
  readonly share: Omit<IPassShare, 'range' | 'k' | 'bottom' | 'batchSize'>;
}

/** The pass over `options.range`, split over the pool when it has workers. */
export async function pooledActivationPass(
  options: IPassOptions,
  pooled: IPooledPass
): Promise<IPassResult> {
  const { pool } = pooled;
  const shares =
    pool && pool.size > 1
      ? splitBatches(options.range, options.batchSize, pool.size)
      : [];
  if (!pool || shares.length < 2) {
    return activationPass(options);
  }
  const signal = options.signal ?? new AbortController().signal;
  const parts = await pool.run<'activation-pass'>(
    shares.map(range => ({
      ...pooled.share,
      range,
      k: Math.min(options.k, range[1] - range[0]),
      bottom: options.bottom,
      batchSize: options.batchSize,
      ...(options.keepScores ? { keepScores: true } : {})
    })),
    signal,
    done => options.onBatch?.(done)
  );
  return mergePasses(parts, options.k, options.bottom, options.keepScores);
}

/** The exact top (and bottom) k of the shares' partial results. */
export function mergePasses(
  parts: readonly IPassShareResult[],
  k: number,
  bottom: boolean,
  keepScores = false
): IPassResult {
  return {
    top: mergeRanked(
      parts.map(p => p.top),
      k,
      'top'
    ),
    bottom: bottom
      ? mergeRanked(
          parts.map(p => p.bottom).filter(p => p !== null),
          k,
          'bottom'
        )
      : null,
    // Shares are contiguous and in order: their scores join end to end.
    scores: keepScores
      ? joinScores(parts.map(p => p.scores ?? new Float32Array(0)))
      : null
  };
}

/** What a worker runs a pass share with. */
export interface IShareContext {
  readonly models: ModelCache;
  readonly datasets: DatasetStore;
  readonly signal: AbortSignal;
  readonly onProgress: (done: number) => void;
}

/** What a share reads: its model's executor, its dataset and their fit. */
export interface IShareInput {
  readonly executor: IExecutor;
  readonly dataset: IDataset;
  readonly fit: IInputFit;
}

/**
 * Runs `use` on a share's model and dataset (loaded from this worker's
 * caches, fed from the core's bytes), releasing the model however it ends.
 */
export async function withShareInput<T>(
  share: { readonly model: IModelRequest; readonly data: DataRequest },
  context: IShareContext,
  use: (input: IShareInput) => Promise<T>
): Promise<T> {
  const handle = await context.models.acquire(share.model, context.signal);
  try {
    const executor: IExecutor = handle.executor;
    const [, h, w, c] = executor.inputShape;
    const { dataset } = await context.datasets.load(
      share.data,
      [h ?? 0, w ?? 0, c],
      context.signal
    );
    if (context.signal.aborted) {
      throw new CancelledError();
    }
    const fit = fitTo(
      dataset,
      executor.inputShape,
      handle.loaded.metadata.inputRange
    );
    return await use({ executor, dataset, fit });
  } finally {
    handle.release();
  }
}

/** Runs one share of a pass in a pool worker (or in the core itself). */
export async function runPassShare(
  share: IPassShare,
  context: IShareContext
): Promise<IPassShareResult> {
  return withShareInput(share, context, ({ executor, dataset, fit }) =>
    activationPass({
      executor,
      dataset,
      range: share.range,
      fit,
      unit: resolveUnit(executor, share.target),
      k: share.k,
      bottom: share.bottom,
      keepScores: share.keepScores,
      batchSize: share.batchSize,
      signal: context.signal,
      onBatch: context.onProgress
    })
  );
}
