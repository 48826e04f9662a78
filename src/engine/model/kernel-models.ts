/**
 * Models converted in a kernel (fv.Model.from_torch, from_keras), held in
 * the engine by content key (docs/architecture.md, "The kernel bridge"). The
 * page fetches a model's two arrays over the comm once ("model.json": its
 * UTF-8 bytes, "weights": the weight shard's bytes) and puts them here; the
 * loader then reads them through a `FetchLike` that serves
 * `featureviz-kernel://model/<key>/…`, so a kernel model goes through the
 * same checks as a downloaded one (manifest, weight cap, shard sizes) and
 * the model cache keeps it by the same URL key.
 */
import { FeatureVizError } from '../errors';
import type { FetchLike, IResponseLike } from './load';

/** The arrays a kernel model arrives as (src/kernel/wire.ts). */
export interface IModelArrayLike {
  readonly name: string;
  readonly data: Uint8Array | Int32Array | Float32Array;
}

const SCHEME = 'featureviz-kernel:';
const MODEL_FILE = 'model.json';

/** The folder URL of the kernel model `key` (its weights resolve under it). */
export function kernelModelFolder(key: string): string {
  return `${SCHEME}//model/${key}/`;
}

/** The model.json URL the loader asks for. */
export function kernelModelUrl(key: string): string {
  return `${kernelModelFolder(key)}${MODEL_FILE}`;
}

/** Whether arrays from the kernel are a model's (else a dataset's). */
export function isModelArrays(arrays: readonly IModelArrayLike[]): boolean {
  return arrays.some(a => a.name === MODEL_FILE);
}

interface IHeldModel {
  readonly json: Uint8Array;
  readonly weights: Uint8Array;
}

function response(body: Uint8Array): IResponseLike {
  return {
    ok: true,
    status: 200,
    statusText: 'OK',
    json: async () => JSON.parse(new TextDecoder().decode(body)) as unknown,
    // A copy: tfjs keeps the weights' buffer, the store keeps its own.
    arrayBuffer: async () => body.slice().buffer
  };
}

function notFound(url: string): IResponseLike {
  return {
    ok: false,
    status: 404,
    statusText: 'not held by the page (run the cell that made the model again)',
    json: async () => {
      throw new FeatureVizError(`${url} is not held`);
    },
    arrayBuffer: async () => new ArrayBuffer(0)
  };
}

export class KernelModelStore {
  private readonly _held = new Map<string, IHeldModel>();

  /** Keeps a model the kernel sent under its key. */
  put(key: string, arrays: readonly IModelArrayLike[]): void {
    const json = arrays.find(a => a.name === MODEL_FILE)?.data;
    const weights = arrays.find(a => a.name === 'weights')?.data;
    if (!(json instanceof Uint8Array) || !(weights instanceof Uint8Array)) {
      throw new FeatureVizError(
        'The kernel sent a model without uint8 "model.json" and "weights" arrays.'
      );
    }
    this._held.set(key, { json, weights });
  }

  has(key: string): boolean {
    return this._held.has(key);
  }

  /**
   * A fetch that serves held models' files and passes any other URL to
   * `base` (the global fetch when none is given).
   */
  fetch(base?: FetchLike): FetchLike {
    const fallback: FetchLike =
      base ?? ((url, init) => fetch(url, init) as Promise<IResponseLike>);
    return async (url, init) => {
      if (!url.startsWith(SCHEME)) {
        return fallback(url, init);
      }
      const [, , , key, file] = url.split('/');
      const held = this._held.get(key);
      if (!held) {
        return notFound(url);
      }
      return response(file === MODEL_FILE ? held.json : held.weights);
    };
  }
}
