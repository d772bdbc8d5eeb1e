import { hampelScores } from './hampel';
import { MAD_TO_SIGMA, finiteSlice, quantileSorted, isMissing as isMissingValue } from './robust-stats';
import { seasonalScores } from './seasonal-residual';

/** Bound once: a call through the module binding (a getter under some loaders) costs more in these loops. */
const isMissing = isMissingValue;

/** Lowest and highest `anomalyThreshold` the contract accepts, in robust z units. */
const MIN_ANOMALY_THRESHOLD = 2;
const MAX_ANOMALY_THRESHOLD = 5;

export interface AnomalyFilterOptions {
  /** Robust z-score above which a point is an anomaly (2 to 5). */
  threshold: number;
  /** Seasonal period in samples; omit (or give fewer than two periods of data) for no seasonal test. */
  period?: number;
  /**
   * Half-width of the rolling window of the local test, in samples.
   * @default 6 (13 samples: about an hour at 5-minute resolution)
   */
  halfWidth?: number;
  /** Replacements are clamped at 0 when the series never goes below 0 (rates, queue lengths, CPU). */
  nonNegative?: boolean;
}

export interface AnomalyFilterResult {
  /** The input with flagged points replaced by their expectation; gaps stay NaN. */
  values: Float64Array;
  /** 1 where a point was flagged. */
  flagged: Uint8Array;
  count: number;
}

/**
 * Keeps anomalies out of what the forecasters learn. A point is flagged when it is far from BOTH its
 * rolling-window median (Hampel) and, when a season is known, its seasonal expectation (level + profile).
 * Requiring both is what makes the filter safe: a daily peak is locally steep but seasonally expected,
 * and a real level shift is seasonally surprising but, half a window after it happens, locally normal,
 * so it is learned rather than flagged forever. Flagged points are replaced by the seasonal expectation
 * (or the local median without a season).
 */
export function filterAnomalies(
  values: ArrayLike<number>,
  options: AnomalyFilterOptions,
): AnomalyFilterResult {
  assertThreshold(options.threshold);
  const n = values.length;
  const halfWidth = options.halfWidth ?? 6;
  const local = hampelScores(values, halfWidth, localScaleFloor(values));
  const seasonal = options.period === undefined ? undefined : seasonalScores(values, options.period);
  const out = Float64Array.from(values as ArrayLike<number>);
  const flagged = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (isMissing(out[i] as number) || (local.z[i] as number) <= options.threshold) continue;
    if (seasonal !== undefined && (seasonal.z[i] as number) <= options.threshold) continue;
    let replacement = seasonal === undefined ? (local.median[i] as number) : (seasonal.expected[i] as number);
    if (isMissing(replacement)) replacement = local.median[i] as number;
    if (options.nonNegative === true) replacement = Math.max(0, replacement);
    out[i] = replacement;
    flagged[i] = 1;
    count++;
  }
  return { values: out, flagged, count };
}

/** Throws a RangeError naming the accepted range when `threshold` is outside 2..5. */
export function assertThreshold(threshold: number): void {
  if (!(threshold >= MIN_ANOMALY_THRESHOLD && threshold <= MAX_ANOMALY_THRESHOLD)) {
    throw new RangeError(
      `anomaly threshold must be between ${MIN_ANOMALY_THRESHOLD} and ${MAX_ANOMALY_THRESHOLD} robust z units, got ${threshold}`,
    );
  }
}

/**
 * A floor for the local scale, so windows that happen to be flat (MAD 0) do not turn ordinary noise
 * elsewhere into infinite z-scores: a tenth of the series' typical step-to-step noise.
 */
function localScaleFloor(values: ArrayLike<number>): number {
  const steps = new Float64Array(Math.max(0, values.length - 1));
  let count = 0;
  for (let i = 1; i < values.length; i++) {
    const d = Math.abs((values[i] as number) - (values[i - 1] as number));
    if (!isMissing(d)) steps[count++] = d;
  }
  const typicalStep = (MAD_TO_SIGMA * quantileSorted(steps.subarray(0, count).sort(), 0.5)) / Math.SQRT2;
  const magnitude = quantileSorted(finiteSlice(values).map(Math.abs).sort(), 0.5);
  return Math.max(
    0.1 * (isMissing(typicalStep) ? 0 : typicalStep),
    1e-9 * (isMissing(magnitude) ? 0 : magnitude),
  );
}
