/**
 * Occlusion (Zeiler & Fergus 2014; Captum's Occlusion): a square of a fill
 * value slides over the input; at each position the unit is evaluated on the
 * covered copy. Positions follow Captum: the first square at the top-left
 * corner, then every `stride` pixels until the input is covered (the last
 * square of a row or column may be cut off by the edge). For each position:
 * the unit's value and its percentage change from the unit on the whole
 * input; for each pixel, Captum's attribution: the mean of f(x) − f(covered)
 * over the squares that cover it. Many covered copies go through one forward
 * pass (docs/architecture.md, "Attribution").
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureVizError } from '../errors';
import type { IExecutor } from '../model/executor';
import {
  BatchPacer,
  type IMethodHooks,
  batchSize,
  checkpoint
} from './batching';
import { type IUnit, unitValues } from './unit';

export interface IOcclusionOptions {
  /** The square's side, in input pixels. */
  readonly size: number;
  /** Pixels between positions (at most `size`). */
  readonly stride: number;
  /** The value covered pixels take. */
  readonly fill: number;
}

/** Where the squares go: `rows` × `cols` positions. */
export interface IOcclusionGrid {
  readonly rows: number;
  readonly cols: number;
  readonly size: number;
  readonly stride: number;
}

export interface IOcclusionMaps {
  readonly grid: IOcclusionGrid;
  /** The unit on the whole input. */
  readonly base: number;
  /** The unit with the square at each position, [rows, cols]. */
  readonly values: Float32Array;
  /** 100 · (value − base) / |base| per position; NaN when base is 0. */
  readonly change: Float32Array;
  /** Per pixel, mean of base − value over the squares covering it, [h, w]. */
  readonly map: Float32Array;
  /** The class the model predicts at each position, when asked. */
  readonly predicted: Int32Array | null;
}

/** Positions along one axis of `length` pixels (Captum's shift counts). */
function positions(length: number, size: number, stride: number): number {
  return Math.ceil((length - size) / stride) + 1;
}

/** The occlusion grid of an input, or a clear error for a bad square. */
export function occlusionGrid(
  height: number,
  width: number,
  options: IOcclusionOptions
): IOcclusionGrid {
  const { size, stride } = options;
  if (size > height || size > width) {
    throw new FeatureVizError(
      `The occluding square (size ${size}) is larger than the ${height}×${width} input: use a size of at most ${Math.min(height, width)}.`
    );
  }
  if (stride > size && (size < height || size < width)) {
    throw new FeatureVizError(
      `A stride of ${stride} is larger than the square (size ${size}): pixels between squares would never be covered. Use a stride of at most ${size}.`
    );
  }
  return {
    rows: positions(height, size, stride),
    cols: positions(width, size, stride),
    size,
    stride
  };
}

/** The mask of `count` positions from `first`: 1 where the square covers. */
function masks(
  grid: IOcclusionGrid,
  first: number,
  count: number,
  height: number,
  width: number
): Float32Array {
  const mask = new Float32Array(count * height * width);
  for (let k = 0; k < count; k++) {
    const position = first + k;
    const top = Math.floor(position / grid.cols) * grid.stride;
    const left = (position % grid.cols) * grid.stride;
    for (let r = top; r < Math.min(top + grid.size, height); r++) {
      const row = (k * height + r) * width;
      mask.fill(1, row + left, row + Math.min(left + grid.size, width));
    }
  }
  return mask;
}

/** Each pixel's mean drop over the squares that cover it (Captum). */
function pixelMap(
  grid: IOcclusionGrid,
  base: number,
  values: Float32Array,
  height: number,
  width: number
): Float32Array {
  const total = new Float64Array(height * width);
  const count = new Float64Array(height * width);
  for (let position = 0; position < values.length; position++) {
    const top = Math.floor(position / grid.cols) * grid.stride;
    const left = (position % grid.cols) * grid.stride;
    const drop = base - values[position];
    for (let r = top; r < Math.min(top + grid.size, height); r++) {
      for (let c = left; c < Math.min(left + grid.size, width); c++) {
        total[r * width + c] += drop;
        count[r * width + c] += 1;
      }
    }
  }
  return Float32Array.from(total, (t, i) => (count[i] ? t / count[i] : 0));
}

/** The unit (and the predicted class) with the square at some positions. */
export interface IOccludedPositions {
  readonly values: Float32Array;
  readonly predicted: Int32Array | null;
}

/**
 * The unit at positions [first, last) of the grid, many covered copies to a
 * forward pass; `hooks.onProgress` counts this range's positions. A pool
 * share runs this over its positions (`occlusion-shares.ts`).
 */
export async function occludePositions(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D,
  grid: IOcclusionGrid,
  options: { readonly fill: number; readonly predict: boolean },
  range: readonly [number, number],
  hooks: IMethodHooks = {}
): Promise<IOccludedPositions> {
  const [, height, width] = x.shape;
  const [start, end] = range;
  const total = end - start;
  const values = new Float32Array(total);
  const predicted = options.predict ? new Int32Array(total) : null;
  const pacer = new BatchPacer(batchSize(executor), 16);
  for (let done = 0; done < total;) {
    await checkpoint(hooks.signal);
    const count = pacer.next(total - done);
    const mask = masks(grid, start + done, count, height, width);
    const [unitTensor, classTensor] = tf.tidy(() => {
      const m = tf.tensor4d(mask, [count, height, width, 1]);
      // x where uncovered, the fill value where covered.
      const covered = tf.add(
        tf.mul(x, tf.sub(1, m)),
        tf.mul(m, options.fill)
      ) as tf.Tensor4D;
      const refs = predicted ? [unit.ref, executor.logitsLayer] : [unit.ref];
      const [activation, logits] = executor.forward(covered, refs);
      return [
        unit.value(activation),
        logits ? tf.argMax(tf.reshape(logits, [count, -1]), 1) : null
      ];
    });
    values.set(await unitTensor.data(), done);
    unitTensor.dispose();
    if (classTensor && predicted) {
      predicted.set(await classTensor.data(), done);
      classTensor.dispose();
    }
    pacer.done(count);
    done += count;
    hooks.onProgress?.(done, total);
  }
  return { values, predicted };
}

/** Runs the positions [first, last) of a grid: here, or over the pool. */
export type OcclusionPass = (
  grid: IOcclusionGrid,
  range: readonly [number, number],
  hooks: IMethodHooks
) => Promise<IOccludedPositions>;

/**
 * Occlusion of one input `x` ([1, h, w, c]) for `unit`. With `predict`, also
 * the class the model predicts at each position (does covering change it?).
 * `pass` runs the positions (the engine's pool splits them); here by default.
 */
export async function occlude(
  executor: IExecutor,
  unit: IUnit,
  x: tf.Tensor4D,
  options: IOcclusionOptions & { readonly predict?: boolean },
  hooks: IMethodHooks = {},
  pass?: OcclusionPass
): Promise<IOcclusionMaps> {
  const [, height, width] = x.shape;
  const grid = occlusionGrid(height, width, options);
  const total = grid.rows * grid.cols;
  const baseTensor = tf.tidy(() => unitValues(executor, unit, x));
  const [base] = await baseTensor.data();
  baseTensor.dispose();
  const run: OcclusionPass =
    pass ??
    ((g, range, h) =>
      occludePositions(
        executor,
        unit,
        x,
        g,
        { fill: options.fill, predict: options.predict ?? false },
        range,
        h
      ));
  const { values, predicted } = await run(grid, [0, total], hooks);
  const change = Float32Array.from(values, v =>
    base === 0 ? NaN : (100 * (v - base)) / Math.abs(base)
  );
  return {
    grid,
    base,
    values,
    change,
    map: pixelMap(grid, base, values, height, width),
    predicted
  };
}
