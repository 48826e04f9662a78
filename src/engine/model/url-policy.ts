/**
 * Where a model and its weight files may be fetched from (docs/architecture.md,
 * "Trust and safety"). The page decides the allowed URL prefixes (the
 * server's files, the extension's bundled models, origins the settings
 * allow); the loader holds the model URL and every weight URL named in its
 * manifest to the same prefixes before making any request, so that a
 * manifest cannot reach Jupyter's API or leave the server's files.
 *
 * Pure TypeScript without TensorFlow.js: the page checks model URLs with it
 * too, before a job is submitted.
 */
import { PathNotAllowedError } from '../errors';

/** Percent-encoded `/` and `\`: servers decode them into separators. */
const ENCODED_SEPARATOR = /%2f|%5c/i;

/**
 * The URL `url` parsed, if it lies under one of `prefixes` (absolute URLs
 * ending in `/`); throws PathNotAllowedError otherwise. Query strings do not
 * count: the part compared is the origin and path, after the URL parser has
 * resolved `.` and `..` (also percent-encoded ones).
 */
export function checkUrl(
  url: string,
  prefixes: readonly string[],
  what = 'this file'
): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PathNotAllowedError(url, `${what} is not an absolute URL`);
  }
  if (url.includes('\\') || ENCODED_SEPARATOR.test(parsed.pathname)) {
    throw new PathNotAllowedError(
      url,
      `${what} has an encoded or backward path separator`
    );
  }
  const bare = withoutQuery(parsed);
  if (!prefixes.some(prefix => isUnder(bare, prefix))) {
    throw new PathNotAllowedError(
      url,
      `${what} lies outside the places Feature Viz may load from (${prefixes.join(', ') || 'none'})`
    );
  }
  return parsed;
}

/** The folder of a URL (itself when it ends in `/`), without a query. */
export function folderOf(url: string): string {
  return withoutQuery(new URL('./', url));
}

/** Whether `bare` lies under `prefix`, both parsed the same way. */
function isUnder(bare: string, prefix: string): boolean {
  try {
    const folder = withoutQuery(new URL(prefix));
    return folder.endsWith('/') && bare.startsWith(folder);
  } catch {
    return false;
  }
}

/** Scheme, host and path (`origin` is "null" for file: URLs). */
function withoutQuery(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
