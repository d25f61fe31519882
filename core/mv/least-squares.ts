/**
 * Weighted ordinary least squares, small and hand-written: the normal equations X'WX β = X'Wy
 * solved by a Cholesky factorisation that skips columns which add nothing new (an hour of the week
 * never seen, a degree-day column of zeros). Such a column is "aliased", as R's `lm` says, and
 * gets the coefficient 0, which is the same fit as dropping it. Rows are stored sparse, because a
 * time-of-week design has 168 indicator columns of which each row uses one.
 */
import { studentTTwoSidedP } from './student-t.js';

/** One row of a design matrix: the columns that are not zero and their values. */
export interface SparseRow {
  readonly columns: readonly number[];
  readonly values: readonly number[];
}

/** A least-squares problem: y ≈ X β, each row weighted (weight 1 when `weights` is absent). */
export interface LeastSquaresProblem {
  readonly columnCount: number;
  readonly rows: readonly SparseRow[];
  readonly y: readonly number[];
  readonly weights?: readonly number[];
}

/** What to compute besides the coefficients. */
export interface LeastSquaresOptions {
  /** Standard errors, t values and two-sided p-values of the coefficients (default true). */
  readonly inference?: boolean;
  /** The leverage h_ii of every row, whose sum is the effective number of parameters (default false). */
  readonly leverage?: boolean;
}

/** The fit. Sums of squares and R² are weighted; degrees of freedom count rows of positive weight. */
export interface LeastSquaresFit {
  /** β; 0 for an aliased column. */
  readonly coefficients: readonly number[];
  /** Columns dropped because they are (numerically) a combination of earlier ones. */
  readonly aliased: readonly boolean[];
  /** Coefficients estimated: columns that are not aliased. */
  readonly parameterCount: number;
  readonly fitted: readonly number[];
  /** y − fitted, per row. */
  readonly residuals: readonly number[];
  /** Rows of positive weight. */
  readonly n: number;
  /** Σ w (y − fitted)². */
  readonly sse: number;
  /** R² about the weighted mean (the design is assumed to span a constant). */
  readonly r2: number;
  /** 1 − (1 − R²)(n − 1)/(n − p). */
  readonly adjustedR2: number;
  /** Standard errors (NaN for aliased columns), with `inference`. */
  readonly standardErrors?: readonly number[];
  /** Two-sided p-values of β = 0 (NaN for aliased columns), with `inference`. */
  readonly pValues?: readonly number[];
  /** Leverage of each row, with `leverage`. */
  readonly leverage?: readonly number[];
}

/** A dense row of a design matrix (every column given, zeros included). */
export function denseRow(values: readonly number[]): SparseRow {
  return { columns: values.map((_, i) => i), values };
}

/** Relative size under which a Cholesky pivot means "nothing new in this column". */
const ALIAS_TOLERANCE = 1e-9;

/** Lower-triangular Cholesky factor of a symmetric p×p matrix (row-major), skipping aliased columns. */
function cholesky(a: Float64Array, p: number): { l: Float64Array; aliased: boolean[] } {
  const l = new Float64Array(p * p);
  const aliased: boolean[] = new Array(p).fill(false);
  for (let j = 0; j < p; j++) {
    const diag = a[j * p + j] ?? 0;
    let d = diag;
    for (let k = 0; k < j; k++) d -= (l[j * p + k] ?? 0) ** 2;
    if (!(diag > 0) || d <= ALIAS_TOLERANCE * diag) {
      aliased[j] = true;
      continue;
    }
    const ljj = Math.sqrt(d);
    l[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (l[i * p + k] ?? 0) * (l[j * p + k] ?? 0);
      l[i * p + j] = s / ljj;
    }
  }
  return { l, aliased };
}

/** Solves L L' x = b for the columns that are not aliased (x = 0 elsewhere). */
function choleskySolve(l: Float64Array, aliased: readonly boolean[], b: ArrayLike<number>): Float64Array {
  const p = aliased.length;
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    if (aliased[i]) continue;
    let s = b[i] ?? 0;
    for (let k = 0; k < i; k++) s -= (l[i * p + k] ?? 0) * (z[k] ?? 0);
    z[i] = s / (l[i * p + i] ?? 1);
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    if (aliased[i]) continue;
    let s = z[i] ?? 0;
    for (let k = i + 1; k < p; k++) s -= (l[k * p + i] ?? 0) * (x[k] ?? 0);
    x[i] = s / (l[i * p + i] ?? 1);
  }
  return x;
}

/**
 * L⁻¹ (lower triangular, row-major; zero rows and columns where aliased). (X'WX)⁻¹ = L⁻ᵀL⁻¹, so
 * the variance of βⱼ is the squared norm of column j and a row's leverage the squared norm of
 * L⁻¹x. Zeros are skipped: in a time-of-week design most of L is zero.
 */
function lowerInverse(l: Float64Array, aliased: readonly boolean[]): Float64Array {
  const p = aliased.length;
  const inv = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    if (aliased[j]) continue;
    inv[j * p + j] = 1 / (l[j * p + j] ?? 1);
    for (let i = j + 1; i < p; i++) {
      if (aliased[i]) continue;
      let s = 0;
      for (let k = j; k < i; k++) {
        const lik = l[i * p + k] ?? 0;
        if (lik !== 0) s -= lik * (inv[k * p + j] ?? 0);
      }
      inv[i * p + j] = s / (l[i * p + i] ?? 1);
    }
  }
  return inv;
}

/** ‖L⁻¹x‖² for a sparse x: the quadratic form x'(X'WX)⁻¹x. */
function quadratic(linv: Float64Array, p: number, columns: readonly number[], values: readonly number[]): number {
  let first = p;
  for (const c of columns) first = Math.min(first, c);
  let h = 0;
  for (let i = first; i < p; i++) {
    let v = 0;
    for (let a = 0; a < columns.length; a++) v += (linv[i * p + (columns[a] ?? 0)] ?? 0) * (values[a] ?? 0);
    h += v * v;
  }
  return h;
}

/** Rows of positive weight, weighted sums, and how to compute the fitted value of a row. */
interface Accumulated {
  readonly p: number;
  readonly xtx: Float64Array;
  readonly xty: Float64Array;
  readonly rowCount: number;
  readonly y: readonly number[];
  readonly weights: readonly number[] | undefined;
  readonly rowDot: (r: number, beta: ArrayLike<number>) => number;
  /** Columns and values of row r. */
  readonly rowEntries: (r: number) => { readonly columns: readonly number[]; readonly values: readonly number[] };
}

function finish(acc: Accumulated, options: LeastSquaresOptions): LeastSquaresFit {
  const { p, xtx, xty, rowCount, y, weights } = acc;
  const { l, aliased } = cholesky(xtx, p);
  const beta = choleskySolve(l, aliased, xty);
  const coefficients = Array.from(beta);
  const fitted = Array.from({ length: rowCount }, (_, r) => acc.rowDot(r, beta));
  const residuals = fitted.map((f, r) => (y[r] ?? 0) - f);
  let n = 0;
  let sumW = 0;
  let sumWy = 0;
  for (let r = 0; r < rowCount; r++) {
    const w = weights?.[r] ?? 1;
    if (!(w > 0)) continue;
    n++;
    sumW += w;
    sumWy += w * (y[r] ?? 0);
  }
  const meanY = sumW > 0 ? sumWy / sumW : Number.NaN;
  let sse = 0;
  let sst = 0;
  for (let r = 0; r < rowCount; r++) {
    const w = weights?.[r] ?? 1;
    if (!(w > 0)) continue;
    sse += w * (residuals[r] ?? 0) ** 2;
    sst += w * ((y[r] ?? 0) - meanY) ** 2;
  }
  const parameterCount = aliased.filter((a) => !a).length;
  const df = n - parameterCount;
  const r2 = sst > 0 ? 1 - sse / sst : 0;
  const adjustedR2 = df > 0 && n > 1 ? 1 - ((1 - r2) * (n - 1)) / df : Number.NaN;
  const fit: LeastSquaresFit = { coefficients, aliased, parameterCount, fitted, residuals, n, sse, r2, adjustedR2 };
  const wantInference = options.inference ?? true;
  if (!wantInference && !options.leverage) return fit;
  const linv = lowerInverse(l, aliased);
  const extra: { standardErrors?: number[]; pValues?: number[]; leverage?: number[] } = {};
  if (wantInference) {
    const sigma2 = df > 0 ? sse / df : Number.NaN;
    const se = coefficients.map((_, j) => {
      if (aliased[j]) return Number.NaN;
      let v = 0;
      for (let i = j; i < p; i++) v += (linv[i * p + j] ?? 0) ** 2;
      return Math.sqrt(sigma2 * v);
    });
    extra.standardErrors = se;
    extra.pValues = coefficients.map((b, j) =>
      aliased[j] ? Number.NaN : studentTTwoSidedP(b / (se[j] ?? Number.NaN), df),
    );
  }
  if (options.leverage) {
    extra.leverage = Array.from({ length: rowCount }, (_, r) => {
      const { columns, values } = acc.rowEntries(r);
      return (weights?.[r] ?? 1) * quadratic(linv, p, columns, values);
    });
  }
  return { ...fit, ...extra };
}

/** Fits y ≈ Xβ by weighted least squares, X given as sparse rows. */
export function leastSquares(problem: LeastSquaresProblem, options: LeastSquaresOptions = {}): LeastSquaresFit {
  const { columnCount: p, rows, y, weights } = problem;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let r = 0; r < rows.length; r++) {
    const w = weights?.[r] ?? 1;
    if (!(w > 0)) continue;
    const row = rows[r] as SparseRow;
    const yr = y[r] ?? 0;
    for (let a = 0; a < row.columns.length; a++) {
      const ca = row.columns[a] ?? 0;
      const va = w * (row.values[a] ?? 0);
      xty[ca] = (xty[ca] ?? 0) + va * yr;
      for (let b = 0; b < row.columns.length; b++) {
        const cb = row.columns[b] ?? 0;
        xtx[ca * p + cb] = (xtx[ca * p + cb] ?? 0) + va * (row.values[b] ?? 0);
      }
    }
  }
  const rowAt = (r: number) => rows[r] as SparseRow;
  return finish(
    {
      p,
      xtx,
      xty,
      rowCount: rows.length,
      y,
      weights,
      rowDot: (r, beta) => rowAt(r).columns.reduce((s, c, i) => s + (beta[c] ?? 0) * (rowAt(r).values[i] ?? 0), 0),
      rowEntries: rowAt,
    },
    options,
  );
}

/**
 * The same fit with X given as dense columns (each of length n, unweighted): quicker for the
 * few-column designs a balance-point search fits thousands of times.
 */
export function leastSquaresColumns(
  columns: readonly (readonly number[])[],
  y: readonly number[],
  options: LeastSquaresOptions = {},
): LeastSquaresFit {
  const p = columns.length;
  const n = y.length;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    const ca = columns[a] as readonly number[];
    let sy = 0;
    for (let r = 0; r < n; r++) sy += (ca[r] ?? 0) * (y[r] ?? 0);
    xty[a] = sy;
    for (let b = a; b < p; b++) {
      const cb = columns[b] as readonly number[];
      let s = 0;
      for (let r = 0; r < n; r++) s += (ca[r] ?? 0) * (cb[r] ?? 0);
      xtx[a * p + b] = s;
      xtx[b * p + a] = s;
    }
  }
  const rowDot = (r: number, beta: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < p; j++) s += (beta[j] ?? 0) * ((columns[j] as readonly number[])[r] ?? 0);
    return s;
  };
  const all = columns.map((_, j) => j);
  const rowEntries = (r: number) => ({ columns: all, values: columns.map((c) => c[r] ?? 0) });
  return finish({ p, xtx, xty, rowCount: n, y, weights: undefined, rowDot, rowEntries }, options);
}
