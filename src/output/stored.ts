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
import type { IUnitSummary } from '../engine/attribution/types';
import type {
  IAscentSummary,
  ITopExamplesSummary,
  IFiltersSummary,
  IPcaSummary,
  IOcclusionSummary,
  ISaliencySummary,
  IJobKinds,
  IJobSummary,
  ISummaryBase,
  JobKind
} from '../engine/runtime/protocol';
import { SPEC_VERSION, SUMMARY_MIME_TYPE } from '../spec';
import { schemaConstants } from '../spec/choices';
import type { AttributionMethod } from '../spec/types.generated';

export const PNG_MIME_TYPE = 'image/png';
export const GIF_MIME_TYPE = 'image/gif';

/** The summary written back: the job's own summary, and what it was for. */
export type IStoredSummary = IJobSummary & {
  readonly version: number;
  /** specHash() of the spec it was computed for: reused only while it matches. */
  readonly specHash: string;
  /** When it was saved (ISO 8601). */
  readonly savedAt: string;
};

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

/**
 * How each kind's part of a stored summary is read back: field by field,
 * null when it is not one. Add the reader of a new kind here.
 */
const SUMMARY_READERS: {
  readonly [K in JobKind]: (
    value: Record<string, unknown>
  ) => IJobKinds[K]['summary'] | null;
} = {
  'gradient-ascent': readAscentSummary,
  'layer-atlas': readAscentSummary,
  'top-examples': readTopExamplesSummary,
  occlusion: readOcclusionSummary,
  saliency: readSaliencySummary,
  filters: readFiltersSummary,
  pca: readPcaSummary
};

/** A stored summary, checked field by field; null when it is not one. */
export function readSummary(value: unknown): IStoredSummary | null {
  if (!isObject(value)) {
    return null;
  }
  const { version, specHash, backend, elapsedMs, savedAt } = value;
  // Summaries saved before jobs had kinds were all gradient ascent's.
  const kind = value.kind ?? 'gradient-ascent';
  if (
    !isNumber(version) ||
    typeof specHash !== 'string' ||
    !isBackend(backend) ||
    !isNumber(elapsedMs) ||
    typeof savedAt !== 'string' ||
    typeof kind !== 'string' ||
    !Object.prototype.hasOwnProperty.call(SUMMARY_READERS, kind)
  ) {
    return null;
  }
  const own = SUMMARY_READERS[kind as JobKind](value);
  if (!own) {
    return null;
  }
  const fallback = readFallback(value.fallback);
  const common: ISummaryBase = {
    backend,
    elapsedMs,
    ...(fallback ? { fallback } : {})
  };
  return {
    version,
    specHash,
    kind,
    ...common,
    ...own,
    savedAt
  } as IStoredSummary;
}

function readAscentSummary(
  value: Record<string, unknown>
): IAscentSummary | null {
  const { steps, seed, firstFrameMs, perImage } = value;
  if (
    !isNumber(steps) ||
    !isNumber(seed) ||
    !isNumber(firstFrameMs) ||
    !Array.isArray(perImage)
  ) {
    return null;
  }
  return {
    steps,
    seed,
    value: numberOrNaN(value.value),
    perImage: perImage.map(numberOrNaN),
    firstFrameMs
  };
}

function readTopExamplesSummary(
  value: Record<string, unknown>
): ITopExamplesSummary | null {
  const { count, skipped, k, unit, batchSize, labelNames } = value;
  const top = readRanked(value.top);
  const bottom = value.bottom === null ? null : readRanked(value.bottom);
  const histogram = readHistogram(value.histogram);
  if (
    !isNumber(count) ||
    !isNumber(skipped) ||
    !isNumber(k) ||
    !isNumber(batchSize) ||
    typeof unit !== 'string' ||
    !top ||
    (value.bottom !== null && !bottom) ||
    !(
      labelNames === null ||
      (Array.isArray(labelNames) &&
        labelNames.every(n => typeof n === 'string'))
    )
  ) {
    return null;
  }
  return {
    count,
    skipped,
    k,
    unit,
    batchSize,
    labelNames: labelNames as string[] | null,
    top,
    bottom,
    ...(histogram ? { histogram } : {})
  };
}

type StoredHistogram = NonNullable<ITopExamplesSummary['histogram']>;

/** A stored histogram (issue 16), or undefined when absent or malformed. */
function readHistogram(value: unknown): StoredHistogram | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const { count, min, max, counts, mean, zeros, threshold } = value;
  const ok =
    [count, min, max, mean, zeros].every(isNumber) &&
    Array.isArray(counts) &&
    counts.every(isNumber) &&
    (threshold === null || isNumber(threshold));
  return ok ? (value as unknown as StoredHistogram) : undefined;
}

/** One end of a stored ranking: four arrays of the same length. */
function readRanked(value: unknown): ITopExamplesSummary['top'] | null {
  if (!isObject(value)) {
    return null;
  }
  const { indices, values, labels, predictions } = value;
  const numbers = (a: unknown, nulls: boolean): a is (number | null)[] =>
    Array.isArray(a) && a.every(v => isNumber(v) || (nulls && v === null));
  if (
    !numbers(indices, false) ||
    !numbers(values, false) ||
    !numbers(labels, true) ||
    !numbers(predictions, true) ||
    [values, labels, predictions].some(a => a.length !== indices.length)
  ) {
    return null;
  }
  return {
    indices: indices as number[],
    values: values as number[],
    labels,
    predictions
  };
}

/** What a lens on one input says of its input and unit, checked. */
function readUnitSummary(value: Record<string, unknown>): IUnitSummary | null {
  const { example, unit } = value;
  if (typeof example !== 'string' || typeof unit !== 'string') {
    return null;
  }
  return {
    example,
    unit,
    value: numberOrNaN(value.value),
    label: integerOrNull(value.label),
    predicted: integerOrNull(value.predicted)
  };
}

function readOcclusionSummary(
  value: Record<string, unknown>
): IOcclusionSummary | null {
  const about = readUnitSummary(value);
  const { size, stride, fill, rows, cols } = value;
  if (
    !about ||
    !isNumber(size) ||
    !isNumber(stride) ||
    !isNumber(fill) ||
    !isNumber(rows) ||
    !isNumber(cols)
  ) {
    return null;
  }
  const drop = value.largestDrop;
  const largestDrop =
    isObject(drop) &&
    isNumber(drop.percent) &&
    isNumber(drop.row) &&
    isNumber(drop.col)
      ? { percent: drop.percent, row: drop.row, col: drop.col }
      : null;
  return {
    ...about,
    size,
    stride,
    fill,
    rows,
    cols,
    largestDrop,
    changedPrediction: integerOrNull(value.changedPrediction)
  };
}

const METHODS = schemaConstants('AttributionMethod');

function readSaliencySummary(
  value: Record<string, unknown>
): ISaliencySummary | null {
  const about = readUnitSummary(value);
  if (!about || !Array.isArray(value.methods)) {
    return null;
  }
  const methods: ISaliencySummary['methods'][number][] = [];
  for (const item of value.methods) {
    if (!isObject(item) || !METHODS.includes(item.method)) {
      return null;
    }
    const c = item.completeness;
    methods.push({
      method: item.method as AttributionMethod,
      ...(isObject(c) && isNumber(c.sum) && isNumber(c.delta)
        ? {
            completeness: {
              sum: c.sum,
              delta: c.delta,
              error: numberOrNaN(c.error)
            }
          }
        : {}),
      ...(typeof item.camLayer === 'string' ? { camLayer: item.camLayer } : {})
    });
  }
  return { ...about, methods };
}

function readFiltersSummary(
  value: Record<string, unknown>
): IFiltersSummary | null {
  const { layer, kernelShape, readsInput } = value;
  if (
    typeof layer !== 'string' ||
    !Array.isArray(kernelShape) ||
    !kernelShape.every(isNumber) ||
    typeof readsInput !== 'boolean'
  ) {
    return null;
  }
  return { layer, kernelShape, readsInput };
}

function readPcaSummary(value: Record<string, unknown>): IPcaSummary | null {
  const { count, skipped, layer, width, components, solver, passes } = value;
  const numbers = (v: unknown): v is number[] =>
    Array.isArray(v) && v.every(isNumber);
  const { batchSize, labelNames, selection } = value;
  const { explainedVariance, explainedVarianceRatio } = value;
  if (
    ![count, skipped, width, components, passes, batchSize].every(isNumber) ||
    typeof layer !== 'string' ||
    (solver !== 'exact' && solver !== 'randomized') ||
    !numbers(explainedVariance) ||
    !numbers(explainedVarianceRatio) ||
    !(
      labelNames === null ||
      (Array.isArray(labelNames) &&
        labelNames.every(n => typeof n === 'string'))
    )
  ) {
    return null;
  }
  return {
    count: count as number,
    skipped: skipped as number,
    layer,
    width: width as number,
    components: components as number,
    solver,
    passes: passes as number,
    explainedVariance,
    explainedVarianceRatio,
    labelNames,
    batchSize: batchSize as number,
    // Saved before selections were kept: none.
    selection: numbers(selection) ? selection : [],
    ...(typeof value.colorBy === 'string' ? { colorBy: value.colorBy } : {})
  };
}

/**
 * The backend a run fell back from, and why. Older versions stored only the
 * backend's name.
 */
function readFallback(value: unknown): ISummaryBase['fallback'] {
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

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** JSON has no NaN: a NaN objective is stored as null. */
function numberOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}
