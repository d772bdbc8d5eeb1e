import { isMissing } from '../../anomaly/robust-stats';
import { type FourierTerms, defaultHarmonics, fourierColumnCount, writeFourierRow } from '../fourier';
import { NormalEquations } from '../least-squares';
import type { FitSpec, Forecaster, ModelSeries } from './forecaster';
import { timeOf } from './forecaster';

/** Level + optional linear trend + Fourier seasonality, as fitted coefficients. */
export interface FourierProfile {
  terms: FourierTerms;
  /** Trend column = (t − originMs) / scaleMs; absent when the profile has no trend. */
  trend?: { originMs: number; scaleMs: number };
  /** Intercept, [trend], then the Fourier columns in `terms` order. */
  coefficients: number[];
}

/** Ridge strength per Fourier/trend column, relative to the number of rows; the intercept is free. */
const RIDGE = 1e-3;
/**
 * Rows the fit uses at most: a 5-minute fortnight is 4,032 blocks, and one in four of them (still six
 * samples per cycle of the highest, 2-hour harmonic) pins down ~40 smooth coefficients as well as all of
 * them, at a quarter of the cost.
 */
const MAX_ROWS = 1000;

/** Fourier terms for the periods of a fit spec at its resolution. */
export function fourierTermsFor(spec: Pick<FitSpec, 'periodsMs'>, blockMs: number): FourierTerms {
  const harmonics = spec.periodsMs.map((p) => defaultHarmonics(p, blockMs, spec.periodsMs));
  const kept = spec.periodsMs.map((p, i) => ({ p, k: harmonics[i] as number })).filter((x) => x.k > 0);
  return { periodsMs: kept.map((x) => x.p), harmonics: kept.map((x) => x.k) };
}

/**
 * Least squares fit of level (+ trend) + Fourier terms to `values` (any scale; gaps skipped), ridge
 * penalised so short or gappy windows cannot produce wild high harmonics. This is the Prophet-style
 * decomposition without its sampler: one pass to build the normal equations, one Cholesky solve.
 */
export function fitFourierProfile(
  values: Float64Array,
  series: Pick<ModelSeries, 'firstBlock' | 'blockMs' | 'originMs'>,
  terms: FourierTerms,
  withTrend: boolean,
): FourierProfile {
  const n = values.length;
  const startMs = timeOf({ ...series, values }, 0);
  const trend = withTrend ? { originMs: startMs, scaleMs: Math.max(1, n - 1) * series.blockMs } : undefined;
  const columns = 1 + (trend ? 1 : 0) + fourierColumnCount(terms);
  const equations = new NormalEquations(columns);
  const row = new Float64Array(columns);
  let observed = 0;
  const stride = Math.max(1, Math.ceil(n / MAX_ROWS));
  // Offset the subsample so it always ends on the newest block.
  for (let i = (n - 1) % stride; i < n; i += stride) {
    const y = values[i] as number;
    if (isMissing(y)) continue;
    writeProfileRow(terms, trend, startMs + i * series.blockMs, row);
    equations.addRow(row, y);
    observed++;
  }
  const penalty = new Float64Array(columns).fill(RIDGE * Math.max(1, observed));
  penalty[0] = 1e-9 * Math.max(1, observed);
  const solution = equations.solve(penalty);
  return { terms, ...(trend ? { trend } : {}), coefficients: Array.from(solution) };
}

/** The profile's value at `timeMs`; `scratch` must hold at least as many entries as the profile has columns. */
export function evaluateProfile(profile: FourierProfile, timeMs: number, scratch: Float64Array): number {
  writeProfileRow(profile.terms, profile.trend, timeMs, scratch);
  let sum = 0;
  const coefficients = profile.coefficients;
  for (let c = 0; c < coefficients.length; c++) sum += (coefficients[c] as number) * (scratch[c] as number);
  return sum;
}

function writeProfileRow(
  terms: FourierTerms,
  trend: FourierProfile['trend'],
  timeMs: number,
  row: Float64Array,
): void {
  row[0] = 1;
  let offset = 1;
  if (trend) row[offset++] = (timeMs - trend.originMs) / trend.scaleMs;
  writeFourierRow(terms, timeMs, row, offset);
}

/** The profile's column count, for sizing scratch buffers. */
export function profileColumns(profile: FourierProfile): number {
  return profile.coefficients.length;
}

/**
 * Trend + Fourier seasonality regression (daily and weekly harmonics, ridge-regularised). It forecasts the
 * average shape, not today's level, so it shines on clean periodic load and lags after a level change.
 */
export const fourierRegressionForecaster: Forecaster<FourierProfile> = {
  name: 'fourier-regression',
  intervalScale: 'identity',
  fit: (series, spec) =>
    fitFourierProfile(series.values, series, fourierTermsFor(spec, series.blockMs), true),
  predict(params, series, from, to, maxLead, out) {
    const scratch = new Float64Array(profileColumns(params));
    for (let origin = from; origin < to; origin++) {
      const row = (origin - from) * maxLead;
      for (let lead = 1; lead <= maxLead; lead++) {
        out[row + lead - 1] = evaluateProfile(params, timeOf(series, origin + lead), scratch);
      }
    }
  },
};
