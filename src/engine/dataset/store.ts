/**
 * The engine's datasets, loaded once and kept (docs/architecture.md,
 * "Datasets and top examples"): the bundled digits by manifest URL, kernel
 * arrays by content key (put here by the page, which fetched them over the
 * comm), .npy/.npz files and image folders on the Jupyter server by URL.
 * A job names its data with a DataRequest; the store gives the dataset and
 * the range of it to use (a split, the first `limit` examples).
 */
import { ModelLoadError } from '../errors';
import type { FetchLike } from '../model/load';
import {
  DatasetError,
  type IArray,
  type IDataset,
  type PixelArray,
  arrayDataset
} from './dataset';
import { type IImageFile, type ImageDecoder, loadImageFolder } from './folder';
import { loadIdxDataset } from './images';
import { type INpyArray, parseNpy, parseNpz } from './npy';

/** What a job's data is, with every reference resolved to a URL or key. */
export type DataRequest =
  | {
      /** A dataset shipped with the extension: its manifest. */
      readonly source: 'bundled';
      readonly url: string;
      readonly split?: string;
      readonly limit?: number;
    }
  | {
      /** Arrays from the kernel, put into the store under their content key. */
      readonly source: 'kernel';
      readonly key: string;
      readonly limit?: number;
    }
  | {
      /** An .npy file, or an array of an .npz file. */
      readonly source: 'npy';
      readonly url: string;
      /** The file's path, for messages. */
      readonly name: string;
      /** The .npz key of the images. */
      readonly key?: string;
      /** The labels: an .npz key of the same file, or another .npy. */
      readonly labels?:
        | { readonly key: string }
        | { readonly url: string; readonly name: string };
      readonly maxBytes?: number;
      readonly limit?: number;
    }
  | {
      /** A folder of images (labels from subfolders), listed by the page. */
      readonly source: 'folder';
      readonly name: string;
      readonly files: readonly IImageFile[];
      readonly maxBytes?: number;
      readonly limit?: number;
    };

/** An array as the kernel sent it (see src/kernel/wire.ts). */
export interface INamedArrayLike {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int32Array | Float32Array;
}

export interface IDataSlice {
  readonly dataset: IDataset;
  /** The examples to use: [start, end). */
  readonly range: readonly [number, number];
}

export interface IStoreOptions {
  readonly fetch?: FetchLike;
  readonly decode?: ImageDecoder;
}

export class DatasetStore {
  private readonly _loaded = new Map<string, Promise<IDataset>>();
  private readonly _kernel = new Map<string, IDataset>();

  constructor(private readonly _options: IStoreOptions = {}) {}

  /** Keeps kernel arrays (images, and labels if sent) under their key. */
  put(key: string, arrays: readonly INamedArrayLike[]): void {
    const images = arrays.find(a => a.name === 'images');
    const labels = arrays.find(a => a.name === 'labels');
    if (!images || images.data instanceof Int32Array) {
      throw new DatasetError(
        'The kernel sent no uint8 or float32 "images" array.'
      );
    }
    this._kernel.set(
      key,
      arrayDataset(
        'the kernel arrays',
        images as IArray<PixelArray>,
        labels ? asLabels(labels, 'the kernel labels') : null
      )
    );
  }

  /** Whether kernel arrays are held under `key`. */
  has(key: string): boolean {
    return this._kernel.has(key);
  }

  /**
   * The dataset a request names, loaded once; `shape` is what images of a
   * folder are made into (the model's input: [height, width, channels]).
   */
  async load(
    request: DataRequest,
    shape: readonly [number, number, number],
    signal?: AbortSignal
  ): Promise<IDataSlice> {
    const dataset = await this._dataset(request, shape, signal);
    let [start, end] = [0, dataset.count];
    if (request.source === 'bundled' && request.split) {
      const split = dataset.splits[request.split];
      if (!split) {
        throw new DatasetError(
          `${dataset.name} has no split "${request.split}"; it has ${Object.keys(dataset.splits).join(', ')}.`
        );
      }
      [start, end] = split;
    }
    if (request.limit !== undefined) {
      end = Math.min(end, start + request.limit);
    }
    return { dataset, range: [start, end] };
  }

  private _dataset(
    request: DataRequest,
    shape: readonly [number, number, number],
    signal?: AbortSignal
  ): Promise<IDataset> {
    if (request.source === 'kernel') {
      const held = this._kernel.get(request.key);
      return held
        ? Promise.resolve(held)
        : Promise.reject(
            new DatasetError(
              'The kernel arrays of this output are not in the page: run the cell again.'
            )
          );
    }
    const key = JSON.stringify(
      request.source === 'folder'
        ? [request.files.map(f => f.url), shape]
        : [
            request.source,
            request.url,
            'key' in request ? request.key : null,
            'labels' in request ? request.labels : null
          ]
    );
    let loading = this._loaded.get(key);
    if (!loading) {
      loading = this._load(request, shape, signal);
      this._loaded.set(key, loading);
      // A failed or cancelled load is not kept.
      loading.catch(() => this._loaded.delete(key));
    }
    return loading;
  }

  private async _load(
    request: Exclude<DataRequest, { source: 'kernel' }>,
    shape: readonly [number, number, number],
    signal?: AbortSignal
  ): Promise<IDataset> {
    const fetch =
      this._options.fetch ?? ((u, init) => globalThis.fetch(u, init));
    switch (request.source) {
      case 'bundled': {
        const idx = await loadIdxDataset(request.url, { fetch, signal });
        return {
          ...arrayDataset(
            idx.name,
            { shape: [idx.count, ...idx.imageShape], data: idx.pixels },
            idx.labels && {
              shape: [idx.count],
              data: Int32Array.from(idx.labels)
            }
          ),
          splits: idx.splits
        };
      }
      case 'npy':
        return this._loadNpy(request, fetch, signal);
      case 'folder':
        return loadImageFolder(request.name, request.files, {
          fetch,
          decode:
            this._options.decode ?? (await import('./decode')).decodeImage,
          shape,
          maxBytes: request.maxBytes,
          signal
        });
    }
  }

  private async _loadNpy(
    request: Extract<DataRequest, { source: 'npy' }>,
    fetch: FetchLike,
    signal?: AbortSignal
  ): Promise<IDataset> {
    const download = async (url: string, name: string) => {
      const response = await fetch(url, { signal });
      if (!response.ok) {
        throw new ModelLoadError(
          name,
          response.status,
          `the server answered ${response.status}`
        );
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (request.maxBytes !== undefined && bytes.length > request.maxBytes) {
        throw new DatasetError(
          `${name} is ${(bytes.length / 1e6).toFixed(1)} MB, over the ${(request.maxBytes / 1e6).toFixed(0)} MB cap of the "Largest dataset" setting.`
        );
      }
      return bytes;
    };
    const bytes = await download(request.url, request.name);
    let images: INpyArray;
    let labels: INpyArray | null = null;
    if (request.key !== undefined || request.name.endsWith('.npz')) {
      const arrays = await parseNpz(bytes, request.name);
      const member = (key: string) => {
        const read = arrays.get(key);
        if (!read) {
          throw new DatasetError(
            `${request.name} has no array "${key}"; it has ${[...arrays.keys()].join(', ')}.`
          );
        }
        return read();
      };
      const keys = [...arrays.keys()];
      images = await member(
        request.key ?? (keys.length === 1 ? keys[0] : 'images')
      );
      if (request.labels && 'key' in request.labels) {
        labels = await member(request.labels.key);
      }
    } else {
      images = parseNpy(bytes, request.name);
    }
    if (request.labels && 'url' in request.labels) {
      labels = parseNpy(
        await download(request.labels.url, request.labels.name),
        request.labels.name
      );
    }
    if (images.data instanceof Int32Array) {
      throw new DatasetError(
        `${request.name} holds integer images of ${images.dtype}: save them as uint8 (0-255) or float.`
      );
    }
    return arrayDataset(
      request.name,
      images as IArray<PixelArray>,
      labels && asLabels(labels, `the labels of ${request.name}`)
    );
  }
}

/** Integer labels as int32 (uint8 widened); float labels are refused. */
function asLabels(array: IArray<unknown>, name: string): IArray<Int32Array> {
  const { data, shape } = array;
  if (data instanceof Int32Array) {
    return { shape, data };
  }
  if (data instanceof Uint8Array) {
    return { shape, data: Int32Array.from(data) };
  }
  throw new DatasetError(`${name} must be integers, not floats.`);
}
