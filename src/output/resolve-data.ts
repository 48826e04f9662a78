/**
 * Where an output's data comes from (docs/architecture.md, "Datasets and top
 * examples"; "Trust and safety"): the bundled digits from the extension's
 * static files; a file or folder relative to the notebook through the
 * Jupyter server's files (sizes from its listing, checked against the
 * "Largest dataset" setting before any download); kernel arrays fetched once
 * per page over the comm. Only trusted outputs get here.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { FeatureVizError, OriginNotAllowedError } from '../engine/errors';
import type { IImageFile } from '../engine/dataset/folder';
import type { DataRequest } from '../engine/dataset/store';
import type { DataRef } from '../spec';
import { SPEC_DEFAULTS } from '../spec/defaults.generated';
import { checkUrl } from '../engine/model/url-policy';
import { type IResolveContext, serverPath } from './resolve';

/** Bundled datasets: spec name → manifest under the extension's assets. */
export const BUILTIN_DATASETS: Readonly<Record<string, string>> = {
  mnist: 'datasets/mnist/mnist.json'
};

/** An entry of the server's file listing. */
export interface IServerEntry {
  readonly name: string;
  /** Its path from the server's root. */
  readonly path: string;
  readonly type: string;
  /** Bytes (files); null when the server does not say. */
  readonly size: number | null;
}

/** The Jupyter server's files, as the plugin reads them (contents API). */
export interface IServerFiles {
  /** A file's entry, or a folder's with its entries. */
  get(
    path: string
  ): Promise<
    IServerEntry & { readonly entries: readonly IServerEntry[] | null }
  >;
}

export interface IDataContext extends IResolveContext {
  readonly files: IServerFiles | null;
  /**
   * Makes sure the engine holds the kernel arrays under `key` (fetched over
   * the comm once per page); null outside a notebook with a kernel.
   */
  readonly kernelArrays:
    ((key: string, signal?: AbortSignal) => Promise<void>) | null;
  readonly signal?: AbortSignal;
}

const IMAGES = /\.(png|jpe?g)$/i;

export async function resolveData(
  ref: DataRef,
  context: IDataContext
): Promise<DataRequest> {
  if ('builtin' in ref) {
    const manifest = BUILTIN_DATASETS[ref.builtin];
    if (!manifest) {
      throw new FeatureVizError(
        `There is no bundled dataset "${ref.builtin}"; there are ${Object.keys(BUILTIN_DATASETS).join(', ')}.`
      );
    }
    return {
      source: 'bundled',
      url: context.assetUrl(manifest),
      split: ref.split ?? SPEC_DEFAULTS.BuiltinDataRef.split,
      limit: ref.limit
    };
  }
  if ('kernel' in ref) {
    if (!context.kernelArrays) {
      throw new FeatureVizError(
        'This output shows arrays from a kernel, but it is not in a notebook with a running kernel: open the notebook and run the cell.'
      );
    }
    await context.kernelArrays(ref.kernel, context.signal);
    return { source: 'kernel', key: ref.kernel, limit: ref.limit };
  }
  const maxBytes = context.settings.maxDatasetMB * 1e6;
  const server = await dataPath(ref.path, context);
  const entry = await stat(server, ref.path, context);
  if (entry?.type === 'directory' || ref.path.endsWith('/')) {
    return {
      source: 'folder',
      name: ref.path,
      files: await listImages(server, ref.path, context),
      maxBytes,
      limit: ref.limit
    };
  }
  checkSize(ref.path, entry?.size ?? null, maxBytes);
  let labels: Extract<DataRequest, { source: 'npy' }>['labels'];
  if (ref.labels !== undefined) {
    if (ref.path.endsWith('.npz')) {
      labels = { key: ref.labels };
    } else {
      const labelsPath = await dataPath(ref.labels, context);
      checkSize(
        ref.labels,
        (await stat(labelsPath, ref.labels, context))?.size ?? null,
        maxBytes
      );
      labels = {
        url: await download(labelsPath, ref.labels, context),
        name: ref.labels
      };
    }
  }
  return {
    source: 'npy',
    url: await download(server, ref.path, context),
    name: ref.path,
    key: ref.key,
    labels,
    maxBytes,
    limit: ref.limit
  };
}

/** A path's entry in the server's listing; null when the page cannot list. */
async function stat(
  server: string,
  name: string,
  context: IDataContext
): Promise<IServerEntry | null> {
  if (!context.files) {
    return null;
  }
  try {
    return await context.files.get(server);
  } catch {
    throw new FeatureVizError(
      `${name} is not on the Jupyter server (paths are relative to the notebook's folder).`
    );
  }
}

/**
 * The server path of a path relative to the notebook ('/…' from the root),
 * held to the same rules as a model's path (resolve.ts).
 */
async function dataPath(path: string, context: IDataContext): Promise<string> {
  if (!context.resolver) {
    throw new FeatureVizError(
      `${path}: this output cannot resolve paths (it is not in a notebook).`
    );
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    throw new FeatureVizError(
      `${path}: data is read from the Jupyter server's files; give a path relative to the notebook.`
    );
  }
  return serverPath(path.replace(/\/+$/, ''), context.resolver, 'data');
}

/** The server's download URL of a file, under the server's files. */
async function download(
  server: string,
  name: string,
  context: IDataContext
): Promise<string> {
  const url = new URL(
    await (context.resolver as IRenderMime.IResolver).getDownloadUrl(
      encodeURI(server)
    ),
    context.origin
  );
  if (url.origin !== context.origin) {
    throw new OriginNotAllowedError(name, url.origin);
  }
  return checkUrl(url.toString(), [context.filesUrl], name).toString();
}

function checkSize(name: string, size: number | null, maxBytes: number): void {
  if (size !== null && size > maxBytes) {
    throw new FeatureVizError(
      `${name} is ${(size / 1e6).toFixed(1)} MB, over the ${(maxBytes / 1e6).toFixed(0)} MB cap of the "Largest dataset" setting.`
    );
  }
}

/** A folder's images: at its top (no label) and in its subfolders (labels). */
async function listImages(
  server: string,
  name: string,
  context: IDataContext
): Promise<IImageFile[]> {
  if (!context.files) {
    throw new FeatureVizError(
      `${name}: this page cannot list the server's folders.`
    );
  }
  const folder = await context.files.get(server);
  if (folder.type !== 'directory' || !folder.entries) {
    throw new FeatureVizError(`${name} is not a folder on the server.`);
  }
  const found: IImageFile[] = [];
  const add = async (entry: IServerEntry, label: string | null) => {
    found.push({
      url: await download(entry.path, entry.path, context),
      name: label ? `${label}/${entry.name}` : entry.name,
      label,
      size: entry.size ?? undefined
    });
  };
  for (const entry of folder.entries) {
    if (entry.type === 'directory') {
      const sub = await context.files.get(entry.path);
      for (const child of sub.entries ?? []) {
        if (child.type !== 'directory' && IMAGES.test(child.name)) {
          await add(child, entry.name);
        }
      }
    } else if (IMAGES.test(entry.name)) {
      await add(entry, null);
    }
  }
  const total = found.reduce((sum, f) => sum + (f.size ?? 0), 0);
  checkSize(name, total, context.settings.maxDatasetMB * 1e6);
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
