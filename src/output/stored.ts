/**
 * A finished run's result as it is kept in the output's MIME bundle: the PNG
 * (image/png) with the size the live view showed it at (the output's
 * metadata, as nbformat keeps image sizes: GitHub and nbconvert honour it),
 * the summary (application/vnd.featureviz.summary.v1+json) and, when frames
 * are kept, the animation (image/gif). A notebook is untrusted data
 * (docs/architecture.md, "Trust and safety"): the reader checks every field,
 * and returns nothing it could not check.
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { IJobSummary } from '../engine/runtime/protocol';
import { SPEC_VERSION, SUMMARY_MIME_TYPE } from '../spec';
import { type IStoredSummary, readSummary } from './summaries';
import { isNumber, isObject } from './summary-fields';

export { type IStoredSummary, readSummary } from './summaries';

export const PNG_MIME_TYPE = 'image/png';
export const GIF_MIME_TYPE = 'image/gif';

/** What an output's MIME bundle holds besides its spec. */
export interface IStoredResult {
  /** Base64 of a PNG, whitespace removed; null when absent or invalid. */
  readonly png: string | null;
  readonly summary: IStoredSummary | null;
  /** Base64 of a GIF, whitespace removed; null when absent or invalid. */
  readonly gif: string | null;
  /** The PNG's size on screen (CSS pixels), when the metadata has a valid one. */
  readonly width?: number;
  readonly height?: number;
}

/** The most screen pixels a saved size may claim (larger ones are ignored). */
const MAX_DISPLAY_SIDE = 16384;

// The first bytes of each format, in base64: "\x89PNG\r\n\x1a\n", "GIF8".
const PNG_MAGIC = 'iVBORw0KGgo';
const GIF_MAGIC = 'R0lGOD';

export function readStored(
  data: ReadonlyPartialJSONObject,
  metadata: ReadonlyPartialJSONObject = {}
): IStoredResult {
  const size = metadata[PNG_MIME_TYPE];
  const width = isObject(size) ? displaySide(size.width) : undefined;
  const height = isObject(size) ? displaySide(size.height) : undefined;
  return {
    png: readBase64(data[PNG_MIME_TYPE], PNG_MAGIC),
    summary: readSummary(data[SUMMARY_MIME_TYPE]),
    gif: readBase64(data[GIF_MIME_TYPE], GIF_MAGIC),
    ...(width !== undefined && height !== undefined ? { width, height } : {})
  };
}

/** `metadata` with the PNG's size on screen, as nbformat keeps image sizes. */
export function writeStoredSize(
  metadata: ReadonlyPartialJSONObject,
  size: { readonly width: number; readonly height: number }
): ReadonlyPartialJSONObject {
  return {
    ...metadata,
    [PNG_MIME_TYPE]: {
      width: Math.round(size.width),
      height: Math.round(size.height)
    }
  };
}

function displaySide(value: unknown): number | undefined {
  return isNumber(value) && value >= 1 && value <= MAX_DISPLAY_SIDE
    ? Math.round(value)
    : undefined;
}

/** `data` with the result in it; without a GIF unless one is given. */
export function writeStored(
  data: ReadonlyPartialJSONObject,
  result: {
    readonly png: string;
    readonly summary: IStoredSummary;
    readonly gif?: string | null;
  }
): ReadonlyPartialJSONObject {
  const next: Record<string, unknown> = {
    ...data,
    [PNG_MIME_TYPE]: result.png,
    [SUMMARY_MIME_TYPE]: result.summary
  };
  if (result.gif) {
    next[GIF_MIME_TYPE] = result.gif;
  } else {
    delete next[GIF_MIME_TYPE];
  }
  // The summary is plain data (a NaN is saved as null: JSON has no NaN).
  return next as ReadonlyPartialJSONObject;
}

/** The summary to write back for a job's summary (plain JSON). */
export function storedSummary(
  summary: IJobSummary,
  specHash: string,
  savedAt: Date = new Date()
): IStoredSummary {
  const { fallback, ...rest } = summary;
  const own =
    'firstFrameMs' in rest
      ? {
          ...rest,
          perImage: Array.from(rest.perImage),
          firstFrameMs: Math.round(rest.firstFrameMs)
        }
      : rest;
  return {
    version: SPEC_VERSION,
    specHash,
    ...own,
    elapsedMs: Math.round(summary.elapsedMs),
    ...(fallback
      ? { fallback: { from: fallback.from, reason: fallback.reason } }
      : {}),
    savedAt: savedAt.toISOString()
  } as IStoredSummary;
}

/** Base64 text that starts with `magic`, without whitespace; else null. */
export function readBase64(value: unknown, magic: string): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  const text = value.replace(/\s/g, '');
  return text.length % 4 === 0 &&
    text.startsWith(magic) &&
    /^[A-Za-z0-9+/]+={0,2}$/.test(text)
    ? text
    : null;
}
