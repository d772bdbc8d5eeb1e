import type { Transform } from '../transform';
import { fromModelScale, toModelScale } from '../transform';
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
      const sorted = Float64Array.from(bin).sort();
      lastUpper = Math.max(lastUpper, conformalQuantile(sorted, quantile));
      lastLower = Math.min(lastLower, conformalQuantile(sorted, 1 - quantile));
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
  const m = sorted.length;
  const rank = p >= 0.5 ? Math.ceil((m + 1) * p) : Math.floor((m + 1) * p);
  return sorted[Math.min(m, Math.max(1, rank)) - 1] as number;
}
