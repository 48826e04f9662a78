/**
 * A stored summary (application/vnd.featureviz.summary.v1+json) read back
 * from a notebook, which is untrusted data: the common fields, then the
 * kind's own by its reader (`SUMMARY_READERS`), each checked field by field.
 */
import type {
  IAscentSummary,
  IJobKinds,
  IJobSummary,
  ISummaryBase,
  ITopExamplesSummary,
  JobKind
} from '../engine/runtime/protocol';
import {
  readFiltersSummary,
  readOcclusionSummary,
  readPcaSummary,
  readSaliencySummary
} from './lens-summaries';
import {
  isBackend,
  isNumber,
  isObject,
  numberOrNaN,
  readFallback
} from './summary-fields';

/** The summary written back: the job's own summary, and what it was for. */
export type IStoredSummary = IJobSummary & {
  readonly version: number;
  /** specHash() of the spec it was computed for: reused only while it matches. */
  readonly specHash: string;
  /** When it was saved (ISO 8601). */
  readonly savedAt: string;
};

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

export function readAscentSummary(
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

export function readTopExamplesSummary(
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
export function readHistogram(value: unknown): StoredHistogram | undefined {
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
export function readRanked(value: unknown): ITopExamplesSummary['top'] | null {
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
