/**
 * Field checks shared by the stored summaries' readers (docs/architecture.md,
 * "Trust and safety": a notebook is untrusted data, so every field is
 * checked): numbers, backends, the fallback and one input's unit.
 */
import {
  BACKEND_LADDER,
  type BackendName
} from '../engine/runtime/capabilities';
import type { IUnitSummary } from '../engine/attribution/types';
import type { ISummaryBase } from '../engine/runtime/protocol';

/** What a lens on one input says of its input and unit, checked. */
export function readUnitSummary(
  value: Record<string, unknown>
): IUnitSummary | null {
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

/**
 * The backend a run fell back from, and why. Older versions stored only the
 * backend's name.
 */
export function readFallback(value: unknown): ISummaryBase['fallback'] {
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isBackend(value: unknown): value is BackendName {
  return BACKEND_LADDER.includes(value as BackendName);
}

export function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** JSON has no NaN: a NaN objective is stored as null. */
export function numberOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}
