/**
 * The pool of engine workers (docs/architecture.md, "Memory and speed"): the
 * core runs the first share of a batched job itself and each other share in
 * a pool worker of its own, on its own core. Cancel stops every share and
 * waits until none runs; a share that fails cancels the others. A worker
 * that dies is replaced and its share re-run once; a second death fails the
 * job with a clear message. A worker that cannot start at all leaves its
 * share to the core, so a browser without nested workers still computes.
 */
import * as Comlink from 'comlink';
import { CancelledError, FeatureVizError } from '../../errors';
import { WorkerDiedError, describeShare, isCancel } from './share-faults';
import { type ISlot, endSlot, giveArrays, spawnSlot } from './worker-slot';
import type { INamedArrayLike } from '../../dataset/store';
import type { ByteMemo } from './byte-memo';
import type { IPoolHost } from './pool-size';
import type {
  IShareWorkerInit,
  IShareWorkerState,
  ISharePool,
  ShareKind,
  PartialSink,
  ShareRequestOf,
  SharePartialOf,
  ShareResultOf
} from './share-protocol';
import type { ShareRunner } from './share-runner';

/** What the pool needs from the core. */
export interface IPoolParts {
  readonly host: IPoolHost;
  /** Workers, the core included. */
  readonly size: number;
  readonly init: IShareWorkerInit;
  /** The core's fetched bytes, forwarded to the workers. */
  readonly memo: ByteMemo;
  /** The core's own share runner. */
  readonly local: ShareRunner;
  /** Kernel arrays the core keeps, by content key. */
  readonly arrays: (key: string) => readonly INamedArrayLike[] | undefined;
}

export class WorkerPool implements ISharePool {
  readonly size: number;
  private readonly _slots: (ISlot | null)[];
  private _ids = 0;

  constructor(private readonly _parts: IPoolParts) {
    this.size = _parts.size;
    this._slots = new Array<ISlot | null>(_parts.size - 1).fill(null);
  }

  get backend(): string {
    return this._parts.init.backend;
  }

  async run<K extends ShareKind>(
    shares: readonly ShareRequestOf<K>[],
    signal: AbortSignal,
    onProgress: (done: number) => void,
    onPartial?: (share: number, partial: SharePartialOf<K>) => void
  ): Promise<ShareResultOf<K>[]> {
    const done = shares.map(() => 0);
    const report = (i: number) => (count: number) => {
      done[i] = count;
      onProgress(done.reduce((a, b) => a + b, 0));
    };
    // Aborted by Cancel, or by the first share that fails.
    const all = new AbortController();
    const abort = () => all.abort();
    signal.addEventListener('abort', abort, { once: true });
    if (signal.aborted) {
      all.abort();
    }
    const partial = (i: number): PartialSink<K> | undefined =>
      onPartial && (payload => onPartial(i, payload));
    const tasks = shares.map((share, i) => {
      const task =
        i === 0
          ? this._parts.local.run(
              this._id(),
              share,
              report(i),
              all.signal,
              partial(i)
            )
          : this._remote(i - 1, share, report(i), all.signal, partial(i));
      return task.then(
        result => {
          report(i)(share.range[1] - share.range[0]);
          return result;
        },
        reason => {
          all.abort();
          throw reason;
        }
      );
    });
    try {
      const settled = await Promise.allSettled(tasks);
      if (signal.aborted) {
        throw new CancelledError();
      }
      const failed = settled.find(
        (s): s is PromiseRejectedResult =>
          s.status === 'rejected' && !isCancel(s.reason)
      );
      if (failed) {
        throw failed.reason;
      }
      return settled.map(
        s => (s as PromiseFulfilledResult<ShareResultOf<K>>).value
      );
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /** Each started worker's state (tests and the benchmark read it). */
  async states(): Promise<IShareWorkerState[]> {
    const slots = this._slots.filter((s): s is ISlot => s !== null);
    return Promise.all(slots.map(s => s.api.state()));
  }

  /** Ends every worker (the core is closing). */
  terminate(): void {
    this._slots.forEach((slot, i) => {
      if (slot) {
        this._end(i, slot);
      }
    });
  }

  /** Test hook: ends worker `index` as if it had crashed. */
  kill(index: number): boolean {
    const slot = this._slots[index];
    if (!slot || slot.killed) {
      return false;
    }
    slot.killed = true;
    slot.end.terminate();
    return true;
  }

  private _id(): string {
    return `share-${++this._ids}`;
  }

  /** Runs a share in worker `index`, replacing a worker that dies once. */
  private async _remote<K extends ShareKind>(
    index: number,
    share: ShareRequestOf<K>,
    onProgress: (done: number) => void,
    signal: AbortSignal,
    onPartial?: PartialSink<K>
  ): Promise<ShareResultOf<K>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this._attempt(index, share, onProgress, signal, onPartial);
      } catch (reason) {
        if (!(reason instanceof WorkerDiedError)) {
          throw reason;
        }
        if (signal.aborted) {
          throw new CancelledError();
        }
        if (attempt >= 1) {
          throw new FeatureVizError(
            `A worker of the engine's pool stopped twice while computing ${describeShare(share)} (${reason.message}); the job failed. Re-run to try again, or set "Most engine workers" to 1 in the settings.`
          );
        }
      }
    }
  }

  /** One try of a share in worker `index`; WorkerDiedError if it dies. */
  private async _attempt<K extends ShareKind>(
    index: number,
    share: ShareRequestOf<K>,
    onProgress: (done: number) => void,
    signal: AbortSignal,
    onPartial?: PartialSink<K>
  ): Promise<ShareResultOf<K>> {
    const slot = await this._started(index);
    if (!slot) {
      // No worker here: the core runs the share itself.
      return this._parts.local.run(
        this._id(),
        share,
        onProgress,
        signal,
        onPartial
      );
    }
    const id = this._id();
    const cancel = () => void slot.api.cancel(id).catch(() => undefined);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      await giveArrays(slot, share, this._parts.arrays);
      const died = slot.died.then<never>(message => {
        throw new WorkerDiedError(message);
      });
      return await Promise.race([
        slot.api.run(
          id,
          share,
          Comlink.proxy(onProgress),
          onPartial && Comlink.proxy(onPartial)
        ),
        died
      ]);
    } catch (reason) {
      if (reason instanceof WorkerDiedError) {
        this._end(index, slot);
      }
      throw reason;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /**
   * Worker `index`, started if it is not; null if it cannot start (its
   * share then runs in the core). A worker that dies while it starts is a
   * death like any other.
   */
  private async _started(index: number): Promise<ISlot | null> {
    let slot = this._slots[index];
    if (!slot) {
      try {
        slot = spawnSlot(this._parts);
      } catch {
        return null;
      }
      this._slots[index] = slot;
    }
    const died = slot.died.then<never>(message => {
      throw new WorkerDiedError(message);
    });
    try {
      await Promise.race([slot.ready, died]);
      return slot;
    } catch (reason) {
      this._end(index, slot);
      if (reason instanceof WorkerDiedError) {
        throw reason;
      }
      return null;
    }
  }

  private _end(index: number, slot: ISlot): void {
    if (this._slots[index] === slot) {
      this._slots[index] = null;
    }
    endSlot(slot);
  }
}
