/**
 * A folder of PNG/JPEG images on the Jupyter server as a dataset
 * (docs/architecture.md, "Datasets and top examples"). The page lists the
 * files (labels are subfolder names); the engine fetches and decodes them
 * (createImageBitmap and OffscreenCanvas in the worker: decode.ts), turns
 * them grey or RGB as the model takes them, and resizes each to the model's
 * input. A file that cannot be decoded is skipped and counted, so one
 * corrupt image does not lose the rest.
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError } from '../errors';
import type { FetchLike } from '../model/load';
import { DatasetError, type IDataset, arrayDataset } from './dataset';

/** An image file of the folder, as the page listed it. */
export interface IImageFile {
  readonly url: string;
  /** Its path in the folder, for messages. */
  readonly name: string;
  /** Its subfolder (the label), or null for a file at the top. */
  readonly label: string | null;
  /** Bytes, from the listing (checked against the cap before download). */
  readonly size?: number;
}

export interface IDecodedImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes. */
  readonly rgba: Uint8ClampedArray;
}

/** Decodes one image file; throws for a file that is not an image. */
export type ImageDecoder = (bytes: Uint8Array) => Promise<IDecodedImage>;

export interface IFolderOptions {
  readonly fetch: FetchLike;
  readonly decode: ImageDecoder;
  /** [height, width, channels] every image is made into. */
  readonly shape: readonly [number, number, number];
  /** The most bytes to download in all. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  /** Files fetched at once. */
  readonly concurrency?: number;
}

export async function loadImageFolder(
  name: string,
  files: readonly IImageFile[],
  options: IFolderOptions
): Promise<IDataset> {
  if (files.length === 0) {
    throw new DatasetError(
      `${name} is empty: it holds no PNG or JPEG images (nor subfolders of them).`
    );
  }
  const listed = files.reduce((total, f) => total + (f.size ?? 0), 0);
  if (options.maxBytes !== undefined && listed > options.maxBytes) {
    throw new DatasetError(tooLarge(name, listed, options.maxBytes));
  }
  const [height, width, channels] = options.shape;
  const size = height * width * channels;
  const kept = new Uint8Array(files.length * size);
  const ok = new Array<boolean>(files.length).fill(false);
  let downloaded = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      if (options.signal?.aborted) {
        throw new CancelledError();
      }
      const response = await options.fetch(files[i].url, {
        signal: options.signal
      });
      if (!response.ok) {
        throw new DatasetError(
          `${files[i].name}: the server answered ${response.status}.`
        );
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      downloaded += bytes.length;
      if (options.maxBytes !== undefined && downloaded > options.maxBytes) {
        throw new DatasetError(tooLarge(name, downloaded, options.maxBytes));
      }
      let image: IDecodedImage;
      try {
        image = await options.decode(bytes);
      } catch {
        continue; // A corrupt or unsupported file: counted as skipped below.
      }
      kept.set(await resize(image, options.shape), i * size);
      ok[i] = true;
    }
  };
  await Promise.all(
    Array.from(
      { length: Math.min(options.concurrency ?? 6, files.length) },
      worker
    )
  );
  const readable = ok.flatMap((good, i) => (good ? [i] : []));
  const skipped = files.length - readable.length;
  if (readable.length === 0) {
    throw new DatasetError(
      `${name} holds no readable images: all ${files.length} files failed to decode (corrupt, or not PNG/JPEG).`
    );
  }
  const pixels = new Uint8Array(readable.length * size);
  readable.forEach((from, to) =>
    pixels.set(kept.subarray(from * size, (from + 1) * size), to * size)
  );
  const names = [
    ...new Set(readable.map(i => files[i].label).filter(l => l !== null))
  ].sort();
  const labelled = readable.every(i => files[i].label !== null);
  const labels = labelled
    ? Int32Array.from(readable, i => names.indexOf(files[i].label as string))
    : null;
  return arrayDataset(
    name,
    { shape: [readable.length, height, width, channels], data: pixels },
    labels && { shape: [labels.length], data: labels },
    { labelNames: labelled ? names : null, skipped }
  );
}

function tooLarge(name: string, bytes: number, cap: number): string {
  return `${name} is ${(bytes / 1e6).toFixed(1)} MB, over the ${(cap / 1e6).toFixed(0)} MB cap of the "Largest dataset" setting.`;
}

/** One decoded image as `shape`'s channels (grey: ITU-R 601 luma), resized. */
async function resize(
  image: IDecodedImage,
  shape: readonly [number, number, number]
): Promise<Uint8Array> {
  const [height, width, channels] = shape;
  const pixels = tf.tidy(() => {
    const rgba = tf.tensor3d(
      new Uint8Array(
        image.rgba.buffer,
        image.rgba.byteOffset,
        image.rgba.byteLength
      ),
      [image.height, image.width, 4],
      'int32'
    );
    const rgb = tf.cast(tf.slice(rgba, [0, 0, 0], [-1, -1, 3]), 'float32');
    const chosen =
      channels === 1
        ? tf.sum(tf.mul(rgb, tf.tensor1d([0.299, 0.587, 0.114])), 2, true)
        : rgb;
    const sized =
      image.height === height && image.width === width
        ? chosen
        : tf.image.resizeBilinear(chosen as tf.Tensor3D, [height, width]);
    return tf.cast(tf.clipByValue(tf.round(sized), 0, 255), 'int32');
  });
  try {
    return Uint8Array.from(await pixels.data());
  } finally {
    pixels.dispose();
  }
}
