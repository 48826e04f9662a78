/**
 * One pool worker as the pool keeps it (docs/architecture.md, "Memory and
 * speed"): started with the core's backend and fetches forwarded from the
 * core's bytes, ended with its Comlink proxy freed, and given the kernel
 * arrays a share reads (once per worker, by content key).
 */
import * as Comlink from 'comlink';
import type { INamedArrayLike } from '../../dataset/store';
import type { ByteMemo } from './byte-memo';
import type { IPoolHost } from './pool-size';
import type {
  IShareEndpoint,
  IShareWorkerApi,
  IShareWorkerInit,
  ShareRequest
} from './share-protocol';

export interface ISlot {
  readonly end: IShareEndpoint;
  readonly api: Comlink.Remote<IShareWorkerApi>;
  readonly ready: Promise<void>;
  /** Resolves with why, once the worker stops by itself. */
  readonly died: Promise<string>;
  /** Kernel arrays this worker was given. */
  readonly arrays: Set<string>;
  /** Ended by the test hook (and not yet seen to die). */
  killed?: boolean;
}

/** Starts a worker (throws if the host cannot). */
export function spawnSlot(parts: {
  readonly host: IPoolHost;
  readonly init: IShareWorkerInit;
  readonly memo: ByteMemo;
}): ISlot {
  const end = parts.host.spawn();
  const api = Comlink.wrap<IShareWorkerApi>(end.endpoint);
  const died = new Promise<string>(resolve => end.onExit(resolve));
  const forward = (url: string) => parts.memo.bytes(url);
  const ready = api.init(parts.init, Comlink.proxy(forward));
  return { end, api, ready, died, arrays: new Set() };
}

/** Ends a worker and frees its proxy. */
export function endSlot(slot: ISlot): void {
  try {
    slot.api[Comlink.releaseProxy]();
  } catch {
    // Its port is gone with it.
  }
  slot.end.terminate();
}

/** Sends the kernel arrays a share reads to a worker that lacks them. */
export async function giveArrays(
  slot: ISlot,
  share: ShareRequest,
  arrays: (key: string) => readonly INamedArrayLike[] | undefined
): Promise<void> {
  if (
    !('data' in share) ||
    share.data.source !== 'kernel' ||
    slot.arrays.has(share.data.key)
  ) {
    return;
  }
  const given = arrays(share.data.key);
  if (given) {
    await slot.api.putArrays(share.data.key, given);
    slot.arrays.add(share.data.key);
  }
}
