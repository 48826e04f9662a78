/**
 * Resolving an output's data: bundled digits, files and folders on the
 * server (through the notebook's resolver and the server's listing, sizes
 * checked before any download), and kernel arrays by key.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { DataRef } from '../../spec';
import type { ISettingValues } from '../../tokens';
import {
  type IDataContext,
  type IServerEntry,
  type IServerFiles,
  resolveData
} from '../resolve-data';

const ORIGIN = 'http://localhost:8888';
const settings: ISettingValues = {
  backend: 'auto',
  allowedOrigins: [],
  maxWeightsMB: 50,
  maxDatasetMB: 1,
  maxJobMemoryMB: 1024,
  maxJobMinutes: 10,
  keepFrames: false
};

/** The notebook is in work/; the server's files below. */
const resolver = {
  resolveUrl: async (url: string) => `work/${url}`,
  getDownloadUrl: async (path: string) => `/files/${path}?_xsrf=secret`,
  isLocal: () => true
} as unknown as IRenderMime.IResolver;

const tree: Record<string, IServerEntry[] | number> = {
  'work/x.npy': 1000,
  'work/y.npy': 10,
  'work/big.npz': 2e6,
  'work/pets': [
    { name: 'cat', path: 'work/pets/cat', type: 'directory', size: null },
    { name: 'dog', path: 'work/pets/dog', type: 'directory', size: null },
    { name: 'notes.txt', path: 'work/pets/notes.txt', type: 'file', size: 5 }
  ],
  'work/pets/cat': [
    { name: 'a.png', path: 'work/pets/cat/a.png', type: 'file', size: 100 },
    { name: 'b.JPG', path: 'work/pets/cat/b.JPG', type: 'file', size: 100 }
  ],
  'work/pets/dog': [
    { name: 'c.jpeg', path: 'work/pets/dog/c.jpeg', type: 'file', size: 100 }
  ]
};

const files: IServerFiles = {
  get: async path => {
    const found = tree[path];
    const name = path.split('/').pop() as string;
    if (found === undefined) {
      throw new Error(`no ${path}`);
    }
    return typeof found === 'number'
      ? { name, path, type: 'file', size: found, entries: null }
      : { name, path, type: 'directory', size: null, entries: found };
  }
};

function context(overrides: Partial<IDataContext> = {}): IDataContext {
  return {
    resolver,
    assetUrl: path => `${ORIGIN}/static/${path}`,
    settings,
    origin: ORIGIN,
    filesUrl: `${ORIGIN}/files/`,
    files,
    kernelArrays: null,
    ...overrides
  };
}

describe('resolveData', () => {
  it('points bundled digits at the static manifest, test split by default', async () => {
    expect(
      await resolveData({ builtin: 'mnist', limit: 5 }, context())
    ).toEqual({
      source: 'bundled',
      url: `${ORIGIN}/static/datasets/mnist/mnist.json`,
      split: 'test',
      limit: 5
    });
  });

  it('reads .npy files beside the notebook, with their labels', async () => {
    expect(
      await resolveData({ path: 'x.npy', labels: 'y.npy' }, context())
    ).toEqual({
      source: 'npy',
      url: `${ORIGIN}/files/work/x.npy?_xsrf=secret`,
      name: 'x.npy',
      key: undefined,
      labels: { url: `${ORIGIN}/files/work/y.npy?_xsrf=secret`, name: 'y.npy' },
      maxBytes: 1e6,
      limit: undefined
    });
  });

  it('lists a folder: images in subfolders, labelled by them', async () => {
    const request = await resolveData({ path: 'pets/' }, context());
    expect(request).toMatchObject({ source: 'folder', name: 'pets/' });
    if (request.source !== 'folder') {
      throw new Error('a folder');
    }
    expect(request.files.map(f => [f.name, f.label, f.size])).toEqual([
      ['cat/a.png', 'cat', 100],
      ['cat/b.JPG', 'cat', 100],
      ['dog/c.jpeg', 'dog', 100]
    ]);
  });

  it.each([
    [
      'a file over the cap, before downloading it',
      { path: 'big.npz', key: 'x' },
      'big.npz is 2.0 MB, over the 1 MB cap of the "Largest dataset" setting.'
    ],
    [
      'a file the server does not have',
      { path: 'nope.npy' },
      "nope.npy is not on the Jupyter server (paths are relative to the notebook's folder)."
    ],
    [
      'an absolute URL',
      { path: 'https://example.org/x.npy' },
      /read from the Jupyter server's files/
    ],
    [
      'kernel arrays outside a notebook',
      { kernel: 'a'.repeat(64), shape: [1, 2, 2], dtype: 'uint8' },
      /not in a notebook with a running kernel/
    ]
  ] as [string, DataRef, string | RegExp][])(
    'refuses %s',
    async (_, ref, message) => {
      await expect(resolveData(ref, context())).rejects.toThrow(message);
    }
  );

  it('has the kernel arrays fetched into the engine, then names them by key', async () => {
    const kernelArrays = jest.fn(async () => undefined);
    const key = 'b'.repeat(64);
    expect(
      await resolveData(
        { kernel: key, shape: [3, 4, 4], dtype: 'float32', limit: 2 },
        context({ kernelArrays })
      )
    ).toEqual({ source: 'kernel', key, limit: 2 });
    expect(kernelArrays).toHaveBeenCalledWith(key, undefined);
  });
});
