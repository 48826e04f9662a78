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
import {
  BACKEND_LADDER,
  type BackendName
} from '../engine/runtime/capabilities';
import type { IJobSummary } from '../engine/runtime/protocol';
import { SPEC_VERSION, SUMMARY_MIME_TYPE } from '../spec';

export const PNG_MIME_TYPE = 'image/png';
export const GIF_MIME_TYPE = 'image/gif';

/** The summary written back: the job's own summary, and what it was for. */
export interface IStoredSummary extends IJobSummary {
  readonly version: number;
  /** specHash() of the spec it was computed for: reused only while it matches. */
  readonly specHash: string;
  /** When it was saved (ISO 8601). */
  readonly savedAt: string;
}

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

/** The summary to write back for a job's summary. */
export function storedSummary(
  summary: IJobSummary,
  specHash: string,
  savedAt: Date = new Date()
): IStoredSummary {
  return {
    version: SPEC_VERSION,
    specHash,
    backend: summary.backend,
    steps: summary.steps,
    seed: summary.seed,
    value: summary.value,
    perImage: Array.from(summary.perImage),
    elapsedMs: Math.round(summary.elapsedMs),
    firstFrameMs: Math.round(summary.firstFrameMs),
    ...(summary.fallback
      ? {
          fallback: {
            from: summary.fallback.from,
            reason: summary.fallback.reason
          }
        }
      : {}),
    savedAt: savedAt.toISOString()
  };
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

/** A stored summary, checked field by field; null when it is not one. */
export function readSummary(value: unknown): IStoredSummary | null {
  if (!isObject(value)) {
    return null;
  }
  const { version, specHash, backend, steps, seed, elapsedMs, firstFrameMs } =
    value;
  if (
    !isNumber(version) ||
    typeof specHash !== 'string' ||
    !isBackend(backend) ||
    !isNumber(steps) ||
    !isNumber(seed) ||
    !isNumber(elapsedMs) ||
    !isNumber(firstFrameMs) ||
    typeof value.savedAt !== 'string' ||
    !Array.isArray(value.perImage)
  ) {
    return null;
  }
  const fallback = readFallback(value.fallback);
  return {
    version,
    specHash,
    backend,
    steps,
    seed,
    value: numberOrNaN(value.value),
    perImage: value.perImage.map(numberOrNaN),
    elapsedMs,
    firstFrameMs,
    ...(fallback ? { fallback } : {}),
    savedAt: value.savedAt
  };
}

/**
 * The backend a run fell back from, and why. Older versions stored only the
 * backend's name.
 */
function readFallback(value: unknown): IJobSummary['fallback'] {
  if (isBackend(value)) {
    return { from: value, reason: '' };
  }
  if (isObject(value) && isBackend(value.from)) {
    return {
      from: value.from,
      reason: typeof value.reason === 'string' ? value.reason : ''
    };
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isBackend(value: unknown): value is BackendName {
  return BACKEND_LADDER.includes(value as BackendName);
}

/** JSON has no NaN: a NaN objective is stored as null. */
function numberOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}
