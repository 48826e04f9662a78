/**
 * The randomized solver of PCA (docs/architecture.md, "PCA"): Halko,
 * Martinsson & Tropp's range finder (2011, algorithms 4.4 and 5.1) with a
 * seeded Gaussian test matrix Ω of l = k + p columns and q power
 * iterations, on the implicitly centred C = X − 1μᵀ, in q + 1 passes.
 *
 * Each pass is a Gram pass (`gram-pass.ts`): it applies C and then Cᵀ, so
 * where algorithm 4.4 alternates passes for C·Z and Cᵀ·Q (2q + 2 passes),
 * pass i returns Y = C·Z_i and CᵀY together, and Z_{i+1} = orth(CᵀY) spans
 * (CᵀC)^{i+1}Ω. The last pass's Y = C·Z_q spans C(CᵀC)^qΩ, algorithm 4.4's
 * range, and its CᵀY gives B = QᵀC without another pass: with
 * YᵀY = WΛWᵀ, Q = YWΛ^(−1/2) is orthonormal and Bᵀ = CᵀQ = (CᵀY)WΛ^(−1/2).
 * The first pass also gathers the mean (each batch centred by its own mean,
 * corrected by the batch means' scatter once μ is known).
 */
import { firstGram, centredGram } from './gram-pass';
import {
  type IMatrix,
  gaussian,
  matrix,
  multiply,
  multiplyTransposed,
  orthonormalizeColumns,
  symmetricEigen,
  takeColumns
} from './linalg';
import { type IMoments, foldMoments } from './passes';
import type { IPcaPasses } from './pca-shares';

/** Power iterations of the range finder (q). */
export const POWER_ITERATIONS = 2;
/** Passes over the data: one per application of CᵀC. */
export const RANDOMIZED_PASSES = POWER_ITERATIONS + 1;
/**
 * Directions of Y with λ below this share of YᵀY's largest are rounding of
 * the float32 products (σ below 1e-6 of the first): left out of Q, as
 * Gram–Schmidt leaves out a dependent column (fewer examples than columns).
 */
const RANK_TOLERANCE = 1e-12;

/** The solver's factors, before the signs and the float32 outcome. */
export interface IRandomizedFactors {
  /** The components, d×k. */
  readonly axes: IMatrix;
  /** The coordinates, n×k. */
  readonly coordinates: IMatrix;
  /** The variance along each component (σ²/(n − 1)). */
  readonly variance: Float64Array;
  readonly moments: IMoments;
}

/**
 * The k leading components of the stream's rows; `next` is called as each
 * pass starts.
 */
export async function randomizedFactors(
  run: IPcaPasses,
  count: number,
  width: number,
  components: number,
  seed: number,
  l: number,
  next: () => void
): Promise<IRandomizedFactors> {
  const omega = gaussian(width, l, seed);
  next();
  const first = await run.gram(omega, null);
  const moments = foldMoments(first.batches ?? [], width);
  let z = orthonormalizeColumns(firstGram(first.gram, moments, omega));
  let y: IMatrix = first.rows;
  let cty: IMatrix = first.gram;
  for (let i = 0; i < POWER_ITERATIONS; i++) {
    next();
    const centre = multiply(matrix(1, width, moments.mean), z).data;
    const sums = await run.gram(z, centre);
    y = sums.rows;
    cty = centredGram(sums.gram, moments.mean, y);
    if (i < POWER_ITERATIONS - 1) {
      z = orthonormalizeColumns(cty);
    }
  }
  const { q, bt } = rangeAndProjection(y, cty);
  return { ...svdOf(q, bt, components, count), moments };
}

/**
 * Q (n×l, orthonormal, spanning Y) and Bᵀ = CᵀQ (d×l) from Y and CᵀY:
 * Q = YWΛ^(−1/2) and Bᵀ = (CᵀY)WΛ^(−1/2) for YᵀY = WΛWᵀ, a direction
 * with a negligible λ giving a zero column of both.
 */
export function rangeAndProjection(
  y: IMatrix,
  cty: IMatrix
): { q: IMatrix; bt: IMatrix } {
  const { values, vectors } = symmetricEigen(multiplyTransposed(y, y));
  const l = values.length;
  const largest = Math.max(values[0], 0);
  const scale = matrix(l, l, Float64Array.from(vectors.data));
  for (let c = 0; c < l; c++) {
    const keep = values[c] > RANK_TOLERANCE * largest && values[c] > 0;
    const factor = keep ? 1 / Math.sqrt(values[c]) : 0;
    for (let r = 0; r < l; r++) {
      scale.data[r * l + c] *= factor;
    }
  }
  return { q: multiply(y, scale), bt: multiply(cty, scale) };
}

/**
 * The k leading singular triplets of C ≈ Q·B: B·Bᵀ = U·S²·Uᵀ (l×l); the
 * components V = Bᵀ·U·S⁻¹ (d×k) and the coordinates CV = Q·U·S.
 */
function svdOf(
  q: IMatrix,
  bt: IMatrix,
  k: number,
  count: number
): Omit<IRandomizedFactors, 'moments'> {
  const { values, vectors } = symmetricEigen(multiplyTransposed(bt, bt));
  const sigma = Array.from(values.subarray(0, k), v =>
    Math.sqrt(Math.max(v, 0))
  );
  const u = takeColumns(vectors, k);
  const axes = multiply(bt, u);
  for (let j = 0; j < axes.rows; j++) {
    for (let c = 0; c < k; c++) {
      axes.data[j * k + c] /= sigma[c] || 1;
    }
  }
  const coordinates = multiply(q, u);
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < k; c++) {
      coordinates.data[r * k + c] *= sigma[c];
    }
  }
  const variance = Float64Array.from(
    sigma,
    s => (s * s) / Math.max(count - 1, 1)
  );
  return { axes, coordinates, variance };
}
