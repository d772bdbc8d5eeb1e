import type { Transform } from '../transform';
import { fromModelScale as fromModelScaleOf, toModelScale as toModelScaleOf } from '../transform';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const toModelScale = toModelScaleOf;
const fromModelScale = fromModelScaleOf;
import type { ProfilePeriods } from './profile-methods';

/**
 * Prediction bands per range of leads, as residual quantiles (actual − forecast, in the transform's scale)
 * added to the point forecast. Bin `i` covers leads up to `binEnds[i]` (blocks); leads past the last bin
 * keep its band.
 */
export interface HorizonBands {
  binEnds: number[];
  lower: number[];
  upper: number[];
  /** Residuals each bin was calibrated on (0: borrowed from the bin before). */
  counts: number[];
}

/** A bin calibrated on fewer residuals than this borrows the band of the bin before it. */
const MIN_BIN_RESIDUALS = 8;

/** Days that get a bin each; past them bins double in length, so a long horizon needs few bins. */
const DAILY_BINS = 14;

/**
 * Lead bins: the first hour, the rest of the first six hours, the rest of the day, one bin per day up to
 * two weeks, then bins twice as long as the one before, up to `horizon` (blocks). Errors of profile
 * forecasts depend on how many days ahead a lead is, far more than on the hour within that day, so a
 * day's leads share one band and each band rests on many residuals.
 */
export function binEndsFor(periods: ProfilePeriods, horizon: number): number[] {
  const hour = Math.max(1, Math.round(periods.day / 24));
  const ends = [hour, 6 * hour];
  let days = 1;
  for (; days <= DAILY_BINS && days * periods.day < horizon; days++) ends.push(days * periods.day);
  for (let span = 2; days * periods.day < horizon; span *= 2) {
    ends.push(days * periods.day);
    days += span;
  }
  ends.push(horizon);
  return [...new Set(ends.filter((end) => end >= 1 && end <= horizon))].sort((a, b) => a - b);
}

/** Looks up the bin of a lead. */
export function leadBins(binEnds: readonly number[]): { binOf(lead: number): number } {
  return {
    binOf(lead: number): number {
      for (let i = 0; i < binEnds.length; i++) if (lead <= (binEnds[i] as number)) return i;
      return binEnds.length - 1;
    },
  };
}

/** The residual quantile of `side` for a lead (blocks): its bin's, or the last bin's past the horizon. */
export function boundResidual(bands: HorizonBands, lead: number, side: 'lower' | 'upper'): number {
  const bin = leadBins(bands.binEnds).binOf(lead);
  return (side === 'upper' ? bands.upper : bands.lower)[bin] ?? 0;
}

/** A point forecast moved by a residual of the transform's scale. */
export function applyResidual(transform: Transform, forecast: number, residual: number): number {
  if (transform.kind === 'identity') return forecast + residual;
  return fromModelScale(transform, toModelScale(transform, forecast) + residual);
}

/**
 * Split-conformal bands per lead bin from residuals already pooled into their bins (see
 * `binEndsFor`): each bin's band is the residual quantile at the finite-sample conformal level
 * ⌈(m + 1) q⌉ / m, so it covers at least `quantile` of residuals like the m it saw. Bands are then made
 * monotone in the lead (a longer lead is never more certain): each bin takes the widest band of the bins
 * before it. A bin with too few residuals borrows the band before it.
 */
export function bandsFromResiduals(
  binEnds: number[],
  residuals: ArrayLike<number>[],
  quantile: number,
): HorizonBands {
  const lower: number[] = [];
  const upper: number[] = [];
  const counts: number[] = [];
  let lastLower = 0;
  let lastUpper = 0;
  for (const bin of residuals) {
    if (bin.length >= MIN_BIN_RESIDUALS) {
      // Two order statistics by selection, not a sort: bins hold tens of thousands of residuals and
      // calibration builds them several times per training.
      const values = Float64Array.from(bin);
      const m = values.length;
      lastUpper = Math.max(lastUpper, orderStatistic(values, conformalRank(m, quantile) - 1));
      lastLower = Math.min(lastLower, orderStatistic(values, conformalRank(m, 1 - quantile) - 1));
      counts.push(bin.length);
    } else {
      counts.push(0);
    }
    lower.push(lastLower);
    upper.push(lastUpper);
  }
  return { binEnds, lower, upper, counts };
}

/**
 * The order statistic a split-conformal interval uses: rank ⌈(m + 1) p⌉ for an upper level, ⌊(m + 1) p⌋
 * for a lower one, clamped to the sample.
 */
export function conformalQuantile(sorted: Float64Array, p: number): number {
  return sorted[conformalRank(sorted.length, p) - 1] as number;
}

/** The 1-based rank of `conformalQuantile` in a sample of `m`. */
export function conformalRank(m: number, p: number): number {
  const rank = p >= 0.5 ? Math.ceil((m + 1) * p) : Math.floor((m + 1) * p);
  return Math.min(m, Math.max(1, rank));
}

/**
 * The value that would stand at 0-based index `k` if `values` were sorted ascending, found by
 * quickselect (Hoare partition, median-of-three pivot); reorders `values` in place.
 */
export function orderStatistic(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const middle = (left + right) >> 1;
    const a = values[left] as number;
    const b = values[middle] as number;
    const c = values[right] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k] as number;
}
