import {
  forecastAhead,
  forecastFrom,
  forecastLongHorizon,
  trainModel,
  trainModelWithDiagnostics,
} from '../index';
import type { ModelState } from '../model-state';
import { DAY_MS, WEEK_MS } from '../seasonality';
import {
  SCALER_TEST_OPTIONS,
  gaussian,
  seededRandom,
  sliceSeries,
  syntheticSeries,
  syntheticTruth,
} from '../synthetic-series';
import type { SyntheticSpec } from '../synthetic-series';
import type { RegularSeries, TrainedModel, TrainingOptions } from '../types';
import { combinationName } from './long-band';
import { PROFILE_METHODS } from './profile-methods';

const FIVE_MIN = 5 * 60_000;
const HOUR = 3_600_000;
const options: TrainingOptions = SCALER_TEST_OPTIONS;

function train(history: RegularSeries, overrides: Partial<TrainingOptions> = {}): TrainedModel {
  return trainModel(
    history,
    { ...options, ...overrides },
    history.startMs + history.values.length * history.stepMs,
  );
}

function stateOf(model: TrainedModel): ModelState {
  return model.state as ModelState;
}

/** `weeks` of hourly values that repeat every week exactly, each hour of the week a value of its own. */
function exactWeeklyRepeat(weeks: number): RegularSeries {
  const random = seededRandom(5);
  const week = Array.from({ length: 168 }, (_, h) => {
    const weekend = h >= 120;
    return (weekend ? 20 : 60) + 30 * random();
  });
  const values = Array.from({ length: weeks * 168 }, (_, i) => week[i % 168] as number);
  return { startMs: Date.UTC(2024, 0, 1), stepMs: HOUR, values };
}

describe('the long-horizon band', () => {
  it('answers with the best seasonal baseline when nothing beats it, never last value', () => {
    const history = exactWeeklyRepeat(4);
    const model = train(history, { longHorizonMs: WEEK_MS });
    // "Same hour last week" is exact here: no combination can beat it, so it is the answer.
    expect(model.longHorizon.method).toBe('seasonal-naive-week');
    expect(model.longHorizon.reason).toContain('seasonal-naive-week beat seasonal-naive-day clearly');
    const result = forecastLongHorizon(model, sliceSeries(history, history.values.length - 10), 168);
    result.mean.forEach((m, i) => expect(m).toBeCloseTo(history.values[i] as number, 6));
    // The scaling band on the same series did not beat its baselines either; what it answers with
    // outside the scaler is its best baseline at the scaling leads, here the exact weekly repeat.
    if (!model.usable) expect(model.method).not.toBe('last-value');
  });

  it('answers the scaling leads with last value where it is the best baseline there, and days ahead with a seasonal one', () => {
    // A daily cycle under a slowly wandering level: 15 minutes ahead the level has barely moved, so
    // last value beats "same time yesterday"; a day ahead only the cycle is known.
    const spec = { days: 14, stepMs: FIVE_MIN, daily: 40, noise: 25, noiseAutocorrelation: 0.999, seed: 4 };
    const history = syntheticSeries(spec);
    const { model } = trainModelWithDiagnostics(
      history,
      options,
      history.startMs + history.values.length * FIVE_MIN,
      { methods: ['seasonal-naive-day'] },
    );
    expect(model.seasonalPeriods).toContain(DAY_MS);
    expect(model.usable).toBe(false);
    expect(model.method).toBe('last-value');
    expect(model.reason).toMatch(
      /forecasts beyond the scaler answer with last-value up to 1h, the long-horizon band after/,
    );
    expect(model.longHorizon.method).not.toBe('last-value');

    const recent = sliceSeries(history, history.values.length - 12);
    const last = history.values[history.values.length - 1] as number;
    const ahead = forecastAhead(model, recent, 2 * 288);
    expect(ahead.shortSteps).toBe(12);
    ahead.mean.slice(0, ahead.shortSteps).forEach((m) => expect(m).toBeCloseTo(last, 6));
    const long = forecastLongHorizon(model, recent, 2 * 288);
    expect(ahead.mean.slice(ahead.shortSteps)).toEqual(long.mean.slice(ahead.shortSteps));
  });

  it('keeps last value as a candidate for a series without a season', () => {
    const random = seededRandom(9);
    let level = 100;
    const values = Array.from({ length: 14 * 288 }, () => (level += random() - 0.5));
    const model = train({ startMs: 0, stepMs: FIVE_MIN, values });
    expect(model.seasonalPeriods).toEqual([]);
    expect(model.longHorizon.method).not.toMatch(/seasonal-naive/);
  });

  it('keeps the weekly shape a week ahead, where a short-band model loses it', () => {
    const spec: SyntheticSpec = { days: 28, stepMs: FIVE_MIN, daily: 20, weekend: -40, noise: 2 };
    const full = syntheticSeries(spec);
    const cut = 21 * 288;
    const model = train(sliceSeries(full, 0, cut));
    const result = forecastAhead(model, sliceSeries(full, cut - 12, cut), 7 * 288);
    expect(result.shortSteps).toBe(12);
    let error = 0;
    result.mean.forEach((m, i) => {
      error += Math.abs(m - syntheticTruth(spec, result.fromMs + i * FIVE_MIN));
    });
    // Weekend level 40 below the weekdays, noise σ 2: a forecast that lost the week would be off by ~11.
    expect(error / result.mean.length).toBeLessThan(3);
  });

  it('covers about the quantile on fresh noise of a known distribution, at every day ahead', () => {
    const spec: SyntheticSpec = { days: 35, stepMs: FIVE_MIN, daily: 20, noise: 3, seed: 4 };
    const full = syntheticSeries(spec);
    const cut = 21 * 288;
    const model = train(sliceSeries(full, 0, cut), { longHorizonMs: 14 * DAY_MS });
    const result = forecastLongHorizon(model, sliceSeries(full, cut - 12, cut), 14 * 288);
    const covered = { upper: 0, lower: 0 };
    for (let i = 0; i < result.mean.length; i++) {
      const actual = full.values[cut + i] as number;
      if (actual <= (result.upper[i] as number)) covered.upper++;
      if (actual >= (result.lower[i] as number)) covered.lower++;
    }
    expect(covered.upper / result.mean.length).toBeGreaterThan(0.85);
    expect(covered.upper / result.mean.length).toBeLessThan(0.96);
    expect(covered.lower / result.mean.length).toBeGreaterThan(0.85);
    expect(covered.lower / result.mean.length).toBeLessThan(0.96);
  });

  it('gives quiet and busy hours bands of their own when their errors differ', () => {
    // Busy from 08:00 to 20:00 at 100 ± 1, quiet overnight at 20 ± 8: noise that shrinks as load grows,
    // which neither one pool nor a log scale describes.
    const normal = gaussian(seededRandom(12));
    const busy = (i: number): boolean => {
      const hour = (i % 288) / 12;
      return hour >= 8 && hour < 20;
    };
    const values = Array.from({ length: 35 * 288 }, (_, i) => (busy(i) ? 100 + normal() : 20 + 8 * normal()));
    const cut = 21 * 288;
    const series: RegularSeries = { startMs: Date.UTC(2024, 0, 1), stepMs: FIVE_MIN, values };
    const model = train(sliceSeries(series, 0, cut), { longHorizonMs: 14 * DAY_MS });
    expect(stateOf(model).long.levelEdges).toHaveLength(2);
    const result = forecastLongHorizon(model, sliceSeries(series, cut - 12, cut), 14 * 288);
    const coverage = { busy: { covered: 0, total: 0 }, quiet: { covered: 0, total: 0 } };
    result.mean.forEach((_, i) => {
      const tally = busy(cut + i) ? coverage.busy : coverage.quiet;
      tally.total++;
      if ((values[cut + i] as number) <= (result.upper[i] as number)) tally.covered++;
    });
    for (const { covered, total } of Object.values(coverage)) {
      expect(covered / total).toBeGreaterThan(0.85);
      expect(covered / total).toBeLessThan(0.97);
    }
  });

  it('has bands monotone in the horizon and bounded by the noise', () => {
    const spec: SyntheticSpec = { days: 21, stepMs: FIVE_MIN, daily: 20, noise: 3, seed: 8 };
    const model = train(syntheticSeries(spec), { longHorizonMs: 30 * DAY_MS });
    for (const bands of stateOf(model).long.bands) {
      for (let i = 1; i < bands.upper.length; i++) {
        expect(bands.upper[i]).toBeGreaterThanOrEqual(bands.upper[i - 1] as number);
        expect(bands.lower[i]).toBeLessThanOrEqual(bands.lower[i - 1] as number);
      }
    }
    const result = forecastLongHorizon(model, { startMs: 0, stepMs: FIVE_MIN, values: [] }, 30 * 288);
    const width = (i: number): number => (result.upper[i] as number) - (result.mean[i] as number);
    // σ 3 of white noise around a profile averaged over days: z(0.9) × 3 × √(1 + 1/k) < 6 for any k ≥ 1.
    for (const day of [1, 7, 14, 29]) expect(width(day * 288)).toBeLessThan(6);
    expect(width(29 * 288)).toBeCloseTo(width(20 * 288), 9);
    expect(model.longHorizon.calibratedHorizonMs).toBeLessThanOrEqual(21 * DAY_MS);
  });

  it('reports MASE, sMAPE, pinball loss and coverage at an hour, a day and a week', () => {
    // Four weeks: a week-ahead bound calibrated on older origins can then be checked on newer ones.
    const spec: SyntheticSpec = { days: 28, stepMs: FIVE_MIN, daily: 20, weekend: -30, noise: 2 };
    const model = train(syntheticSeries(spec));
    expect(model.longHorizon.scores.map((s) => s.leadMs)).toEqual([HOUR, DAY_MS, WEEK_MS]);
    for (const score of model.longHorizon.scores) {
      for (const value of [score.mase, score.smape, score.pinball, score.coverage]) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
  });
});

describe('the model JSON round trip', () => {
  const spec: SyntheticSpec = { days: 21, stepMs: FIVE_MIN, daily: 20, weekend: -30, noise: 2 };
  const history = syntheticSeries(spec);
  const model = train(history);
  const recent = sliceSeries(history, history.values.length - 24);
  const variants: Array<[string, string[]]> = [
    ...PROFILE_METHODS.map((m): [string, string[]] => [m.name, [m.name]]),
    [
      combinationName(['mean-7-days', 'levelled-week', 'seasonal-naive-week']),
      ['mean-7-days', 'levelled-week', 'seasonal-naive-week'],
    ],
  ];

  it.each(variants)('forecasts the same after JSON for %s', (_, members) => {
    const variant: TrainedModel = JSON.parse(JSON.stringify(model)) as TrainedModel;
    stateOf(variant).long.members = members;
    const copy = JSON.parse(JSON.stringify(variant)) as TrainedModel;
    const before = forecastAhead(variant, recent, 3 * 288);
    const after = forecastAhead(copy, recent, 3 * 288);
    expect(after).toEqual(before);
    expect(before.mean.every(Number.isFinite)).toBe(true);
    expect(forecastFrom(copy, recent, 12)).toEqual(forecastFrom(variant, recent, 12));
  });
});

describe('a model that forecasts a non-finite value', () => {
  it('is refused with a ForecastInputError, never answered with Infinity', () => {
    const spec: SyntheticSpec = { days: 14, stepMs: FIVE_MIN, daily: 20, noise: 2 };
    const history = syntheticSeries(spec);
    const model = train(history);
    const broken = JSON.parse(JSON.stringify(model)) as TrainedModel;
    // A fault no training should produce, but one that must not reach a trigger as an infinite target.
    for (const bands of stateOf(broken).long.bands) bands.upper.fill(Infinity);
    expect(() => forecastLongHorizon(broken, sliceSeries(history, history.values.length - 12), 288)).toThrow(
      /non-finite/,
    );
  });
});
