/**
 * Small dense linear algebra in plain TypeScript for PCA (docs/architecture.md,
 * "PCA"): orthonormalizing a tall, thin matrix (n×l or d×l, l ≤ 74) and the
 * eigen-decomposition of a small symmetric matrix (l×l). Never an n×n or d×d
 * matrix: the big products run in tfjs (`passes.ts`). Matrices are row-major
 * Float64Arrays; float64 keeps the small steps from adding error to the
 * float32 products.
 */
import { createRandom } from '../optvis/rng';

/** A row-major matrix. */
export interface IMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrix(
  rows: number,
  cols: number,
  data?: Float64Array
): IMatrix {
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/**
 * The columns of `a` made orthonormal (Gram–Schmidt, each column orthogonalized
 * twice: "twice is enough", Giraud et al. 2005), in place. A column that is
 * (numerically) in the span of the earlier ones becomes zero: the caller's
 * subspace is smaller than asked (fewer examples than columns).
 */
export function orthonormalizeColumns(a: IMatrix): IMatrix {
  const { rows, cols, data } = a;
  const norms = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let before = 0;
    for (let r = 0; r < rows; r++) {
      before += data[r * cols + j] ** 2;
    }
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        if (norms[i] === 0) {
          continue;
        }
        let dot = 0;
        for (let r = 0; r < rows; r++) {
          dot += data[r * cols + i] * data[r * cols + j];
        }
        for (let r = 0; r < rows; r++) {
          data[r * cols + j] -= dot * data[r * cols + i];
        }
      }
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) {
      norm += data[r * cols + j] ** 2;
    }
    norm = Math.sqrt(norm);
    // A remainder this small of the column's length is rounding error.
    const keep = norm > 1e-10 * Math.sqrt(before) && norm > 0;
    norms[j] = keep ? norm : 0;
    for (let r = 0; r < rows; r++) {
      data[r * cols + j] = keep ? data[r * cols + j] / norm : 0;
    }
  }
  return a;
}

/** a·b. */
export function multiply(a: IMatrix, b: IMatrix): IMatrix {
  if (a.cols !== b.rows) {
    throw new RangeError(
      `Cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}.`
    );
  }
  const out = matrix(a.rows, b.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[r * a.cols + k];
      if (v === 0) {
        continue;
      }
      for (let c = 0; c < b.cols; c++) {
        out.data[r * b.cols + c] += v * b.data[k * b.cols + c];
      }
    }
  }
  return out;
}

/** aᵀ·b. */
export function multiplyTransposed(a: IMatrix, b: IMatrix): IMatrix {
  if (a.rows !== b.rows) {
    throw new RangeError(
      `Cannot multiply (${a.rows}×${a.cols})ᵀ by ${b.rows}×${b.cols}.`
    );
  }
  const out = matrix(a.cols, b.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let i = 0; i < a.cols; i++) {
      const v = a.data[r * a.cols + i];
      if (v === 0) {
        continue;
      }
      for (let c = 0; c < b.cols; c++) {
        out.data[i * b.cols + c] += v * b.data[r * b.cols + c];
      }
    }
  }
  return out;
}

/** The sum of each column of `a`. */
export function columnSums(a: IMatrix): Float64Array {
  const sums = new Float64Array(a.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let c = 0; c < a.cols; c++) {
      sums[c] += a.data[r * a.cols + c];
    }
  }
  return sums;
}

export interface IEigen {
  /** Eigenvalues, largest first. */
  readonly values: Float64Array;
  /** Column j is the unit eigenvector of values[j]. */
  readonly vectors: IMatrix;
}

/**
 * The eigen-decomposition of a small symmetric matrix by cyclic Jacobi
 * rotations (Golub & Van Loan, 8.5): accurate to rounding for any spectrum,
 * and plenty fast at l ≤ 74.
 */
export function symmetricEigen(s: IMatrix): IEigen {
  const n = s.rows;
  if (s.cols !== n) {
    throw new RangeError(
      `An eigen-decomposition needs a square matrix, not ${s.rows}×${s.cols}.`
    );
  }
  const a = Float64Array.from(s.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    v[i * n + i] = 1;
  }
  let scale = 0;
  for (const x of a) {
    scale += x * x;
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        off += a[p * n + q] ** 2;
      }
    }
    if (off <= 1e-30 * scale || off === 0) {
      break;
    }
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        rotate(a, v, n, p, q);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => a[j * n + j] - a[i * n + i]
  );
  const values = Float64Array.from(order, i => a[i * n + i]);
  const vectors = matrix(n, n);
  order.forEach((from, to) => {
    for (let r = 0; r < n; r++) {
      vectors.data[r * n + to] = v[r * n + from];
    }
  });
  return { values, vectors };
}

/** One Jacobi rotation zeroing a[p][q] (a symmetric, v accumulates). */
function rotate(
  a: Float64Array,
  v: Float64Array,
  n: number,
  p: number,
  q: number
): void {
  const apq = a[p * n + q];
  if (apq === 0) {
    return;
  }
  const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
  const t =
    Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p];
    const akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k];
    const aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p];
    const vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/** A seeded Gaussian d×l test matrix. */
export function gaussian(rows: number, cols: number, seed: number): IMatrix {
  const random = createRandom(seed);
  return matrix(
    rows,
    cols,
    Float64Array.from({ length: rows * cols }, () => random.normal())
  );
}

/** The first k columns of `a`. */
export function takeColumns(a: IMatrix, k: number): IMatrix {
  const out = matrix(a.rows, k);
  for (let r = 0; r < a.rows; r++) {
    for (let c = 0; c < k; c++) {
      out.data[r * k + c] = a.data[r * a.cols + c];
    }
  }
  return out;
}
