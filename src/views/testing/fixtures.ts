/**
 * Test support for views and outputs in jsdom: engine frames with known
 * pixels, job summaries and top-examples results; and (re-exported from
 * fake-canvas.ts) a 2D canvas (jsdom has none) that keeps the pixels and
 * texts drawn into it, and whose "PNG" tests can read back.
 */
import type {
  IFrame,
  ITopExamplesResult,
  JobSummaryOf
} from '../../engine/runtime/protocol';

export { decodePng, drawnTexts, installCanvas, pixelAt } from './fake-canvas';

/** A frame of `batch` 3×4 images; image i is filled with `fill + i`. */
export function frame(
  step: number,
  options: {
    batch?: number;
    value?: number;
    steps?: number;
    fill?: number;
  } = {}
): IFrame {
  const { batch = 1, value = step / 10, steps = 8, fill = step * 10 } = options;
  const [width, height] = [3, 4];
  const rgba = new Uint8ClampedArray(batch * width * height * 4);
  for (let i = 0; i < batch; i++) {
    rgba.fill(fill + i, i * width * height * 4, (i + 1) * width * height * 4);
  }
  return {
    step,
    steps,
    value,
    perImage: Float32Array.from({ length: batch }, (_, i) => value + i),
    batch,
    height,
    width,
    rgba,
    elapsedMs: step
  };
}

/** A gradient-ascent job's summary. */
export function jobSummary(
  overrides: Partial<JobSummaryOf<'gradient-ascent'>> = {}
): JobSummaryOf<'gradient-ascent'> {
  return {
    kind: 'gradient-ascent',
    backend: 'wasm',
    steps: 8,
    seed: 0,
    value: 0.8,
    perImage: [0.8],
    elapsedMs: 1234.4,
    firstFrameMs: 56.6,
    ...overrides
  };
}

/** One end of a ranking of k 3×4 examples; example n is filled with fill + n. */
function ranked(k: number, first: number, fill: number, patches: boolean) {
  const size = 3 * 4 * 4;
  const rgba = new Uint8ClampedArray(k * size);
  for (let n = 0; n < k; n++) {
    rgba.fill(fill + n, n * size, (n + 1) * size);
  }
  return {
    indices: Int32Array.from({ length: k }, (_, n) => first + n),
    values: Float32Array.from({ length: k }, (_, n) => 9.5 - n),
    labels: Int32Array.from({ length: k }, (_, n) => n % 3),
    predictions: Int32Array.from({ length: k }, (_, n) => (n + 1) % 3),
    positions: new Int32Array(k),
    rgba,
    boxes: patches
      ? Int32Array.from({ length: k * 4 }, (_, i) => [1, 0, 3, 2][i % 4])
      : new Int32Array(0),
    // 2×2 patches, filled with 200 + n.
    patches: patches
      ? Uint8ClampedArray.from({ length: k * 16 }, (_, i) => 200 + (i >> 4))
      : new Uint8ClampedArray(0)
  };
}

/** A top-examples result: k examples of 3×4 (top from index 100, bottom from 500). */
export function topExamplesResult(
  options: { k?: number; bottom?: boolean; patches?: boolean } = {}
): ITopExamplesResult {
  const { k = 3, bottom = false, patches = false } = options;
  return {
    kind: 'top-examples',
    width: 3,
    height: 4,
    patchWidth: patches ? 2 : 0,
    patchHeight: patches ? 2 : 0,
    labelNames: null,
    unit: 'logit 8',
    top: ranked(k, 100, 10, patches),
    bottom: bottom ? ranked(k, 500, 50, patches) : null
  };
}

/** The summary of topExamplesResult(). */
export function topExamplesSummary(
  result: ITopExamplesResult = topExamplesResult()
): JobSummaryOf<'top-examples'> {
  const summarize = (r: ITopExamplesResult['top']) => ({
    indices: Array.from(r.indices),
    values: Array.from(r.values),
    labels: Array.from(r.labels),
    predictions: Array.from(r.predictions)
  });
  return {
    kind: 'top-examples',
    backend: 'wasm',
    elapsedMs: 812.3,
    count: 300,
    skipped: 0,
    k: result.top.indices.length,
    unit: result.unit,
    labelNames: null,
    top: summarize(result.top),
    bottom: result.bottom && summarize(result.bottom),
    batchSize: 256
  };
}
