import { isMissing as isMissingValue } from '../anomaly/robust-stats';
import { centredMovingMean } from '../anomaly/seasonal-residual';

import { DAY_MS, WEEK_MS } from '../util/duration';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const isMissing = isMissingValue;

export { DAY_MS, WEEK_MS };

/** Outcome of testing one candidate period. */
export interface SeasonalityTest {
  periodMs: number;
  /** Period in samples of the tested series. */
  period: number;
  /** Autocorrelation at the period of the series with its slow level (and, for weekly, the daily shape) removed; 0..1. */
  confidence: number;
  detected: boolean;
  /** Why it was not detected, when it was not. */
  reason?: string;
}

/** Autocorrelation a season must reach to count, and the noise band it must clear (×1/√pairs). */
const MIN_AUTOCORRELATION = 0.2;
const NOISE_BAND_SIGMAS = 3;

/**
 * Tests for a daily and a weekly season in a regularly sampled series (step `stepMs`).
 * Daily: autocorrelation at one day of the series minus its centred one-day moving mean, which removes
 * trend and level shifts (they would otherwise make every lag look correlated) and keeps the daily shape.
 * Weekly: the series minus its centred one-week mean and minus the average daily shape; what correlates
 * a week apart is then the day-of-week effect only, so a purely daily series does not pass as weekly.
 * A period needs at least two cycles of history to be tested at all.
 */
export function detectSeasonality(values: ArrayLike<number>, stepMs: number): SeasonalityTest[] {
  const day = Math.round(DAY_MS / stepMs);
  const week = Math.round(WEEK_MS / stepMs);
  const results: SeasonalityTest[] = [];
  results.push(testPeriod(values, DAY_MS, day, (v) => subtract(v, centredMovingMean(v, day))));
  results.push(
    testPeriod(values, WEEK_MS, week, (v) => {
      const detrended = subtract(v, centredMovingMean(v, week));
      return subtract(detrended, periodicMean(detrended, day));
    }),
  );
  return results;
}

/**
 * The dominant period of a series with no calendar (integer steps): the shortest lag whose autocorrelation
 * (after removing a linear trend) is a prominent local peak within 90 % of the highest one, if that peak
 * clears the same thresholds as `detectSeasonality`. Lags up to a third of the series (so two cycles fit),
 * at most `maxLag` (2000 unless given).
 */
export function detectDominantPeriod(
  values: ArrayLike<number>,
  options: { maxLag?: number } = {},
): SeasonalityTest | undefined {
  const n = values.length;
  const detrended = removeLinearTrend(values);
  const maxLag = Math.min(options.maxLag ?? 2000, Math.floor(n / 3));
  if (maxLag < 2) return undefined;
  const moments = momentsOf(detrended);
  if (moments === undefined) return undefined;
  const acf = new Float64Array(maxLag + 2);
  for (let lag = 1; lag <= maxLag + 1; lag++) acf[lag] = autocorrelationWith(detrended, moments, lag).value;
  const peaks: number[] = [];
  let lowest = acf[1] as number;
  for (let lag = 2; lag <= maxLag; lag++) {
    if (isPeak(acf, lag, lowest)) peaks.push(lag);
    lowest = Math.min(lowest, acf[lag] as number);
  }
  if (peaks.length === 0) return undefined;
  const best = peaks.reduce((a, b) => ((acf[b] as number) > (acf[a] as number) ? b : a));
  const chosen = peaks.find((lag) => (acf[lag] as number) >= 0.9 * (acf[best] as number)) ?? best;
  const { value, pairs } = autocorrelationWith(detrended, moments, chosen);
  const detected = value >= MIN_AUTOCORRELATION && value >= NOISE_BAND_SIGMAS / Math.sqrt(Math.max(1, pairs));
  return { periodMs: NaN, period: chosen, confidence: clamp01(value), detected };
}

/**
 * A local maximum that rises at least 0.1 above the lowest autocorrelation at shorter lags: a season makes
 * the autocorrelation dip and come back, while a merely persistent series decays with small wiggles.
 */
function isPeak(acf: Float64Array, lag: number, lowestBefore: number): boolean {
  const value = acf[lag] as number;
  return (
    value >= (acf[lag - 1] as number) && value >= (acf[lag + 1] as number) && value - lowestBefore >= 0.1
  );
}

function testPeriod(
  values: ArrayLike<number>,
  periodMs: number,
  period: number,
  prepare: (v: ArrayLike<number>) => Float64Array,
): SeasonalityTest {
  if (period < 2) {
    return { periodMs, period, confidence: 0, detected: false, reason: 'period shorter than two samples' };
  }
  if (values.length < 2 * period) {
    return {
      periodMs,
      period,
      confidence: 0,
      detected: false,
      reason: `needs two cycles (${2 * period} samples), history has ${values.length}`,
    };
  }
  const { value, pairs } = autocorrelation(prepare(values), period);
  if (isMissing(value)) {
    return { periodMs, period, confidence: 0, detected: false, reason: 'series does not vary' };
  }
  const band = NOISE_BAND_SIGMAS / Math.sqrt(Math.max(1, pairs));
  const detected = value >= MIN_AUTOCORRELATION && value >= band;
  return {
    periodMs,
    period,
    confidence: clamp01(value),
    detected,
    ...(detected
      ? {}
      : {
          reason: `autocorrelation ${value.toFixed(3)} below ${Math.max(MIN_AUTOCORRELATION, band).toFixed(3)}`,
        }),
  };
}

/** Autocorrelation at `lag` over the pairs where both values are present; NaN for a constant series. */
export function autocorrelation(values: ArrayLike<number>, lag: number): { value: number; pairs: number } {
  const moments = momentsOf(values);
  return moments === undefined ? { value: NaN, pairs: 0 } : autocorrelationWith(values, moments, lag);
}

/** The mean and variance of the present values, once for every lag; undefined for a constant series. */
function momentsOf(values: ArrayLike<number>): { mean: number; variance: number } | undefined {
  const n = values.length;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!isMissing(v)) {
      sum += v;
      count++;
    }
  }
  if (count < 2) return undefined;
  const mean = sum / count;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!isMissing(v)) variance += (v - mean) * (v - mean);
  }
  variance /= count;
  // Relative to the mean's magnitude, so a constant series with rounding noise counts as constant.
  if (!(variance > 1e-24 * (mean * mean + 1e-300))) return undefined;
  return { mean, variance };
}

function autocorrelationWith(
  values: ArrayLike<number>,
  { mean, variance }: { mean: number; variance: number },
  lag: number,
): { value: number; pairs: number } {
  let covariance = 0;
  let pairs = 0;
  for (let i = lag; i < values.length; i++) {
    const a = values[i] as number;
    const b = values[i - lag] as number;
    if (isMissing(a) || isMissing(b)) continue;
    covariance += (a - mean) * (b - mean);
    pairs++;
  }
  return { value: pairs === 0 ? NaN : covariance / pairs / variance, pairs };
}

function subtract(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number);
  return out;
}

/** The mean of each slot of a cycle of `period` samples, repeated over the series' length. */
function periodicMean(values: ArrayLike<number>, period: number): Float64Array {
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (isMissing(v)) continue;
    sums[i % period] = (sums[i % period] as number) + v;
    counts[i % period] = (counts[i % period] as number) + 1;
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = counts[i % period] as number;
    out[i] = c === 0 ? 0 : (sums[i % period] as number) / c;
  }
  return out;
}

function removeLinearTrend(values: ArrayLike<number>): Float64Array {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (isMissing(v)) continue;
    sx += i;
    sy += v;
    sxx += i * i;
    sxy += i * v;
    count++;
  }
  const denominator = count * sxx - sx * sx;
  const slope = count > 1 && denominator !== 0 ? (count * sxy - sx * sy) / denominator : 0;
  const intercept = count > 0 ? (sy - slope * sx) / count : 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] as number) - intercept - slope * i;
  return out;
}

function clamp01(x: number): number {
  return isMissing(x) ? 0 : Math.min(1, Math.max(0, x));
}
