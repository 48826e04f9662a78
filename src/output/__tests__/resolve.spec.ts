import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { FeatureVizError, OriginNotAllowedError } from '../../engine/errors';
import type { ModelRef } from '../../spec';
import type { ISettingValues } from '../../tokens';
import { type IResolveContext, resolveModel } from '../resolve';

const ORIGIN = 'http://localhost:8888';

const settings: ISettingValues = {
  backend: 'auto',
  allowedOrigins: [],
  maxWeightsMB: 50,
  maxDatasetMB: 20,
  keepFrames: false
};

function context(overrides: Partial<IResolveContext> = {}): IResolveContext {
  return {
    resolver: null,
    assetUrl: path => `${ORIGIN}/lab/extensions/featureviz/static/${path}`,
    settings,
    origin: ORIGIN,
    ...overrides
  };
}

/** A notebook in folder `work/`, served under /files/. */
function resolver(): IRenderMime.IResolver & {
  asked: string[];
} {
  const asked: string[] = [];
  return {
    asked,
    resolveUrl: async url => {
      asked.push(url);
      return url.startsWith('/') ? url.slice(1) : `work/${url}`;
    },
    getDownloadUrl: async path => `/files/${path}?token=t`
  };
}

describe('resolveModel', () => {
  it('finds a bundled model among the static assets', async () => {
    await expect(
      resolveModel({ builtin: 'mnist-cnn' }, context())
    ).resolves.toEqual({
      url: `${ORIGIN}/lab/extensions/featureviz/static/models/mnist-cnn/model.json`,
      format: 'layers',
      maxWeightBytes: 50e6
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

  it("loads an absolute URL on the page's own origin", async () => {
    await expect(
      resolveModel(
        { url: `${ORIGIN}/files/m/model.json`, format: 'graph' },
        context()
      )
    ).resolves.toEqual({
      url: `${ORIGIN}/files/m/model.json`,
      format: 'graph',
      maxWeightBytes: 50e6
    });
  });

  it('refuses another origin unless the settings allow it', async () => {
    const url = 'https://models.example.org/cnn/model.json';
    const refused = resolveModel({ url }, context());
    await expect(refused).rejects.toBeInstanceOf(OriginNotAllowedError);
    await expect(refused).rejects.toMatchObject({
      url,
      origin: 'https://models.example.org'
    });
    // A neighbour of an allowed origin is another origin.
    await expect(
      resolveModel(
        { url: 'https://models.example.org:8443/model.json' },
        context({
          settings: {
            ...settings,
            allowedOrigins: ['https://models.example.org']
          }
        })
      )
    ).rejects.toBeInstanceOf(OriginNotAllowedError);
    await expect(
      resolveModel(
        { url },
        context({
          settings: {
            ...settings,
            allowedOrigins: ['https://models.example.org']
          }
        })
      )
    ).resolves.toMatchObject({ url });
  });

  it.each([
    'file:///etc/passwd',
    'data:application/json,{}',
    'javascript:alert(1)',
    'ftp://localhost:8888/model.json'
  ])('refuses the scheme of %s', async url => {
    const result = resolveModel({ url }, context({ resolver: resolver() }));
    await expect(result).rejects.toThrow(
      'only http(s) URLs and paths on the Jupyter server can be loaded'
    );
    await expect(result).rejects.not.toBeInstanceOf(OriginNotAllowedError);
  });

  it("resolves a relative path through the notebook's resolver", async () => {
    const fake = resolver();
    await expect(
      resolveModel(
        { url: 'models/cnn/model.json' },
        context({ resolver: fake })
      )
    ).resolves.toEqual({
      url: `${ORIGIN}/files/work/models/cnn/model.json?token=t`,
      format: undefined,
      maxWeightBytes: 50e6
    });
    await expect(
      resolveModel({ url: '/shared/model.json' }, context({ resolver: fake }))
    ).resolves.toMatchObject({
      url: `${ORIGIN}/files/shared/model.json?token=t`
    });
    expect(fake.asked).toEqual(['models/cnn/model.json', '/shared/model.json']);
  });

  it('says why a path cannot be loaded outside a notebook', async () => {
    await expect(
      resolveModel({ url: 'model.json' }, context())
    ).rejects.toThrow(
      'model.json: this output cannot resolve paths (it is not in a notebook). Use an absolute URL.'
    );
  });
});

describe('resolveModel through JupyterLab-like resolvers', () => {
  // JupyterLab's resolver returns what it does not take for a path unchanged.
  const passThrough: IRenderMime.IResolver = {
    resolveUrl: async url => url,
    getDownloadUrl: async url => url
  };

  it('refuses a protocol-relative URL to another origin', async () => {
    await expect(
      resolveModel(
        { url: '//models.example.org/model.json' },
        context({ resolver: passThrough })
      )
    ).rejects.toBeInstanceOf(OriginNotAllowedError);
  });
});
