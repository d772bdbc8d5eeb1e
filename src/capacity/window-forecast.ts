import { quantileSorted } from '../anomaly/robust-stats';
import type { ForecastResult } from '../forecast/types';
import type { WindowRange } from './windows';

/** One reported point: the forecast over `[at, at + resolution)`. */
export interface ForecastPoint {
  /** Start of the point's interval, ISO-8601 UTC. */
  at: string;
  /** Average of the point forecast over the interval. */
  mean: number;
  /** Lowest lower bound (the 1 − quantile forecast) in the interval. */
  lower: number;
  /** Highest upper bound (the quantile forecast) in the interval: short peaks stay visible at 6 hours. */
  upper: number;
}

/** The window in a few numbers. */
export interface WindowSummary {
  /** Time-average of the point forecast over the window. */
  mean: number;
  /** Highest point forecast, and when. */
  peak: { value: number; at: string };
  /**
   * The chosen quantile of the forecast (the trigger's `quantile`, 0.9 by default) at the window's busy
   * end: the value the quantile forecast stays under for 99 % of the window. Recommendations start from
   * it. The top 1 % is left out because the highest of thousands of per-point bands is one sample's
   * noise; peaks that recur (an hourly batch job) fill more than 1 % of the window and stay in, and
   * the observed-peak floor of the recommendation covers the rest.
   */
  quantile: { level: number; value: number };
  /** Lowest lower bound in the window. */
  lower: number;
  /** Highest upper bound in the window. */
  upper: number;
}

/** Share of the window's time the `quantile` summary must cover. */
const QUANTILE_TIME_SHARE = 0.99;

/**
 * Cuts a forecast to `range` and reduces it to points at the window's resolution (or the model's step
 * when that is coarser) and a summary. `forecast` must cover the window; points before it are ignored.
 */
export function summariseWindow(
  forecast: ForecastResult,
  range: WindowRange,
  quantile: number,
): { points: ForecastPoint[]; summary: WindowSummary; resolutionMs: number } {
  const resolutionMs = Math.max(range.resolutionMs, forecast.stepMs);
  const buckets = Math.max(1, Math.ceil((range.toMs - range.fromMs) / resolutionMs));
  const sums = new Float64Array(buckets);
  const counts = new Float64Array(buckets);
  const lows = new Float64Array(buckets).fill(Infinity);
  const highs = new Float64Array(buckets).fill(-Infinity);
  const uppers: number[] = [];
  let total = 0;
  let peak = -Infinity;
  let peakAtMs = range.fromMs;
  let lower = Infinity;
  let upper = -Infinity;
  for (let i = 0; i < forecast.mean.length; i++) {
    const atMs = forecast.fromMs + i * forecast.stepMs;
    if (atMs < range.fromMs || atMs >= range.toMs) continue;
    const mean = forecast.mean[i] as number;
    const low = forecast.lower[i] as number;
    const high = forecast.upper[i] as number;
    const b = Math.floor((atMs - range.fromMs) / resolutionMs);
    sums[b] = (sums[b] as number) + mean;
    counts[b] = (counts[b] as number) + 1;
    lows[b] = Math.min(lows[b] as number, low);
    highs[b] = Math.max(highs[b] as number, high);
    uppers.push(high);
    total += mean;
    if (mean > peak) {
      peak = mean;
      peakAtMs = atMs;
    }
    lower = Math.min(lower, low);
    upper = Math.max(upper, high);
  }
  if (uppers.length === 0) {
    throw new RangeError(`the forecast does not cover the window ${range.window}`);
  }
  const points: ForecastPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const count = counts[b] as number;
    if (count === 0) continue;
    points.push({
      at: new Date(range.fromMs + b * resolutionMs).toISOString(),
      mean: tidy((sums[b] as number) / count),
      lower: tidy(lows[b] as number),
      upper: tidy(highs[b] as number),
    });
  }
  uppers.sort((a, b) => a - b);
  return {
    points,
    resolutionMs,
    summary: {
      mean: total / uppers.length,
      peak: { value: peak, at: new Date(peakAtMs).toISOString() },
      quantile: { level: quantile, value: quantileSorted(uppers, QUANTILE_TIME_SHARE, 'nearest-rank') },
      lower,
      upper,
    },
  };
}

/**
 * A number for output: six significant digits (forecasts are not more precise than that, and the JSON
 * stays readable), whole numbers from a million up (bytes stay bytes). Computations use the raw values.
 */
export function tidy(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.abs(value) >= 1e6 ? Math.round(value) : Number(value.toPrecision(6));
}

/** The summary with every number made `tidy`. */
export function tidySummary(summary: WindowSummary): WindowSummary {
  return {
    mean: tidy(summary.mean),
    peak: { value: tidy(summary.peak.value), at: summary.peak.at },
    quantile: { level: summary.quantile.level, value: tidy(summary.quantile.value) },
    lower: tidy(summary.lower),
    upper: tidy(summary.upper),
  };
}
