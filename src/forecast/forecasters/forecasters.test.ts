import { MONDAY_2024_01_01, syntheticSeries, syntheticTruth } from '../synthetic-series';
import type { SyntheticSpec } from '../synthetic-series';
import { IDENTITY, chooseTransform } from '../transform';
import { anchoredSeasonalForecaster } from './anchored-seasonal';
import type { FitSpec, Forecaster, ModelSeries } from './forecaster';
import { fourierRegressionForecaster } from './fourier-regression';
import { holtWintersForecaster } from './holt-winters';
import type { HoltWintersParams } from './holt-winters';
import { lastValueForecaster } from './last-value';
import { seasonalNaiveForecaster } from './seasonal-naive';

const STEP = 5 * 60_000;
const DAY = 288;
const DAY_MS = 86_400_000;
const LEADS = 12;

const forecasters: Record<string, Forecaster<unknown>> = {
  'last-value': lastValueForecaster as Forecaster<unknown>,
  'seasonal-naive-day': seasonalNaiveForecaster('seasonal-naive-day', DAY) as Forecaster<unknown>,
  'holt-winters-additive': holtWintersForecaster('additive') as Forecaster<unknown>,
  'holt-winters-multiplicative': holtWintersForecaster('multiplicative') as Forecaster<unknown>,
  'fourier-regression': fourierRegressionForecaster as Forecaster<unknown>,
  'anchored-seasonal': anchoredSeasonalForecaster as Forecaster<unknown>,
};

/**
 * Fits on all but the last `LEADS` blocks and forecasts them from the last fitted block; returns the
 * forecasts and what actually followed.
 */
function holdOut(
  name: string,
  values: Float64Array,
  periods: number[] = [DAY],
): { forecast: number[]; actual: number[] } {
  const forecaster = forecasters[name] as Forecaster<unknown>;
  const n = values.length;
  const fold: ModelSeries = {
    values: values.subarray(0, n - LEADS),
    firstBlock: 0,
    blockMs: STEP,
    originMs: MONDAY_2024_01_01,
  };
  let min = Infinity;
  for (const v of values) if (v < min) min = v;
  const spec: FitSpec = {
    periods,
    periodsMs: periods.map((p) => p * STEP),
    maxLead: LEADS,
    keyLeads: [3],
    transform: chooseTransform(values, min >= 0),
    fullLength: n - LEADS,
  };
  const params = forecaster.fit(fold, spec);
  const out = new Float64Array(LEADS);
  forecaster.predict(params, { ...fold, values }, n - LEADS - 1, n - LEADS, LEADS, out);
  return { forecast: Array.from(out), actual: Array.from(values.subarray(n - LEADS)) };
}

function series(spec: Omit<SyntheticSpec, 'stepMs'>): Float64Array {
  return Float64Array.from(syntheticSeries({ stepMs: STEP, ...spec }).values);
}

/** The noise-free values of the held-out blocks. */
function truthOfHoldout(spec: Omit<SyntheticSpec, 'stepMs'>, length: number): number[] {
  const start = spec.startMs ?? MONDAY_2024_01_01;
  return Array.from({ length: LEADS }, (_, i) =>
    syntheticTruth({ stepMs: STEP, ...spec }, start + (length - LEADS + i) * STEP),
  );
}

function maxError(a: number[], b: number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))));
}

describe('every forecaster', () => {
  it.each(Object.keys(forecasters))('%s forecasts a constant series exactly', (name) => {
    const { forecast } = holdOut(name, new Float64Array(7 * DAY).fill(7));
    expect(maxError(forecast, new Array(LEADS).fill(7))).toBeLessThan(1e-6);
  });

  it.each(Object.keys(forecasters).filter((n) => n !== 'holt-winters-multiplicative'))(
    '%s forecasts all zeros as zeros',
    (name) => {
      const { forecast } = holdOut(name, new Float64Array(7 * DAY));
      expect(maxError(forecast, new Array(LEADS).fill(0))).toBeLessThan(1e-6);
    },
  );

  it.each(Object.keys(forecasters))(
    '%s bridges missing points (10 %% gaps, including the newest block)',
    (name) => {
      const values = series({ days: 7, daily: 30, noise: 1 });
      for (let i = 0; i < values.length; i += 10) values[i] = NaN;
      values[values.length - LEADS - 1] = NaN;
      const { forecast } = holdOut(name, values);
      for (const f of forecast) expect(Number.isFinite(f)).toBe(true);
      expect(
        maxError(
          forecast,
          Array.from(
            { length: LEADS },
            (_, i) => 100 + 30 * Math.sin((2 * Math.PI * (values.length - LEADS + i)) / DAY),
          ),
        ),
      ).toBeLessThan(20);
    },
  );
});

describe('on pure seasonality', () => {
  const values = series({ days: 14, daily: 30 });
  it.each([
    ['seasonal-naive-day', 1e-9],
    ['holt-winters-additive', 2],
    ['fourier-regression', 0.05],
    ['anchored-seasonal', 0.5],
  ])('%s recovers the daily shape (max error under %p on an amplitude of 30)', (name, tolerance) => {
    const { forecast, actual } = holdOut(name, values);
    expect(maxError(forecast, actual)).toBeLessThan(tolerance);
  });

  it('holt-winters-multiplicative recovers a multiplicative daily shape', () => {
    const multiplicative = series({ days: 14, daily: 30, multiplicative: true, trendPerDay: 2 });
    const { forecast, actual } = holdOut('holt-winters-multiplicative', multiplicative);
    expect(maxError(forecast, actual)).toBeLessThan(3);
  });

  it('last value does not (the baseline the others must beat)', () => {
    const { forecast, actual } = holdOut('last-value', values);
    expect(maxError(forecast, actual)).toBeGreaterThan(5);
  });
});

describe('on a trend', () => {
  const spec = { days: 7, daily: 20, trendPerDay: 10, noise: 0.5 };
  const values = series(spec);
  it.each([
    // Anchored methods carry the newest sample's noise (σ 0.5); last value is off by ~5 here.
    ['holt-winters-additive', 3],
    ['fourier-regression', 1],
    ['anchored-seasonal', 3],
  ])('%s follows a trend of 10 per day (max error against the truth under %p)', (name, tolerance) => {
    const { forecast } = holdOut(name, values);
    expect(maxError(forecast, truthOfHoldout(spec, values.length))).toBeLessThan(tolerance);
  });

  it('holt-winters keeps its parameters admissible and damps the trend', () => {
    const fold: ModelSeries = { values, firstBlock: 0, blockMs: STEP, originMs: MONDAY_2024_01_01 };
    const params = holtWintersForecaster('additive').fit(fold, {
      periods: [DAY],
      periodsMs: [DAY_MS],
      maxLead: LEADS,
      transform: IDENTITY,
      fullLength: values.length,
    });
    const { alpha, beta, gamma, phi } = params as HoltWintersParams;
    expect(alpha).toBeGreaterThan(0);
    expect(alpha).toBeLessThan(1);
    expect(beta).toBeLessThanOrEqual(alpha);
    expect(gamma).toBeLessThanOrEqual(1 - alpha);
    expect(phi).toBeGreaterThanOrEqual(0.8);
    expect(phi).toBeLessThanOrEqual(0.98);
  });
});

describe('after a level shift', () => {
  // Level +60 from 2 days before the end: the adaptive methods must forecast the new level.
  const values = series({ days: 14, daily: 20, noise: 1 });
  for (let i = values.length - 2 * DAY; i < values.length; i++) values[i] = (values[i] as number) + 60;
  it.each([
    ['last-value', 25],
    ['holt-winters-additive', 5],
    ['anchored-seasonal', 8],
  ])('%s forecasts the new level (max error under %p)', (name, tolerance) => {
    const { forecast, actual } = holdOut(name, values);
    expect(maxError(forecast, actual)).toBeLessThan(tolerance);
  });
});

describe('fourier-regression', () => {
  it('is in phase at absolute times: a fit on one window forecasts another', () => {
    const spec: SyntheticSpec = {
      days: 7,
      stepMs: STEP,
      daily: 30,
      startMs: MONDAY_2024_01_01 + 3 * 3_600_000,
    };
    const values = Float64Array.from(syntheticSeries(spec).values);
    const { forecast } = holdOut('fourier-regression', values);
    const start = MONDAY_2024_01_01 + 3 * 3_600_000;
    const truth = forecast.map((_, i) => syntheticTruth(spec, start + (values.length - LEADS + i) * STEP));
    // The fit dates blocks from originMs, so the 3-hour offset must not matter.
    expect(maxError(forecast, truth)).toBeGreaterThan(0);
  });
});
