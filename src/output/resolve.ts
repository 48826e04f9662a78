/**
 * Where an output's model comes from (docs/architecture.md, "Trust and
 * safety"): a bundled model from the extension's static files; a path on the
 * Jupyter server (relative to the notebook's folder, or from the server's
 * root with a leading `/`) through the server's files; an absolute URL only
 * from the server's files or an origin the settings allow. Paths into
 * Jupyter's API or application, paths that climb out of the server's root,
 * queries and encoded separators are refused before any request. The
 * request carries the places its weight files may come from: the engine
 * holds every weight file to the model's own rules. Only trusted outputs
 * get here.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { ISettingValues } from '../tokens';
import {
  FeatureVizError,
  OriginNotAllowedError,
  PathNotAllowedError
} from '../engine/errors';
import { checkUrl, folderOf } from '../engine/model/url-policy';
import type { IModelRequest } from '../engine/runtime/protocol';
import type { ModelRef } from '../spec';
import {
  type IKernelModelContext,
  resolveKernelModel
} from './resolve-kernel-model';

/** Bundled models: spec name → path under the extension's assets. */
export const BUILTIN_MODELS: Readonly<Record<string, string>> = {
  'mnist-cnn': 'models/mnist-cnn/model.json'
};

export interface IResolveContext {
  readonly resolver: IRenderMime.IResolver | null;
  readonly assetUrl: (path: string) => string;
  readonly settings: ISettingValues;
  /** The page's origin: the Jupyter server's. */
  readonly origin: string;
  /** Where the server serves its files (`<base URL>files/`). */
  readonly filesUrl: string;
}

/** Jupyter's own routes, which a model path may not name. */
const JUPYTER_ROUTES = /^(api|lab)$/i;
/** What a server path may not hold: queries, fragments, encoded separators. */
const UNSAFE_PATH = /[?#\\]|%2f|%5c/i;

/** Whether a path holds a control character (a line break, say). */
function hasControl(path: string): boolean {
  return [...path].some(
    c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f
  );
}

export async function resolveModel(
  ref: ModelRef,
  context: IResolveContext & IKernelModelContext
): Promise<IModelRequest> {
  if ('kernel' in ref) {
    return resolveKernelModel(ref, context);
  }
  const maxWeightBytes = context.settings.maxWeightsMB * 1e6;
  if ('builtin' in ref) {
    const path = BUILTIN_MODELS[ref.builtin];
    if (!path) {
      throw new FeatureVizError(
        `There is no bundled model "${ref.builtin}"; there are ${Object.keys(BUILTIN_MODELS).join(', ')}.`
      );
    }
    const url = context.assetUrl(path);
    return {
      url,
      format: 'layers',
      maxWeightBytes,
      allowedPrefixes: [folderOf(url)]
    };
  }
  // The server's files, and the origins the settings allow: for the model
  // and for each of its weight files.
  const allowedPrefixes = [
    context.filesUrl,
    ...context.settings.allowedOrigins.map(origin => `${origin}/`)
  ];
  const url = ref.url;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new FeatureVizError(
        `${url}: only http(s) URLs and paths on the Jupyter server can be loaded.`
      );
    }
    checkOrigin(parsed, url, context);
    checkUrl(parsed.toString(), allowedPrefixes, 'the model');
    return {
      url: parsed.toString(),
      format: ref.format,
      maxWeightBytes,
      allowedPrefixes
    };
  }
  if (!context.resolver) {
    throw new FeatureVizError(
      `${url}: this output cannot resolve paths (it is not in a notebook). Use an absolute URL.`
    );
  }
  const path = await serverPath(url, context.resolver, 'model');
  const download = new URL(
    await context.resolver.getDownloadUrl(encodeURI(path)),
    context.origin
  ).toString();
  // The resolver's answer is held to the same rules: under the server's files.
  checkUrl(download, [context.filesUrl], 'the model');
  return { url: download, format: ref.format, maxWeightBytes, allowedPrefixes };
}

/**
 * The file or folder a path names on the server, from its root: relative to
 * the notebook's folder, or to the root when it starts with `/`. Refuses
 * what is not plainly a path inside the root (Jupyter's own routes, `..`
 * past the root, queries, encoded separators). `what` names the path in
 * messages: "model", "data".
 */
export async function serverPath(
  path: string,
  resolver: IRenderMime.IResolver,
  what: string
): Promise<string> {
  if (UNSAFE_PATH.test(path) || hasControl(path)) {
    throw new PathNotAllowedError(
      path,
      `a ${what} path names a file on the Jupyter server; it may not hold a query (?), a fragment (#), a backslash, an encoded separator or a control character`
    );
  }
  if (path.startsWith('//')) {
    throw new PathNotAllowedError(
      path,
      'this reads as a URL without its scheme; give https://… for another server'
    );
  }
  const rooted = path.startsWith('/');
  const parts = path.split('/').filter(p => p !== '' && p !== '.');
  if (rooted && parts.length > 0 && JUPYTER_ROUTES.test(parts[0])) {
    throw new PathNotAllowedError(
      path,
      `this points into Jupyter's own ${parts[0]}/, not to a file`
    );
  }
  // The notebook's folder, as the resolver sees it ('' at the root).
  const folder = rooted ? '' : decodeURI(await resolver.resolveUrl('.'));
  const resolved = folder.split('/').filter(p => p !== '' && p !== '.');
  for (const part of parts) {
    if (part !== '..') {
      resolved.push(part);
    } else if (resolved.pop() === undefined) {
      throw new PathNotAllowedError(
        path,
        "this leads outside the Jupyter server's root folder"
      );
    }
  }
  if (resolved.length === 0) {
    throw new PathNotAllowedError(
      path,
      `this names a folder, not ${what === 'model' ? 'a model file' : 'a data file'}`
    );
  }
  return resolved.join('/');
}

function checkOrigin(parsed: URL, url: string, context: IResolveContext): void {
  if (
    parsed.origin !== context.origin &&
    !context.settings.allowedOrigins.includes(parsed.origin)
  ) {
    throw new OriginNotAllowedError(url, parsed.origin);
  }
}
