/**
 * Where an output's model comes from (docs/architecture.md, "Trust and
 * safety"): a bundled model from the extension's static files; a path
 * relative to the notebook's folder through the Jupyter server's files; an
 * absolute URL only from the page's origin or an origin the settings allow.
 * Only trusted outputs get here.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { ISettingValues } from '../tokens';
import { FeatureVizError, OriginNotAllowedError } from '../engine/errors';
import type { IModelRequest } from '../engine/runtime/protocol';
import type { ModelRef } from '../spec';

/** Bundled models: spec name → path under the extension's assets. */
export const BUILTIN_MODELS: Readonly<Record<string, string>> = {
  'mnist-cnn': 'models/mnist-cnn/model.json'
};

export interface IResolveContext {
  readonly resolver: IRenderMime.IResolver | null;
  readonly assetUrl: (path: string) => string;
  readonly settings: ISettingValues;
  /** The page's origin (always allowed). */
  readonly origin: string;
}

export async function resolveModel(
  ref: ModelRef,
  context: IResolveContext
): Promise<IModelRequest> {
  const maxWeightBytes = context.settings.maxWeightsMB * 1e6;
  if ('builtin' in ref) {
    const path = BUILTIN_MODELS[ref.builtin];
    if (!path) {
      throw new FeatureVizError(
        `There is no bundled model "${ref.builtin}"; there are ${Object.keys(BUILTIN_MODELS).join(', ')}.`
      );
    }
    return { url: context.assetUrl(path), format: 'layers', maxWeightBytes };
  }
  const url = ref.url;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new FeatureVizError(
        `${url}: only http(s) URLs and paths on the Jupyter server can be loaded.`
      );
    }
    checkOrigin(parsed, url, context);
    return { url: parsed.toString(), format: ref.format, maxWeightBytes };
  }
  if (!context.resolver) {
    throw new FeatureVizError(
      `${url}: this output cannot resolve paths (it is not in a notebook). Use an absolute URL.`
    );
  }
  // Relative to the notebook's folder ('/...' from the server's root), then the
  // server's download URL for that file.
  const path = await context.resolver.resolveUrl(url);
  const download = new URL(
    await context.resolver.getDownloadUrl(path),
    context.origin
  );
  // The resolver passes what it does not consider a path through unchanged:
  // `//host/model.json` would come back as another origin.
  checkOrigin(download, url, context);
  return { url: download.toString(), format: ref.format, maxWeightBytes };
}

function checkOrigin(parsed: URL, url: string, context: IResolveContext): void {
  if (
    parsed.origin !== context.origin &&
    !context.settings.allowedOrigins.includes(parsed.origin)
  ) {
    throw new OriginNotAllowedError(url, parsed.origin);
  }
}
