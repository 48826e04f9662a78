/**
 * What a pool worker exposes (docs/architecture.md, "Memory and speed"): it
 * starts the core's backend (no probe: the core measured it), loads models
 * and datasets through the core's bytes (never a second download), runs
 * shares and cancels them, and reports its tensors and memory high-water
 * mark.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { DatasetStore } from '../../dataset/store';
import type { FetchLike } from '../../model/load';
import { activateBackend } from '../backends';
import { ModelCache } from '../model-cache';
import { buffersIn } from '../protocol';
import { asResponse } from './byte-memo';
import { PartialWindow } from './partial-window';
import type { IShareWorkerApi } from './share-protocol';
import { ShareRunner } from './share-runner';

/** The bytes tfjs's WASM heap has grown to (it never shrinks): its peak. */
export function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as {
    wasm?: { HEAPU8?: Uint8Array };
  };
  return backend.wasm?.HEAPU8?.byteLength ?? null;
}

/** Frees a callback proxy's MessageChannel (a plain function has none). */
function release(callback: unknown): void {
  const remote = callback as Partial<Comlink.Remote<() => void>> | undefined;
  remote?.[Comlink.releaseProxy]?.();
}

export function createShareWorkerApi(): IShareWorkerApi {
  let runner: ShareRunner | null = null;
  const datasets: { store: DatasetStore | null } = { store: null };
  const ready = (): ShareRunner => {
    if (!runner) {
      throw new Error('The pool worker was not initialized.');
    }
    return runner;
  };
  return {
    async init(init, forwarded) {
      if (!(await activateBackend(init.backend, init.wasmPaths))) {
        throw new Error(`The pool worker could not start ${init.backend}.`);
      }
      const fetch: FetchLike = async url => asResponse(await forwarded(url));
      datasets.store = new DatasetStore({ fetch });
      runner = new ShareRunner(new ModelCache(fetch), datasets.store);
    },
    async run(id, share, onProgress, onPartial) {
      // Partials travel while the share goes on; every one is answered
      // before the result leaves. Their buffers move to the core, never
      // copied.
      const partials = new PartialWindow<
        Parameters<NonNullable<typeof onPartial>>[0]
      >(partial => onPartial?.(Comlink.transfer(partial, buffersIn(partial))));
      try {
        const result = await ready().run(
          id,
          share,
          done => {
            void onProgress(done);
          },
          undefined,
          partial => partials.send(partial)
        );
        await partials.drain();
        // The result's buffers move to the core, never copied.
        return Comlink.transfer(result, buffersIn(result));
      } finally {
        // The callbacks are proxies holding MessageChannels open: free them.
        release(onProgress);
        release(onPartial);
      }
    },
    cancel: id => ready().cancel(id),
    putArrays: (key, arrays) => datasets.store?.put(key, arrays),
    state: () => {
      const memory = tf.memory();
      return {
        running: runner?.running ?? 0,
        numTensors: memory.numTensors,
        numBytes: memory.numBytes,
        peakBytes: wasmHeapBytes() ?? memory.numBytes
      };
    }
  };
}
