/**
 * PCA's passes over the engine's pool (docs/architecture.md, "Memory and
 * speed"): every pass is a sum over examples, so each is cut into one
 * contiguous share per worker on the single-worker pass's batch boundaries
 * and the shares' parts are merged in share order. The moments pass returns
 * each batch's moments, folded here in the single pass's batch order (the
 * same Chan updates); X·Z is the shares' rows stacked; Xᵀ·Q and the
 * covariance's scatter are the shares' partial sums added in share order.
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
import {
  type IBatchMoments,
  type IMoments,
  type IStream,
  batchMoments,
  foldMoments,
  momentsPass,
  productPass,
  transposedProductPass
} from './passes';

/** The passes the PCA solvers make over a stream (`pca.ts`). */
export interface IPcaPasses {
  /** The mean and total scatter, and X·Z (n×l, uncentred) when `z` is given. */
  moments(
    width: number,
    z: IMatrix | null
  ): Promise<{ moments: IMoments; product: IMatrix | null }>;
  /** X·Z (n×l, uncentred). */
  product(z: IMatrix): Promise<IMatrix>;
  /** Xᵀ·Q (d×l, uncentred). */
  transposed(q: IMatrix, width: number): Promise<IMatrix>;
  /** The covariance (d×d, on the device; the caller disposes it) and mean. */
  covariance(
    width: number
  ): Promise<{ covariance: tf.Tensor2D; moments: IMoments }>;
}

/** The passes run here, on this worker alone. */
export function localPasses(stream: IStream): IPcaPasses {
  return {
    moments: (width, z) => momentsPass(stream, width, z),
    product: z => productPass(stream, z),
    transposed: (q, width) => transposedProductPass(stream, q, width),
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

/** Rows [first, last) of a row-major matrix. */
function rowsOf(a: IMatrix, first: number, last: number): IMatrix {
  return matrix(
    last - first,
    a.cols,
    a.data.slice(first * a.cols, last * a.cols)
  );
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
  const [start] = stream.range;
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
    async moments(width, z) {
      const parts = partsOf(
        await run(() => ({ type: 'moments', width, z })),
        'moments'
      );
      const batches = parts.flatMap(p => p.batches);
      const product = z
        ? stack(
            parts.map(p => p.product as IMatrix),
            z.cols
          )
        : null;
      return { moments: foldMoments(batches, width), product };
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
    async transposed(q, width) {
      const parts = partsOf(
        await run(range => ({
          type: 'transposed',
          width,
          q: rowsOf(q, range[0] - start, range[1] - start)
        })),
        'transposed'
      );
      const sum = matrix(width, q.cols);
      for (const { product } of parts) {
        product.data.forEach((v, i) => (sum.data[i] += v));
      }
      return sum;
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
      case 'moments':
        return {
          type: 'moments',
          ...(await batchMoments(stream, pass.width, pass.z))
        };
      case 'product':
        return { type: 'product', product: await productPass(stream, pass.z) };
      case 'transposed':
        return {
          type: 'transposed',
          product: await transposedProductPass(stream, pass.q, pass.width)
        };
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
