/**
 * A reference-counted model cache: jobs on the same model share one copy of
 * its weights and one executor. A model nobody holds stays cached until more
 * than `capacity` idle models are kept, then the least recently used goes.
 */
import { LayersExecutor, type IExecutor } from '../model/executor';
import { GraphExecutor } from '../model/graph-executor';
import {
  type FetchLike,
  type LoadedModel,
  disposeModel,
  loadModel
} from '../model/load';
import type { IModelRequest } from './protocol';

export interface IModelHandle {
  readonly loaded: LoadedModel;
  readonly executor: IExecutor;
  release(): void;
}

interface IEntry {
  readonly key: string;
  readonly ready: Promise<{ loaded: LoadedModel; executor: IExecutor }>;
  refs: number;
  lastUsed: number;
}

export class ModelCache {
  private readonly _entries = new Map<string, IEntry>();
  private _clock = 0;

  constructor(
    private readonly _fetch?: FetchLike,
    private readonly _capacity = 2
  ) {}

  /** Loads (or reuses) a model; release() the handle when done. */
  async acquire(
    request: IModelRequest,
    signal?: AbortSignal
  ): Promise<IModelHandle> {
    // The allowed places are part of the key: weights loaded under one
    // page's rules are not handed to a request under narrower ones.
    const key = `${request.format ?? ''}|${request.url}|${(request.allowedPrefixes ?? []).join(' ')}`;
    let entry = this._entries.get(key);
    if (!entry) {
      const ready = loadModel(request.url, {
        format: request.format,
        fetch: this._fetch,
        maxWeightBytes: request.maxWeightBytes,
        allowedPrefixes: request.allowedPrefixes,
        signal
      }).then(loaded => {
        try {
          const executor: IExecutor =
            loaded.format === 'layers'
              ? new LayersExecutor(loaded.model)
              : new GraphExecutor(loaded);
          return { loaded, executor };
        } catch (reason) {
          // Not an image model: nothing keeps it.
          disposeModel(loaded);
          throw reason;
        }
      });
      entry = { key, ready, refs: 0, lastUsed: 0 };
      this._entries.set(key, entry);
      // A failed load is not cached.
      ready.catch(() => this._entries.delete(key));
    }
    entry.refs++;
    entry.lastUsed = ++this._clock;
    try {
      const { loaded, executor } = await entry.ready;
      let released = false;
      const held = entry;
      return {
        loaded,
        executor,
        release: () => {
          if (!released) {
            released = true;
            held.refs--;
            this._evict();
          }
        }
      };
    } catch (reason) {
      entry.refs--;
      throw reason;
    }
  }

  /** Number of models held in memory. */
  get size(): number {
    return this._entries.size;
  }

  /** Frees every idle model. */
  async clear(): Promise<void> {
    for (const entry of [...this._entries.values()]) {
      if (entry.refs === 0) {
        await this._drop(entry);
      }
    }
  }

  private _evict(): void {
    const idle = [...this._entries.values()]
      .filter(e => e.refs === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    while (idle.length > this._capacity) {
      void this._drop(idle.shift() as IEntry);
    }
  }

  private async _drop(entry: IEntry): Promise<void> {
    this._entries.delete(entry.key);
    try {
      const { loaded, executor } = await entry.ready;
      executor.dispose();
      disposeModel(loaded);
    } catch {
      // It never loaded: nothing to free.
    }
  }
}
