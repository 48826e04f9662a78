/**
 * The layer atlas over the engine's pool (docs/architecture.md, "Memory and
 * speed"): its channels cut into one contiguous share per worker; each
 * share optimizes its images as the single batched run would (the random
 * start drawn for the whole batch and sliced, the same seeded transforms at
 * every step, each image's regularizer scale its own) and streams its
 * frames; the core merges each step once every share has sent it and sends
 * the merged frame with its progress, labelling the last one's weak units
 * against every channel. With one worker, or one channel, it runs here.
 */
import type { Reduce } from '../../spec/types.generated';
import { splitBatches } from '../dataset/pass-shares';
import type { IJobContext } from '../runtime/jobs';
import type { IModelRequest } from '../runtime/protocol';
import type {
  IAtlasShare,
  IAtlasShareResult,
  ISharePool
} from '../runtime/pool/share-protocol';
import type { IStreamingContext } from '../runtime/pool/share-runner';
import { atlasObjective, runAtlasPart } from './ascent';
import { StepMerge } from './atlas-merge';
import { FrameStream, type IAscentSummary } from './frame-stream';
import { labelLastFrame } from './notes';
import type { IOptimizationConfig } from './recipe';

/** What a pooled atlas needs from the job's request. */
export interface IAtlasWork {
  readonly model: IModelRequest;
  readonly layer: string;
  readonly reduce?: Reduce;
}

export type PooledAtlas = (
  work: IAtlasWork,
  config: IOptimizationConfig,
  context: IJobContext
) => Promise<IAscentSummary>;

/** The atlas of `channels` split over the pool, or undefined (run here). */
export function pooledAtlas(
  pool: ISharePool | undefined,
  channels: readonly number[]
): PooledAtlas | undefined {
  if (!pool || pool.size < 2 || channels.length < 2) {
    return undefined;
  }
  return async (work, config, context) => {
    const ranges = splitBatches([0, channels.length], 1, pool.size);
    // The notes compare every channel: made once, on the merged frame.
    const { focus } = atlasObjective(
      context.model.executor,
      work.layer,
      channels,
      config,
      work.reduce
    );
    const stream = new FrameStream(config, context);
    const merge = new StepMerge(ranges.length);
    await pool.run<'layer-atlas'>(
      ranges.map(range => ({
        kind: 'layer-atlas',
        model: work.model,
        layer: work.layer,
        channels,
        ...(work.reduce ? { reduce: work.reduce } : {}),
        optimization: config,
        range
      })),
      context.signal,
      () => undefined,
      (share, frame) => {
        for (const merged of merge.add(share, frame)) {
          stream.send(
            merged.step === merged.steps
              ? labelLastFrame(merged, focus, true)
              : merged
          );
        }
      }
    );
    return stream.summary();
  };
}

/** Runs one share of an atlas in a pool worker (or in the core itself). */
export async function runAtlasShare(
  share: IAtlasShare,
  context: IStreamingContext<'layer-atlas'>
): Promise<IAtlasShareResult> {
  const handle = await context.models.acquire(share.model, context.signal);
  try {
    const { metadata } = handle.loaded;
    const frames = runAtlasPart(
      share.layer,
      share.channels,
      share.range,
      share.optimization,
      {
        executor: handle.executor,
        inputRange: metadata.inputRange,
        datasetMean: metadata.datasetMean,
        signal: context.signal
      },
      share.reduce
    );
    let count = 0;
    for await (const frame of frames) {
      await context.onPartial(frame);
      count++;
    }
    return { frames: count };
  } finally {
    handle.release();
  }
}
