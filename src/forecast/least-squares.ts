import { CholeskyDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * Accumulates the normal equations XᵀWX and XᵀWy row by row, so a regression over thousands of rows
 * never materialises X. p is small here (under 40 columns), so this is both fast and exact enough.
 */
export class NormalEquations {
  readonly xtx: Float64Array;
  readonly xty: Float64Array;
  rows = 0;

  constructor(readonly columns: number) {
    this.xtx = new Float64Array(columns * columns);
    this.xty = new Float64Array(columns);
  }

  /** Adds the row `x[offset, offset + columns)` with target `y` and weight `weight`. */
  addRow(x: ArrayLike<number>, y: number, weight = 1, offset = 0): void {
    const p = this.columns;
    for (let i = 0; i < p; i++) {
      const wxi = weight * (x[offset + i] as number);
      if (wxi === 0) continue;
      this.xty[i] = (this.xty[i] as number) + wxi * y;
      const row = i * p;
      for (let j = i; j < p; j++)
        this.xtx[row + j] = (this.xtx[row + j] as number) + wxi * (x[offset + j] as number);
    }
    this.rows++;
  }

  /** Solves (XᵀWX + diag(penalty)) β = XᵀWy. */
  solve(penalty: ArrayLike<number>): Float64Array {
    const p = this.columns;
    const a = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = i; j < p; j++) {
        const v = this.xtx[i * p + j] as number;
        a[i * p + j] = v;
        a[j * p + i] = v;
      }
      a[i * p + i] = (a[i * p + i] as number) + (penalty[i] as number);
    }
    return solveSymmetric(a, this.xty, p);
  }
}

/**
 * Solves the symmetric system A x = b (A row-major p×p): Cholesky when A is positive definite, the SVD's
 * least-squares solution otherwise (a column that is all zeros, e.g. a lag feature never available).
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const rows: number[][] = [];
  for (let i = 0; i < p; i++) rows.push(Array.from(a.subarray(i * p, (i + 1) * p)));
  const matrix = new Matrix(rows);
  const rhs = Matrix.columnVector(Array.from(b));
  const cholesky = new CholeskyDecomposition(matrix);
  const solution = cholesky.isPositiveDefinite()
    ? cholesky.solve(rhs)
    : new SingularValueDecomposition(matrix, { autoTranspose: true }).solve(rhs);
  const out = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const v = solution.get(i, 0);
    out[i] = Number.isFinite(v) ? v : 0;
  }
  return out;
}

/**
 * Ridge-penalised least absolute deviations by iteratively reweighted least squares. L1 targets the
 * conditional median, which is what MASE and sMAPE reward, and shrugs off the bursts that pull a
 * least-squares fit. `x` is row-major (rows × columns).
 */
export function ridgeLeastAbsolute(
  x: Float64Array,
  y: Float64Array,
  columns: number,
  penalty: ArrayLike<number>,
  iterations: number,
): Float64Array {
  const rows = y.length;
  const weights = new Float64Array(rows).fill(1);
  let beta = weightedSolve(x, y, weights, columns, penalty, 1);
  let meanAbsY = 0;
  for (let i = 0; i < rows; i++) meanAbsY += Math.abs(y[i] as number);
  meanAbsY /= Math.max(1, rows);
  // Below this, a residual counts as exact: keeps the weights bounded.
  const epsilon = 1e-3 * meanAbsY + 1e-12;
  for (let iteration = 0; iteration < iterations; iteration++) {
    let weightSum = 0;
    for (let r = 0; r < rows; r++) {
      let fitted = 0;
      const row = r * columns;
      for (let c = 0; c < columns; c++) fitted += (x[row + c] as number) * (beta[c] as number);
      const w = 1 / Math.max(Math.abs((y[r] as number) - fitted), epsilon);
      weights[r] = w;
      weightSum += w;
    }
    // The penalty is scaled by the mean weight so its strength stays comparable to the first pass.
    beta = weightedSolve(x, y, weights, columns, penalty, weightSum / Math.max(1, rows));
  }
  return beta;
}

function weightedSolve(
  x: Float64Array,
  y: Float64Array,
  weights: Float64Array,
  columns: number,
  penalty: ArrayLike<number>,
  penaltyScale: number,
): Float64Array {
  // A dedicated kernel over typed arrays: this runs rows × columns² per IRLS pass, for every lead.
  const xtx = new Float64Array(columns * columns);
  const xty = new Float64Array(columns);
  const rows = y.length;
  for (let r = 0; r < rows; r++) {
    const w = weights[r] as number;
    const base = r * columns;
    const target = y[r] as number;
    for (let i = 0; i < columns; i++) {
      const wxi = w * (x[base + i] as number);
      xty[i] = (xty[i] as number) + wxi * target;
      const row = i * columns;
      for (let j = i; j < columns; j++)
        xtx[row + j] = (xtx[row + j] as number) + wxi * (x[base + j] as number);
    }
  }
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < i; j++) xtx[i * columns + j] = xtx[j * columns + i] as number;
    xtx[i * columns + i] = (xtx[i * columns + i] as number) + (penalty[i] as number) * penaltyScale;
  }
  return solveSymmetric(xtx, xty, columns);
}
