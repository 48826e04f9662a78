/**
 * The weights manifest of a model.json, checked before any weight is
 * downloaded (docs/architecture.md, "Trust and safety"): every entry's shape
 * is a list of non-negative integers, its dtype (and its quantization's) is
 * one TensorFlow.js knows, and the bytes it occupies add up to a safe
 * integer. Each message names the tensor; a negative dimension used to pass
 * the size check and reach TensorFlow.js only after the download.
 */
import type * as tf from '@tensorflow/tfjs';
import { MalformedModelError } from '../errors';

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8
};

/** Dtypes a quantized weight may be stored in (tfjs's quantization). */
const QUANTIZED = new Set(['uint8', 'uint16', 'float16']);

/** The bytes a weight spec occupies in its shard, from the manifest alone. */
export function weightSpecBytes(spec: tf.io.WeightsManifestEntry): number {
  const elements = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES_PER_ELEMENT[dtype];
  if (size === undefined) {
    throw new Error(`weight "${spec.name}" has an unknown dtype "${dtype}"`);
  }
  return elements * size;
}

/** What is wrong with one manifest entry, or null when nothing is. */
function entryProblem(entry: unknown): string | null {
  const w = entry as {
    name?: unknown;
    shape?: unknown;
    dtype?: unknown;
    quantization?: { dtype?: unknown; scale?: unknown; min?: unknown };
  } | null;
  if (typeof w !== 'object' || w === null || typeof w.name !== 'string') {
    return 'a "weightsManifest" weight has no name';
  }
  const name = `weight "${w.name}"`;
  if (!Array.isArray(w.shape)) {
    return `${name} has no "shape" list`;
  }
  const bad = w.shape.find(d => !Number.isSafeInteger(d) || (d as number) < 0);
  if (bad !== undefined) {
    return `${name} has the shape [${w.shape.map(String).join(', ')}]; every dimension must be a non-negative integer`;
  }
  if (typeof w.dtype !== 'string' || !(w.dtype in BYTES_PER_ELEMENT)) {
    return `${name} has an unknown dtype "${String(w.dtype)}" (known: ${Object.keys(BYTES_PER_ELEMENT).join(', ')})`;
  }
  const q = w.quantization;
  if (q !== undefined) {
    if (typeof q?.dtype !== 'string' || !QUANTIZED.has(q.dtype)) {
      return `${name} is quantized to an unknown dtype "${String(q?.dtype)}" (known: ${[...QUANTIZED].join(', ')})`;
    }
    for (const key of ['scale', 'min'] as const) {
      if (q[key] !== undefined && !Number.isFinite(q[key])) {
        return `${name} has a quantization ${key} that is not a finite number`;
      }
    }
  }
  return null;
}

/**
 * The manifest of `url`'s model.json, checked entry by entry, and the bytes
 * its weights occupy. Throws MalformedModelError naming the first bad tensor.
 */
export function checkManifest(
  url: string,
  raw: unknown
): { manifest: tf.io.WeightsManifestConfig; bytes: number } {
  if (!Array.isArray(raw)) {
    throw new MalformedModelError(url, 'it has no "weightsManifest" list');
  }
  let bytes = 0;
  for (const group of raw as { paths?: unknown; weights?: unknown }[]) {
    if (
      !Array.isArray(group?.paths) ||
      !Array.isArray(group?.weights) ||
      !group.paths.every(p => typeof p === 'string')
    ) {
      throw new MalformedModelError(
        url,
        'a "weightsManifest" entry lacks "paths" or "weights"'
      );
    }
    for (const entry of group.weights) {
      const problem = entryProblem(entry);
      if (problem) {
        throw new MalformedModelError(url, problem);
      }
      bytes += weightSpecBytes(entry as tf.io.WeightsManifestEntry);
      if (!Number.isSafeInteger(bytes)) {
        throw new MalformedModelError(
          url,
          `weight "${(entry as { name: string }).name}" brings the weights to more bytes than can be counted`
        );
      }
    }
  }
  return { manifest: raw as tf.io.WeightsManifestConfig, bytes };
}
