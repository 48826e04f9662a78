/**
 * Readers of the attribution lenses', filters' and PCA's stored summaries,
 * field by field; null when a value is not one (see `summaries.ts`).
 */
import type {
  IFiltersSummary,
  IOcclusionSummary,
  IPcaSummary,
  ISaliencySummary
} from '../engine/runtime/protocol';
import { schemaConstants } from '../spec/choices';
import type { AttributionMethod } from '../spec/types.generated';
import {
  integerOrNull,
  isNumber,
  isObject,
  numberOrNaN,
  readUnitSummary
} from './summary-fields';

export function readOcclusionSummary(
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

export function readSaliencySummary(
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

export function readFiltersSummary(
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

export function readPcaSummary(
  value: Record<string, unknown>
): IPcaSummary | null {
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
