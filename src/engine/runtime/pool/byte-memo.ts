/**
 * The core's fetches, kept as bytes while a pool works, so that each pool
 * worker loads the model (and a dataset's files) from the core that already
 * has them: one download per page however many workers there are
 * (docs/architecture.md, "Memory and speed"). Bounded: the oldest URLs go
 * once the kept bytes pass `capacity`.
 */
import type { FetchLike, IResponseLike } from '../../model/load';
import type { IForwardedResponse } from './share-protocol';

const DEFAULT_CAPACITY = 512 * 2 ** 20;

export class ByteMemo {
  private readonly _kept = new Map<string, Promise<IForwardedResponse>>();
  private readonly _sizes = new Map<string, number>();
  private _bytes = 0;
  /** Whether to keep bytes (only while a pool of more than one works). */
  keep = false;

  constructor(
    private readonly _fetch: FetchLike = (url, init) => fetch(url, init),
    private readonly _capacity = DEFAULT_CAPACITY
  ) {}

  /** A FetchLike for the core's own loaders: fetches once, keeps the bytes. */
  readonly fetch: FetchLike = async (url, init) => {
    if (!this.keep && !this._kept.has(url)) {
      return this._fetch(url, init);
    }
    return asResponse(await this.bytes(url, init?.signal));
  };

  /** The bytes of `url`, fetched once (a failed fetch is not kept). */
  bytes(url: string, signal?: AbortSignal): Promise<IForwardedResponse> {
    let kept = this._kept.get(url);
    if (kept) {
      // The most recently used goes last.
      this._kept.delete(url);
      this._kept.set(url, kept);
      return kept;
    }
    kept = this._download(url, signal);
    this._kept.set(url, kept);
    kept.then(
      response => this._account(url, response),
      () => this._kept.delete(url)
    );
    return kept;
  }

  private async _download(
    url: string,
    signal?: AbortSignal
  ): Promise<IForwardedResponse> {
    const response = await this._fetch(url, { signal });
    return {
      ok: response.ok,
      status: response.status,
      statusText: response.statusText,
      bytes: response.ok ? await response.arrayBuffer() : new ArrayBuffer(0)
    };
  }

  private _account(url: string, response: IForwardedResponse): void {
    if (!response.ok) {
      this._kept.delete(url);
      return;
    }
    this._sizes.set(url, response.bytes.byteLength);
    this._bytes += response.bytes.byteLength;
    for (const old of this._kept.keys()) {
      if (this._bytes <= this._capacity || old === url) {
        break;
      }
      this._kept.delete(old);
      this._bytes -= this._sizes.get(old) ?? 0;
      this._sizes.delete(old);
    }
  }
}

/** A response over forwarded bytes (the loaders read json or arrayBuffer). */
export function asResponse(forwarded: IForwardedResponse): IResponseLike {
  const { bytes } = forwarded;
  return {
    ok: forwarded.ok,
    status: forwarded.status,
    statusText: forwarded.statusText,
    json: async () => JSON.parse(new TextDecoder().decode(bytes)),
    // Each reader gets its own copy: a loader may transfer or view it.
    arrayBuffer: async () => bytes.slice(0)
  };
}
