/**
 * SmoothGrad's and Integrated Gradients' samples over the engine's pool
 * (docs/architecture.md, "Memory and speed"): an image's samples are cut
 * into one contiguous share per worker; each share sums its samples'
 * weighted gradients (SmoothGrad's seeded noise drawn from the share's
 * first sample, so every sample has the noise one worker gives it), and the
 * core adds the shares' sums in share order. With one worker the samples
 * run here.
 */
import * as tf from '@tensorflow/tfjs';
import { type IShareContext, splitBatches } from '../dataset/pass-shares';
import type {
  ISampleShare,
  ISampleShareResult,
  ISharePool
} from '../runtime/pool/share-protocol';
import { type SampleSplit, sampleRangeSum } from './samples';
import { unitOf } from './unit';

/** What a split of samples needs: the model and the resolved unit. */
export type ISampleWork = Pick<ISampleShare, 'model' | 'target'>;

/** The samples split over the pool, or undefined (run here) with one worker. */
export function pooledSamples(
  pool: ISharePool | undefined,
  work: ISampleWork
): SampleSplit | undefined {
  if (!pool || pool.size < 2) {
    return undefined;
  }
  return async (image, path, hooks, progress) => {
    const count = path.type === 'smoothgrad' ? path.samples : path.steps;
    const input = (await image.data()) as Float32Array;
    const [, h, w, c] = image.shape;
    const parts = await pool.run<'gradient-samples'>(
      splitBatches([0, count], 1, pool.size).map(range => ({
        kind: 'gradient-samples',
        ...work,
        input,
        shape: image.shape,
        path,
        range
      })),
      hooks.signal ?? new AbortController().signal,
      progress
    );
    const sum = new Float64Array(h * w * c);
    for (const part of parts) {
      part.sum.forEach((v, i) => (sum[i] += v));
    }
    return tf.tensor3d(Float32Array.from(sum), [h, w, c]);
  };
}

/** Runs one share of samples in a pool worker (or in the core itself). */
export async function runSampleShare(
  share: ISampleShare,
  context: IShareContext
): Promise<ISampleShareResult> {
  const handle = await context.models.acquire(share.model, context.signal);
  const image = tf.tensor4d(share.input, [...share.shape]);
  try {
    const { executor } = handle;
    const total = await sampleRangeSum(
      executor,
      unitOf(executor, share.target),
      image,
      share.path,
      share.range,
      { signal: context.signal },
      context.onProgress
    );
    try {
      return { sum: (await total.data()) as Float32Array };
    } finally {
      total.dispose();
    }
  } finally {
    image.dispose();
    handle.release();
  }
}
