/**
 * PCA's passes over the engine's pool (docs/architecture.md, "Memory and
 * speed"): every pass is a sum over examples, so each is cut into one
 * contiguous share per worker on the single-worker pass's batch boundaries
 * and the shares' parts are merged in share order. A Gram pass returns its
 * rows of Y (stacked here), its partial sum XᵀY (added in share order) and,
 * on the first pass, each batch's moments (folded by the caller in the
 * single pass's batch order: the same Chan updates); X·Z is the shares' rows
 * stacked; the covariance's scatter is the shares' partial sums added.
 * With one worker, or too few batches to share, the passes run here.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type IShareContext,
  splitBatches,
  withShareInput
} from '../dataset/pass-shares';
import type {
  IPcaShare,
  IPcaShareResult,
  ISharePool,
  PcaPass
} from '../runtime/pool/share-protocol';
import {
  covariancePass,
  covarianceSums,
  finishCovariance
} from './covariance-pass';
import { type IMatrix, matrix } from './linalg';
import { type IGramSums, gramPass } from './gram-pass';
import {
  type IBatchMoments,
  type IMoments,
  type IStream,
  productPass
} from './passes';

/** The passes the PCA solvers make over a stream (`pca.ts`). */
export interface IPcaPasses {
  /**
   * Y = X·Z − 1cᵀ and XᵀY (`gram-pass.ts`): c = `centre`, or each batch's
   * own mean times Z when null (then with the batches' moments).
   */
  gram(z: IMatrix, centre: Float64Array | null): Promise<IGramSums>;
  /** X·Z (n×l, uncentred). */
  product(z: IMatrix): Promise<IMatrix>;
  /** The covariance (d×d, on the device; the caller disposes it) and mean. */
  covariance(
    width: number
  ): Promise<{ covariance: tf.Tensor2D; moments: IMoments }>;
}

/** The passes run here, on this worker alone. */
export function localPasses(stream: IStream): IPcaPasses {
  return {
    gram: (z, centre) => gramPass(stream, z, centre),
    product: z => productPass(stream, z),
    covariance: width => covariancePass(stream, width)
  };
}

/** What a PCA over the pool needs beyond its stream. */
export interface IPooledPca {
  readonly pool?: ISharePool;
  /** The share's request parts (the model and data, as the job gave them). */
  readonly share: Pick<IPcaShare, 'model' | 'data'>;
}

type PartOf<T extends IPcaShareResult['type']> = Extract<
  IPcaShareResult,
  { type: T }
>;

/** The parts of one kind; a part of another kind is a bug in the pool. */
function partsOf<T extends IPcaShareResult['type']>(
  parts: readonly IPcaShareResult[],
  type: T
): PartOf<T>[] {
  return parts.map(part => {
    if (part.type !== type) {
      throw new Error(`A PCA share returned ${part.type}, not ${type}.`);
    }
    return part as PartOf<T>;
  });
}

/** The shares' row blocks stacked in order (they cover the stream's rows). */
function stack(blocks: readonly IMatrix[], cols: number): IMatrix {
  const rows = blocks.reduce((n, b) => n + b.rows, 0);
  const out = matrix(rows, cols);
  let offset = 0;
  for (const block of blocks) {
    out.data.set(block.data, offset);
    offset += block.data.length;
  }
  return out;
}

/** The passes split over the pool where it has more than one worker. */
export function pooledPasses(stream: IStream, pooled: IPooledPca): IPcaPasses {
  const { pool } = pooled;
  const ranges =
    pool && pool.size > 1
      ? splitBatches(stream.range, stream.batchSize, pool.size)
      : [];
  if (!pool || ranges.length < 2) {
    return localPasses(stream);
  }
  const signal = stream.signal ?? new AbortController().signal;
  const run = (pass: (range: readonly [number, number]) => PcaPass) =>
    pool.run<'pca-pass'>(
      ranges.map(range => ({
        kind: 'pca-pass',
        ...pooled.share,
        layer: stream.layer,
        range,
        batchSize: stream.batchSize,
        pass: pass(range)
      })),
      signal,
      done => stream.onBatch?.(done)
    );
  return {
    async gram(z, centre) {
      const parts = partsOf(
        await run(() => ({ type: 'gram', z, centre })),
        'gram'
      );
      const gram = matrix(z.rows, z.cols);
      for (const part of parts) {
        part.gram.data.forEach((v, i) => (gram.data[i] += v));
      }
      return {
        rows: stack(
          parts.map(p => p.rows),
          z.cols
        ),
        gram,
        batches: centre ? null : parts.flatMap(p => p.batches ?? [])
      };
    },
    async product(z) {
      const parts = partsOf(
        await run(() => ({ type: 'product', z })),
        'product'
      );
      return stack(
        parts.map(p => p.product),
        z.cols
      );
    },
    async covariance(width) {
      const parts = partsOf(
        await run(() => ({ type: 'covariance', width })),
        'covariance'
      );
      const within = new Float64Array(width * width);
      for (const part of parts) {
        part.within.forEach((v, i) => (within[i] += v));
      }
      const batches: IBatchMoments[] = parts.flatMap(p => p.batches);
      return finishCovariance(
        tf.tensor2d(Float32Array.from(within), [width, width]),
        batches,
        width
      );
    }
  };
}

/** Runs one share of a PCA pass in a pool worker (or in the core itself). */
export async function runPcaShare(
  share: IPcaShare,
  context: IShareContext
): Promise<IPcaShareResult> {
  return withShareInput(share, context, async ({ executor, dataset, fit }) => {
    const stream: IStream = {
      executor,
      dataset,
      fit,
      range: share.range,
      layer: share.layer,
      batchSize: share.batchSize,
      signal: context.signal,
      onBatch: context.onProgress
    };
    const { pass } = share;
    switch (pass.type) {
      case 'gram':
        return {
          type: 'gram',
          ...(await gramPass(stream, pass.z, pass.centre))
        };
      case 'product':
        return { type: 'product', product: await productPass(stream, pass.z) };
      case 'covariance': {
        const { within, batches } = await covarianceSums(stream, pass.width);
        try {
          return {
            type: 'covariance',
            within: (await within.data()) as Float32Array,
            batches
          };
        } finally {
          within.dispose();
        }
      }
    }
  });
}
