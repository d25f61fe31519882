import { describe, expect, it } from 'vitest';
import { denseRow, leastSquares, leastSquaresColumns } from '../../core/mv/least-squares.js';

describe('leastSquares', () => {
  it('fits a straight line with the textbook standard errors', () => {
    // y = 1 + 2x + e, e = (+1, −1, −1, +1) at x = 0..3 (x̄ = 1.5, Sxx = 5): β = (1, 2), SSE = 4,
    // σ² = SSE / (n − 2) = 2, Var(β₁) = σ² / Sxx, Var(β₀) = σ² (1/n + x̄² / Sxx).
    const x = [0, 1, 2, 3];
    const y = [2, 2, 4, 8];
    const fit = leastSquares({ columnCount: 2, rows: x.map((v) => denseRow([1, v])), y });
    expect(fit.coefficients[0]).toBeCloseTo(1, 12);
    expect(fit.coefficients[1]).toBeCloseTo(2, 12);
    expect(fit.residuals).toEqual([1, -1, -1, 1].map((e) => expect.closeTo(e, 12)));
    expect(fit.sse).toBeCloseTo(4, 12);
    expect(fit.standardErrors?.[1]).toBeCloseTo(Math.sqrt(2 / 5), 12);
    expect(fit.standardErrors?.[0]).toBeCloseTo(Math.sqrt(2 * (0.25 + 2.25 / 5)), 12);
    // R² = 1 − SSE / SST, SST = Σ(y − 4)² = 24; adjusted: 1 − (1 − R²)(n − 1)/(n − 2).
    expect(fit.r2).toBeCloseTo(1 - 4 / 24, 12);
    expect(fit.adjustedR2).toBeCloseTo(0.75, 12);
    // t = 2 / √0.4 with 2 df, whose two-sided p has the closed form 1 − t / √(2 + t²).
    const t = 2 / Math.sqrt(0.4);
    expect(fit.pValues?.[1]).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 10);
  });

  it('gives the same fit from dense columns', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = [1, 3, 2, 5, 7, 8];
    const rows = leastSquares({ columnCount: 2, rows: x.map((v) => denseRow([1, v])), y });
    const columns = leastSquaresColumns([x.map(() => 1), x], y, { leverage: true });
    expect(columns.coefficients[0]).toBeCloseTo(rows.coefficients[0] ?? Number.NaN, 12);
    expect(columns.coefficients[1]).toBeCloseTo(rows.coefficients[1] ?? Number.NaN, 12);
    expect(columns.pValues?.[1]).toBeCloseTo(rows.pValues?.[1] ?? Number.NaN, 12);
    // The leverages sum to the number of parameters.
    expect((columns.leverage ?? []).reduce((a, b) => a + b, 0)).toBeCloseTo(2, 10);
  });

  it('drops a column that repeats another (aliased) and one never used', () => {
    const x = [1, 2, 3, 4, 5];
    const y = x.map((v) => 3 + 0.5 * v);
    const fit = leastSquares({ columnCount: 4, rows: x.map((v) => denseRow([1, v, 2 * v, 0])), y });
    expect(fit.aliased).toEqual([false, false, true, true]);
    expect(fit.parameterCount).toBe(2);
    expect(fit.coefficients[0]).toBeCloseTo(3, 10);
    expect(fit.coefficients[1]).toBeCloseTo(0.5, 10);
    expect(fit.coefficients[2]).toBe(0);
    expect(fit.standardErrors?.[3]).toBeNaN();
  });

  it('weights rows, and a zero weight leaves a row out', () => {
    const rows = [1, 1, 1].map((v) => denseRow([v]));
    const weighted = leastSquares({ columnCount: 1, rows, y: [0, 10, 1000], weights: [1, 3, 0] });
    expect(weighted.coefficients[0]).toBeCloseTo(7.5, 12);
    expect(weighted.n).toBe(2);
  });
});
