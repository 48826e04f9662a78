/**
 * Runs shares of batched jobs (docs/architecture.md, "Memory and speed"):
 * the table of share kinds and the shares running now, each with its own
 * abort controller so that Cancel reaches it. A pool worker has one (over
 * its own model cache and datasets, fed from the core's bytes); the core
 * has one too, and runs a share itself beside its workers.
 */
import { runOcclusionShare } from '../../attribution/occlusion-shares';
import { runSampleShare } from '../../attribution/sample-shares';
import { runPassShare } from '../../dataset/pass-shares';
import { runAtlasShare } from '../../optvis/atlas-shares';
import { runPcaShare } from '../../projection/pca-shares';
import type { DatasetStore } from '../../dataset/store';
import type { ModelCache } from '../model-cache';
import type {
  PartialSink,
  ShareKind,
  ShareRequestOf,
  ShareResultOf
} from './share-protocol';
import type { IShareContext } from '../../dataset/pass-shares';

/**
 * A share's context, with where its partial payloads go (awaited: a full
 * window of them in flight holds the share back).
 */
export interface IStreamingContext<K extends ShareKind> extends IShareContext {
  readonly onPartial: PartialSink<K>;
}

type ShareFn<K extends ShareKind> = (
  share: ShareRequestOf<K>,
  context: IStreamingContext<K>
) => Promise<ShareResultOf<K>>;

/** One function per kind of share. */
const SHARES: { readonly [K in ShareKind]: ShareFn<K> } = {
  'activation-pass': runPassShare,
  'pca-pass': runPcaShare,
  occlusion: runOcclusionShare,
  'gradient-samples': runSampleShare,
  'layer-atlas': runAtlasShare
};

export class ShareRunner {
  private readonly _running = new Map<string, AbortController>();

  constructor(
    private readonly _models: ModelCache,
    private readonly _datasets: DatasetStore
  ) {}

  /** Shares running now. */
  get running(): number {
    return this._running.size;
  }

  async run<K extends ShareKind>(
    id: string,
    share: ShareRequestOf<K>,
    onProgress: (done: number) => void,
    signal?: AbortSignal,
    onPartial: PartialSink<K> = () => undefined
  ): Promise<ShareResultOf<K>> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) {
      controller.abort();
    }
    this._running.set(id, controller);
    // SHARES[share.kind] is the function of this very kind (as in jobs.ts).
    const run = SHARES[share.kind] as unknown as ShareFn<K>;
    try {
      return await run(share, {
        models: this._models,
        datasets: this._datasets,
        signal: controller.signal,
        onProgress,
        onPartial
      });
    } finally {
      this._running.delete(id);
      signal?.removeEventListener('abort', abort);
    }
  }

  cancel(id: string): void {
    this._running.get(id)?.abort();
  }
}
