/**
 * Model resolution: bundled names, server paths and URLs, the hostile ones
 * refused before anything is asked of the server, and the places each
 * model's weights may come from.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import {
  FeatureVizError,
  OriginNotAllowedError,
  PathNotAllowedError
} from '../../engine/errors';
import type { ModelRef } from '../../spec';
import type { ISettingValues } from '../../tokens';
import { type IResolveContext, resolveModel } from '../resolve';

const ORIGIN = 'http://localhost:8888';
const FILES = `${ORIGIN}/files/`;
const STATIC = `${ORIGIN}/lab/extensions/featureviz/static/`;

const settings: ISettingValues = {
  backend: 'auto',
  allowedOrigins: [],
  maxWeightsMB: 50,
  maxDatasetMB: 20,
  maxJobMemoryMB: 1024,
  maxJobMinutes: 10,
  keepFrames: false
};

function context(overrides: Partial<IResolveContext> = {}): IResolveContext {
  return {
    resolver: null,
    assetUrl: path => `${STATIC}${path}`,
    settings,
    origin: ORIGIN,
    filesUrl: FILES,
    ...overrides
  };
}

/**
 * A notebook at `work/nb.ipynb`, resolved as JupyterLab's UrlResolver does:
 * a local path against the notebook's folder (`..` stops at the root), a
 * path from `/` or a URL passed through; downloads under /files/ with the
 * _xsrf token in the query. Records what it was asked.
 */
function resolver(): IRenderMime.IResolver & { asked: string[] } {
  const asked: string[] = [];
  const isLocal = (url: string) =>
    !url.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(url);
  return {
    asked,
    resolveUrl: async url => {
      asked.push(`resolve ${url}`);
      if (!isLocal(url)) {
        return url;
      }
      const parts = ['work'];
      for (const part of url.split('/')) {
        if (part === '..') {
          parts.pop();
        } else if (part !== '.' && part !== '') {
          parts.push(part);
        }
      }
      return encodeURI(parts.join('/'));
    },
    getDownloadUrl: async path => {
      asked.push(`download ${path}`);
      return isLocal(path)
        ? `${FILES}${encodeURI(decodeURIComponent(path))}?_xsrf=2%7Ctoken`
        : path;
    }
  };
}

describe('resolveModel', () => {
  it('finds a bundled model among the static assets; its weights stay beside it', async () => {
    await expect(
      resolveModel({ builtin: 'mnist-cnn' }, context())
    ).resolves.toEqual({
      url: `${STATIC}models/mnist-cnn/model.json`,
      format: 'layers',
      maxWeightBytes: 50e6,
      allowedPrefixes: [`${STATIC}models/mnist-cnn/`]
    });
  });

  it('names the bundled models when asked for one it lacks', async () => {
    const ref = { builtin: 'resnet50' } as unknown as ModelRef;
    const result = resolveModel(ref, context());
    await expect(result).rejects.toThrow(FeatureVizError);
    await expect(result).rejects.toThrow(
      'There is no bundled model "resnet50"; there are mnist-cnn.'
    );
  });

  it("loads a URL of the server's files", async () => {
    await expect(
      resolveModel({ url: `${FILES}m/model.json`, format: 'graph' }, context())
    ).resolves.toEqual({
      url: `${FILES}m/model.json`,
      format: 'graph',
      maxWeightBytes: 50e6,
      allowedPrefixes: [FILES]
    });
  });

  it.each([
    `${ORIGIN}/api/contents/secret.txt?content=1`,
    `${ORIGIN}/lab/tree/secret.txt`,
    `${ORIGIN}/files/../api/contents/secret.txt`,
    `${ORIGIN}/files/%2e%2e/api/contents`,
    `${ORIGIN}/static/lab/model.json`
  ])("refuses the server's own routes: %s", async url => {
    await expect(resolveModel({ url }, context())).rejects.toBeInstanceOf(
      PathNotAllowedError
    );
  });

  it('refuses another origin unless the settings allow it; its weights may come from there', async () => {
    const url = 'https://models.example.org/cnn/model.json';
    const refused = resolveModel({ url }, context());
    await expect(refused).rejects.toBeInstanceOf(OriginNotAllowedError);
    await expect(refused).rejects.toMatchObject({
      url,
      origin: 'https://models.example.org'
    });
    const allowing = context({
      settings: {
        ...settings,
        allowedOrigins: ['https://models.example.org']
      }
    });
    // A neighbour of an allowed origin is another origin.
    await expect(
      resolveModel(
        { url: 'https://models.example.org:8443/model.json' },
        allowing
      )
    ).rejects.toBeInstanceOf(OriginNotAllowedError);
    await expect(resolveModel({ url }, allowing)).resolves.toMatchObject({
      url,
      allowedPrefixes: [FILES, 'https://models.example.org/']
    });
  });

  it.each([
    'file:///etc/passwd',
    'data:application/json,{}',
    'javascript:alert(1)',
    'ftp://localhost:8888/model.json'
  ])('refuses the scheme of %s', async url => {
    const fake = resolver();
    const result = resolveModel({ url }, context({ resolver: fake }));
    await expect(result).rejects.toThrow(
      'only http(s) URLs and paths on the Jupyter server can be loaded'
    );
    await expect(result).rejects.not.toBeInstanceOf(OriginNotAllowedError);
    expect(fake.asked).toEqual([]);
  });

  it("resolves a path from the notebook's folder or the root to the server's files", async () => {
    const fake = resolver();
    await expect(
      resolveModel(
        { url: 'models/cnn/model.json' },
        context({ resolver: fake })
      )
    ).resolves.toEqual({
      url: `${FILES}work/models/cnn/model.json?_xsrf=2%7Ctoken`,
      format: undefined,
      maxWeightBytes: 50e6,
      allowedPrefixes: [FILES]
    });
    await expect(
      resolveModel({ url: '/shared/model.json' }, context({ resolver: fake }))
    ).resolves.toMatchObject({
      url: `${FILES}shared/model.json?_xsrf=2%7Ctoken`
    });
    await expect(
      resolveModel(
        { url: '../shared/my model/./model.json' },
        context({ resolver: fake })
      )
    ).resolves.toMatchObject({
      url: `${FILES}shared/my%20model/model.json?_xsrf=2%7Ctoken`
    });
  });

  it.each([
    [
      '../../../../etc/passwd',
      "leads outside the Jupyter server's root folder"
    ],
    ['/api/contents/secret.txt?content=1', 'may not hold a query'],
    ['/api/contents/secret.txt', "points into Jupyter's own api/"],
    ['/lab/workspaces/auto', "points into Jupyter's own lab/"],
    ['m/..%2f..%2fsecret', 'an encoded separator'],
    ['..\\..\\secret.json', 'a backslash'],
    ['model.json#frag', 'a fragment'],
    ['//models.example.org/model.json', 'a URL without its scheme'],
    ['..', 'names a folder']
  ])('refuses the path %s before asking the server', async (url, reason) => {
    const fake = resolver();
    const result = resolveModel({ url }, context({ resolver: fake }));
    await expect(result).rejects.toBeInstanceOf(PathNotAllowedError);
    await expect(result).rejects.toThrow(reason);
    expect(fake.asked.filter(a => a.startsWith('download'))).toEqual([]);
  });

  it('says why a path cannot be loaded outside a notebook', async () => {
    await expect(
      resolveModel({ url: 'model.json' }, context())
    ).rejects.toThrow(
      'model.json: this output cannot resolve paths (it is not in a notebook). Use an absolute URL.'
    );
  });

  it("holds the resolver's answer to the server's files", async () => {
    // A resolver that maps a path anywhere else is not believed.
    const elsewhere: IRenderMime.IResolver = {
      resolveUrl: async () => '',
      getDownloadUrl: async () => `${ORIGIN}/api/contents/secret.txt`
    };
    await expect(
      resolveModel({ url: 'model.json' }, context({ resolver: elsewhere }))
    ).rejects.toBeInstanceOf(PathNotAllowedError);
  });
});
