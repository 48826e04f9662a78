/**
 * Image datasets held as uint8 pixels, handed to the model in batches. The
 * bundled MNIST digits load from the extension's static files.
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError, ModelLoadError } from '../errors';
import type { FetchLike } from '../model/load';
import { gunzip, parseIdx } from './idx';

export type SplitName = 'train' | 'test' | 'all';

export interface IImageDataset {
  readonly name: string;
  readonly count: number;
  /** [height, width, channels] of one image. */
  readonly imageShape: readonly [number, number, number];
  /** count × height × width × channels bytes. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array | null;
  /** Half-open index ranges of the named splits. */
  readonly splits: Readonly<Record<string, readonly [number, number]>>;
}

/** assets/datasets/<name>/<name>.json (written by training/pack_mnist.py). */
interface IManifest {
  name?: unknown;
  count?: unknown;
  imageShape?: unknown;
  images?: unknown;
  labels?: unknown;
  splits?: Record<string, unknown>;
}

async function fetchBytes(
  fetchFn: FetchLike,
  url: string,
  signal?: AbortSignal
): Promise<Uint8Array> {
  const response = await fetchFn(url, { signal });
  if (!response.ok) {
    throw new ModelLoadError(
      url,
      response.status,
      `the server answered ${response.status}`
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Loads a dataset described by a manifest such as assets/datasets/mnist/
 * mnist.json: gzipped IDX files of images and labels, and named splits.
 */
export async function loadIdxDataset(
  manifestUrl: string,
  options: { fetch?: FetchLike; signal?: AbortSignal } = {}
): Promise<IImageDataset> {
  const fetchFn: FetchLike = options.fetch ?? ((u, init) => fetch(u, init));
  const response = await fetchFn(manifestUrl, { signal: options.signal });
  if (!response.ok) {
    throw new ModelLoadError(
      manifestUrl,
      response.status,
      `the server answered ${response.status}`
    );
  }
  const manifest = (await response.json()) as IManifest;
  const shape = manifest.imageShape;
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    typeof manifest.images !== 'string' ||
    typeof manifest.count !== 'number'
  ) {
    throw new FeatureVizError(
      `${manifestUrl} is not a dataset manifest (count, imageShape, images).`
    );
  }
  const files = { images: manifest.images, labels: manifest.labels };
  const resolve = (file: string) => new URL(file, manifestUrl).toString();
  const images = parseIdx(
    await gunzip(
      await fetchBytes(fetchFn, resolve(files.images), options.signal)
    ),
    files.images
  );
  const labels =
    typeof files.labels === 'string'
      ? parseIdx(
          await gunzip(
            await fetchBytes(fetchFn, resolve(files.labels), options.signal)
          ),
          files.labels
        )
      : null;
  const [h, w, c] = shape as [number, number, number];
  if (
    images.shape[0] !== manifest.count ||
    images.data.length !== manifest.count * h * w * c
  ) {
    throw new FeatureVizError(
      `${files.images} does not hold ${manifest.count} images of ${h}×${w}×${c}.`
    );
  }
  if (labels && labels.data.length !== manifest.count) {
    throw new FeatureVizError(
      `${String(files.labels)} does not hold ${manifest.count} labels.`
    );
  }
  const splits: Record<string, [number, number]> = { all: [0, manifest.count] };
  for (const [name, range] of Object.entries(manifest.splits ?? {})) {
    if (
      Array.isArray(range) &&
      range.length === 2 &&
      range.every(v => Number.isInteger(v))
    ) {
      splits[name] = [range[0], range[1]];
    }
  }
  return {
    name: typeof manifest.name === 'string' ? manifest.name : 'dataset',
    count: manifest.count,
    imageShape: [h, w, c],
    pixels: images.data,
    labels: labels?.data ?? null,
    splits
  };
}

/** The [start, end) range of a split, shortened to `limit` examples. */
export function selectRange(
  dataset: IImageDataset,
  split: SplitName,
  limit?: number
): [number, number] {
  const range = dataset.splits[split];
  if (!range) {
    throw new FeatureVizError(
      `Dataset "${dataset.name}" has no split "${split}"; it has ${Object.keys(dataset.splits).join(', ')}.`
    );
  }
  const [start, end] = range;
  return [start, limit === undefined ? end : Math.min(end, start + limit)];
}

/** Images [start, end) as a float tensor in [0, 1], shape [n, h, w, c]. */
export function imageBatch(
  dataset: IImageDataset,
  start: number,
  end: number
): tf.Tensor4D {
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  return tf.tidy(() =>
    tf.div(
      tf.tensor4d(
        dataset.pixels.subarray(start * size, end * size),
        [end - start, h, w, c],
        'int32'
      ),
      255
    )
  ) as tf.Tensor4D;
}
