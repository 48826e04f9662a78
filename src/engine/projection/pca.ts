/**
 * PCA of a layer's representation over a dataset, streaming
 * (docs/architecture.md, "PCA"). Two solvers, both centred and deterministic
 * for a seed:
 *
 * - exact (narrow layers, d ≤ EXACT_MAX_WIDTH): the d×d covariance summed on
 *   the device in one pass, its leading eigenvectors by subspace iteration
 *   with Rayleigh–Ritz until their residuals vanish, then one pass for the
 *   coordinates;
 * - randomized (wide layers): Halko, Martinsson & Tropp's range finder
 *   (2011, algorithms 4.4 and 5.1) with a seeded Gaussian test matrix of
 *   k + p columns and q power iterations, on the implicitly centred X − 1μᵀ:
 *   q + 1 passes, each applying X and Xᵀ (`randomized.ts`); the coordinates
 *   come from the last factorization.
 *
 * Signs follow scikit-learn's `svd_flip(u_based_decision=False)`: each
 * component's entry of largest magnitude is positive.
 */
import { FeatureVizError } from '../errors';
import { type IMatrix, matrix, multiply } from './linalg';
import type { IMoments, IStream } from './passes';
import { type IPcaPasses, localPasses } from './pca-shares';
import { leadingEigen } from './eigen';
import { RANDOMIZED_PASSES, randomizedFactors } from './randomized';

/** Above this width the d×d covariance is too large to sum (16 MB at 2048). */
export const EXACT_MAX_WIDTH = 2048;
/**
 * Extra columns of the randomized range finder. Twice scikit-learn's 10: the
 * spectra of conv activations are flat (PC2–PC3 of conv2d_1 differ by 3 %),
 * and with 10 the third component of 400 digits correlated 0.996 with the
 * exact one; more columns cost a thin product, not another pass.
 */
export const OVERSAMPLES = 20;

export type PcaSolver = 'exact' | 'randomized';

export interface IPcaOptions {
  readonly components: number;
  readonly seed: number;
  /** 'auto' (the default): exact up to EXACT_MAX_WIDTH, randomized above. */
  readonly solver?: PcaSolver | 'auto';
  /** Called as each pass starts: its number (from 0) and how many there are. */
  readonly onPass?: (pass: number, passes: number) => void;
}

export interface IPcaOutcome {
  readonly solver: PcaSolver;
  readonly count: number;
  readonly width: number;
  readonly components: number;
  /** count × components, row-major: each example on each component. */
  readonly coordinates: Float32Array;
  /** The components: components × width, row-major, unit length. */
  readonly axes: Float32Array;
  /** The variance along each component (divided by n − 1, as scikit-learn). */
  readonly explainedVariance: Float64Array;
  /** Each component's share of the total variance. */
  readonly explainedVarianceRatio: Float64Array;
  /** Passes over the data. */
  readonly passes: number;
}

/** The solver `options` ask for at width d. */
export function solverFor(options: IPcaOptions, width: number): PcaSolver {
  const asked = options.solver ?? 'auto';
  return asked === 'auto'
    ? width <= EXACT_MAX_WIDTH
      ? 'exact'
      : 'randomized'
    : asked;
}

/** How many passes over the data the solver makes. */
export function passesOf(solver: PcaSolver): number {
  return solver === 'exact' ? 2 : RANDOMIZED_PASSES;
}

/** Refuses a component count the layer or the data cannot give. */
export function checkComponents(
  layer: string,
  components: number,
  width: number,
  count: number
): void {
  if (components > width) {
    throw new FeatureVizError(
      `Layer "${layer}" has ${width} value${width === 1 ? '' : 's'} per example: at most ${width} components, not ${components}.`
    );
  }
  if (components >= count) {
    throw new FeatureVizError(
      `PCA of ${count} example${count === 1 ? '' : 's'} has at most ${Math.max(count - 1, 0)} component${count === 2 ? '' : 's'}, not ${components}: use more examples or fewer components.`
    );
  }
}

/**
 * PCA of the stream's rows. `passes` runs its passes over the data: here by
 * default, or split over the engine's pool (`pca-shares.ts`).
 */
export async function streamingPca(
  stream: IStream,
  width: number,
  options: IPcaOptions,
  passes: IPcaPasses = localPasses(stream)
): Promise<IPcaOutcome> {
  const count = stream.range[1] - stream.range[0];
  checkComponents(stream.layer, options.components, width, count);
  const solver = solverFor(options, width);
  return solver === 'exact'
    ? exactPca(passes, width, options)
    : randomizedPca(passes, count, width, options);
}

/** Subtracts 1·(μᵀZ) from X·Z: the product of the centred X. */
function centreProduct(
  product: IMatrix,
  mean: Float64Array,
  z: IMatrix
): IMatrix {
  const shift = multiply(matrix(1, mean.length, mean), z).data;
  for (let r = 0; r < product.rows; r++) {
    for (let c = 0; c < product.cols; c++) {
      product.data[r * product.cols + c] -= shift[c];
    }
  }
  return product;
}

async function randomizedPca(
  run: IPcaPasses,
  count: number,
  width: number,
  options: IPcaOptions
): Promise<IPcaOutcome> {
  const { components: k } = options;
  const passes = passesOf('randomized');
  let pass = 0;
  const { axes, coordinates, variance, moments } = await randomizedFactors(
    run,
    count,
    width,
    k,
    options.seed,
    Math.min(k + OVERSAMPLES, width, count),
    () => options.onPass?.(pass++, passes)
  );
  return finish('randomized', axes, coordinates, variance, moments, passes);
}

async function exactPca(
  run: IPcaPasses,
  width: number,
  options: IPcaOptions
): Promise<IPcaOutcome> {
  const { components: k } = options;
  const passes = passesOf('exact');
  options.onPass?.(0, passes);
  const { covariance, moments } = await run.covariance(width);
  let eigen: { vectors: IMatrix; values: Float64Array };
  try {
    eigen = await leadingEigen(covariance, k, k + OVERSAMPLES, options.seed);
  } finally {
    covariance.dispose();
  }
  options.onPass?.(1, passes);
  const coordinates = centreProduct(
    await run.product(eigen.vectors),
    moments.mean,
    eigen.vectors
  );
  return finish(
    'exact',
    eigen.vectors,
    coordinates,
    eigen.values,
    moments,
    passes
  );
}

/** Signs flipped as scikit-learn does, and the outcome in float32. */
function finish(
  solver: PcaSolver,
  axes: IMatrix,
  coordinates: IMatrix,
  variance: Float64Array,
  moments: IMoments,
  passes: number
): IPcaOutcome {
  const { rows: width, cols: k } = axes;
  const count = coordinates.rows;
  const total = moments.scatter / Math.max(count - 1, 1);
  const flat = new Float32Array(k * width);
  const points = new Float32Array(count * k);
  for (let c = 0; c < k; c++) {
    let largest = 0;
    for (let j = 0; j < width; j++) {
      const value = axes.data[j * k + c];
      if (Math.abs(value) > Math.abs(largest)) {
        largest = value;
      }
    }
    const sign = largest < 0 ? -1 : 1;
    for (let j = 0; j < width; j++) {
      flat[c * width + j] = sign * axes.data[j * k + c];
    }
    for (let r = 0; r < count; r++) {
      points[r * k + c] = sign * coordinates.data[r * k + c];
    }
  }
  return {
    solver,
    count,
    width,
    components: k,
    coordinates: points,
    axes: flat,
    explainedVariance: variance,
    explainedVarianceRatio: Float64Array.from(variance, v =>
      total > 0 ? v / total : 0
    ),
    passes
  };
}
