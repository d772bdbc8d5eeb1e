import { centredMovingMean, seasonalScores } from '../anomaly/seasonal-residual';
import { MAD_TO_SIGMA, finiteSlice, quantileSorted, isMissing } from '../anomaly/robust-stats';
import type { TrainedModel } from './types';

export type TrendLabel = TrainedModel['trend'];

/** Level change over the window, relative to the typical level, that counts as a trend. */
const TREND_CHANGE = 0.1;
/** Share of the slow level's variance a straight line must explain to call it a trend. */
const TREND_FIT = 0.3;
/** Noise around the slow level, relative to the typical level, above which the series is volatile. */
const VOLATILE_NOISE = 0.5;

/**
 * A label for dashboards and logs. The slow level is the centred moving mean over the season (or over
 * `smoothing` samples without one); "volatile" when the noise around level + seasonal shape is over half
 * the typical level; otherwise increasing / decreasing when a line explains at least 30 % of the slow level's
 * variance and moves it by more than 10 % of the typical level across the window; else stable.
 */
export function trendLabel(
  values: ArrayLike<number>,
  period: number | undefined,
  smoothing = 12,
): TrendLabel {
  const n = values.length;
  if (n < 3) return 'stable';
  const level = centredMovingMean(values, Math.max(3, Math.min(period ?? smoothing, n)));
  // Noise is measured around level + seasonal shape, so a strong daily swing is not mistaken for noise.
  const expected = (period === undefined ? undefined : seasonalScores(values, period)?.expected) ?? level;
  const typical = quantileSorted(finiteSlice(values).map(Math.abs).sort(), 0.5);
  const noise = new Float64Array(n);
  for (let i = 0; i < n; i++) noise[i] = Math.abs((values[i] as number) - (expected[i] as number));
  const spread = MAD_TO_SIGMA * quantileSorted(finiteSlice(noise).sort(), 0.5);
  if (!(typical > 0)) return spread > 0 ? 'volatile' : 'stable';
  if (spread / typical > VOLATILE_NOISE) return 'volatile';

  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const y = level[i] as number;
    if (isMissing(y)) continue;
    sx += i;
    sy += y;
    sxx += i * i;
    sxy += i * y;
    syy += y * y;
    count++;
  }
  const varX = sxx - (sx * sx) / count;
  const varY = syy - (sy * sy) / count;
  const covXY = sxy - (sx * sy) / count;
  if (!(varX > 0) || !(varY > 1e-24 * typical * typical * count)) return 'stable';
  const slope = covXY / varX;
  const explained = (covXY * covXY) / (varX * varY);
  const change = slope * (n - 1);
  if (explained >= TREND_FIT && Math.abs(change) >= TREND_CHANGE * typical) {
    return change > 0 ? 'increasing' : 'decreasing';
  }
  return 'stable';
}
