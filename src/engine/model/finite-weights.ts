/**
 * Weights checked for NaN and infinity once, at load, on the downloaded
 * bytes (no tensor, no GPU read): a model whose weights hold NaN would
 * otherwise run to the end over a black image (docs/architecture.md,
 * "Memory and speed"). The error names the first tensor that is not finite.
 */
import type * as tf from '@tensorflow/tfjs';
import { NonFiniteWeightsError } from '../errors';
import { weightSpecBytes } from './manifest';

/** float16's exponent bits: all ones is infinity or NaN. */
const HALF_EXPONENT = 0x7c00;

/** How many of `count` values at `offset` are not finite, and whether one is NaN. */
function scan(
  bytes: ArrayBuffer,
  offset: number,
  count: number,
  dtype: string
): { bad: number; nan: boolean } {
  let bad = 0;
  let nan = false;
  if (dtype === 'float32') {
    // An unaligned entry (after a uint8 or bool one) is copied to align it.
    const values =
      offset % 4 === 0
        ? new Float32Array(bytes, offset, count)
        : new Float32Array(bytes.slice(offset, offset + count * 4));
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v - v !== 0) {
        bad++;
        nan ||= v !== v;
      }
    }
  } else if (dtype === 'float16') {
    const view = new DataView(bytes, offset, count * 2);
    for (let i = 0; i < count; i++) {
      const half = view.getUint16(i * 2, true);
      if ((half & HALF_EXPONENT) === HALF_EXPONENT) {
        bad++;
        nan ||= (half & 0x03ff) !== 0;
      }
    }
  }
  return { bad, nan };
}

/**
 * Throws NonFiniteWeightsError naming the first weight of `specs` (laid out
 * back to back in `data`, as the manifest orders them) that holds NaN or an
 * infinity. Integer and quantized weights are finite by construction (their
 * scale and minimum are checked with the manifest).
 */
export function checkFiniteWeights(
  url: string,
  specs: readonly tf.io.WeightsManifestEntry[],
  data: ArrayBuffer
): void {
  let offset = 0;
  for (const spec of specs) {
    const size = weightSpecBytes(spec);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const elements = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + size > data.byteLength) {
      return; // The shard-size check reports a short file.
    }
    const { bad, nan } = scan(data, offset, elements, stored);
    if (bad > 0) {
      throw new NonFiniteWeightsError(url, spec.name, bad, elements, nan);
    }
    offset += size;
  }
}
