import { trainModel } from '../../src/forecast';
import { SCALER_TEST_OPTIONS, sliceSeries, syntheticSeries } from '../../src/forecast/synthetic-series';
import { LongRollingEvaluation, groupLongMethods, seasonalNaiveSource } from './long-rolling';
import { addUpperBound, emptyUpperBoundTotals, summariseUpperBound } from './rolling';

describe('long-horizon rolling origin', () => {
  it('reads the seasonal naive from the latest cycle at or before the origin', () => {
    // An hour ahead on a 288-sample day: the same phase yesterday.
    expect(seasonalNaiveSource(1000, 12, 288)).toBe(1000 + 12 - 288);
    // Exactly one period ahead: the origin itself, the same forecast as last value.
    expect(seasonalNaiveSource(1000, 288, 288)).toBe(1000);
    expect(seasonalNaiveSource(5000, 2016, 2016)).toBe(5000);
    // Seven days ahead by the daily season: seven cycles back, again the origin.
    expect(seasonalNaiveSource(5000, 2016, 288)).toBe(5000);
    // Just past a period: one more cycle back.
    expect(seasonalNaiveSource(1000, 289, 288)).toBe(1000 + 289 - 576);
  });

  it('counts long-band methods by kind and by combination member', () => {
    const grouped = groupLongMethods({
      'combination(mean-7-days+levelled-day+median-5-days)': 3,
      'combination(levelled-day+mean-7-days+seasonal-naive-day)': 2,
      'seasonal-naive-day': 4,
      'last-value': 1,
    });
    expect(grouped.kinds).toEqual({ combination: 5, 'seasonal-naive-day': 4, 'last-value': 1 });
    expect(grouped.members).toEqual({
      'mean-7-days': 5,
      'levelled-day': 5,
      'median-5-days': 3,
      'seasonal-naive-day': 2,
    });
  });

  it('scores an upper bound by coverage, pinball loss and width in MASE-scale units', () => {
    const totals = emptyUpperBoundTotals(1);
    addUpperBound(totals, 0, 10, 8, 12, 0.9); // covered: pinball 0.1 × 2
    addUpperBound(totals, 0, 15, 8, 12, 0.9); // missed: pinball 0.9 × 3
    const [score] = summariseUpperBound(totals, 2);
    expect(score?.coverage).toBe(0.5);
    expect(score?.pinball).toBeCloseTo((0.2 + 2.7) / 2 / 2, 12);
    expect(score?.width).toBe(2);
    expect(score?.samples).toBe(2);
  });

  it('scores the bound separately before and from the split instant, adding up to the whole', () => {
    const stepMs = 5 * 60_000;
    const day = 288;
    const full = syntheticSeries({ days: 6, stepMs, daily: 30, noise: 3, seed: 4 });
    const values = Float64Array.from(full.values);
    const half = values.length / 2;
    const splitAtMs = full.startMs + (half + day / 2 + 6) * stepMs;
    const evaluation = new LongRollingEvaluation(values, {
      stepMs,
      startMs: full.startMs,
      horizons: [{ label: '1h', from: 12, to: 12 }],
      day,
      week: 7 * day,
      originEvery: 12,
      splitAtMs,
    });
    const model = trainModel(sliceSeries(full, 0, half), SCALER_TEST_OPTIONS, full.startMs + half * stepMs);
    evaluation.observe(model, half, values.length);
    const { upper, upperSplit } = evaluation.totals;
    // Origins every hour from the half; an hour-ahead actual lands before the split for the first 12.
    expect(upperSplit?.before.count[0]).toBe(12);
    expect((upperSplit?.before.count[0] ?? 0) + (upperSplit?.after.count[0] ?? 0)).toBe(upper.count[0]);
    expect((upperSplit?.before.covered[0] ?? 0) + (upperSplit?.after.covered[0] ?? 0)).toBe(upper.covered[0]);
  });
});
