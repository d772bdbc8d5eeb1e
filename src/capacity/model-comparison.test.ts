import { trainModelWithDiagnostics } from '../forecast';
import { SCALER_TEST_OPTIONS, syntheticSeries } from '../forecast/synthetic-series';
import { compareCandidates, forecastErrors, replicaAgreement, replicaCount } from './model-comparison';

describe('forecastErrors', () => {
  it('gives MAE, RMSE, R² and MASE of known pairs', () => {
    // Errors 1, -1, 0, -2; actual mean 5.5, so SST = 20.25 + 0.25 + 0.25 + 20.25 = 41 and SSE = 6.
    const errors = forecastErrors([2, 4, 6, 8], [1, 5, 6, 10], 2);
    expect(errors.samples).toBe(4);
    expect(errors.mae).toBeCloseTo(1, 12);
    expect(errors.rmse).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(errors.r2).toBeCloseTo(1 - 6 / 41, 12);
    expect(errors.mase).toBeCloseTo(0.5, 12);
  });

  it('skips a pair with a gap on either side', () => {
    expect(forecastErrors([2, NaN, 4, 6, 3, 8], [1, 3, 5, 6, NaN, 10], 2)).toEqual(
      forecastErrors([2, 4, 6, 8], [1, 5, 6, 10], 2),
    );
  });

  it('is R² 1 for a perfect forecast, 0 for the mean, below 0 for worse', () => {
    expect(forecastErrors([1, 2, 3], [1, 2, 3], 1).r2).toBe(1);
    expect(forecastErrors([2, 2, 2], [1, 2, 3], 1).r2).toBeCloseTo(0, 12);
    // SSE 8 against SST 2.
    expect(forecastErrors([3, 2, 1], [1, 2, 3], 1).r2).toBeCloseTo(-3, 12);
  });

  it('has no R² when the actual values do not vary, and nothing at all without pairs', () => {
    const flat = forecastErrors([1, 3], [2, 2], 1);
    expect(flat.mae).toBe(1);
    expect(flat.r2).toBeNaN();
    expect(forecastErrors([NaN], [1], 1)).toEqual({ samples: 0, mae: NaN, rmse: NaN, r2: NaN, mase: NaN });
  });

  it('refuses forecasts and actual values of different lengths', () => {
    expect(() => forecastErrors([1, 2], [1], 1)).toThrow('2 forecasts against 1 actual values');
  });
});

describe('replicaCount', () => {
  it.each<[number, number, number]>([
    [0.5, 0.5, 1],
    [0.51, 0.5, 2],
    [1, 0.5, 2],
    [1.0000001, 0.5, 3],
    // 1.1 / 0.1 is 11.000000000000002 in floating point: still 11.
    [1.1, 0.1, 11],
    [0.3, 0.1, 3],
    [0, 0.5, 0],
    [-0.3, 0.5, 0],
    [768 * 2 ** 20, 512 * 2 ** 20, 2],
  ])('%d at %d per replica → %d', (value, target, replicas) => {
    expect(replicaCount(value, target)).toBe(replicas);
  });
});

describe('replicaAgreement', () => {
  it('counts exact and within-one replica counts', () => {
    // Replicas at 0.5: 1 vs 1 (exact), 2 vs 1, 3 vs 2 (within one), 4 vs 2 (off by two), 0 vs 0 (exact).
    const agreement = replicaAgreement([0.4, 0.6, 1.2, 2.0, -0.3], [0.5, 0.5, 0.9, 1.0, 0], 0.5);
    expect(agreement).toEqual({ samples: 5, exact: 0.4, withinOne: 0.8 });
  });

  it('skips gaps, and has no shares without pairs', () => {
    expect(replicaAgreement([0.4, NaN, 2], [0.5, 1, NaN], 0.5)).toEqual({
      samples: 1,
      exact: 1,
      withinOne: 1,
    });
    expect(replicaAgreement([], [], 0.5)).toEqual({ samples: 0, exact: NaN, withinOne: NaN });
  });
});

describe('compareCandidates', () => {
  const history = syntheticSeries({
    days: 7,
    stepMs: 5 * 60_000,
    level: 2,
    daily: 1,
    noise: 0.1,
    seed: 7,
  });
  const { model, backtest } = trainModelWithDiagnostics(history, SCALER_TEST_OPTIONS, 0);

  it('scores every candidate of the training, with the MASE the selection used', () => {
    if (backtest === undefined) throw new Error('a week of 5-minute samples is backtested');
    const lead = backtest.setup.leadBlocks[0] as number;
    const rows = compareCandidates(backtest, { lead, target: 0.5 });
    expect(rows.map((r) => r.method)).toEqual(backtest.results.map((r) => r.name));
    expect(rows.map((r) => r.method)).toContain(model.method);
    for (const row of rows) {
      if (row.failure !== undefined) continue;
      const score = model.scores.find(
        (s) => s.method === row.method && s.leadMs === SCALER_TEST_OPTIONS.leadTimesMs[0],
      );
      expect(row.errors.mase).toBeCloseTo(score?.mase as number, 9);
      expect(row.errors.samples).toBeGreaterThan(100);
      expect(row.errors.rmse).toBeGreaterThanOrEqual(row.errors.mae);
      expect(row.replicas?.samples).toBe(row.errors.samples);
      expect(row.replicas?.withinOne).toBeGreaterThanOrEqual(row.replicas?.exact as number);
    }
    // A clean daily sine: the learned models explain most of it.
    const best = rows.find((r) => r.method === model.method);
    expect(best?.errors.r2).toBeGreaterThan(0.8);
  });

  it('leaves the replica shares out without a target', () => {
    if (backtest === undefined) throw new Error('a week of 5-minute samples is backtested');
    const rows = compareCandidates(backtest, { lead: 1 });
    for (const row of rows) expect(row.replicas).toBeUndefined();
  });
});
