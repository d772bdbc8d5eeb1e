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
 * rolling-window median (Hampel) and, when a season is known, its seasonal expectation (level + profile),
 * unless another such point lies one season before or after it. Requiring both tests is what makes the
 * filter safe: a daily peak is locally steep but seasonally expected, and a real level shift is
 * seasonally surprising but, half a window after it happens, locally normal, so it is learned rather
 * than flagged forever. The recurrence exemption is for jobs: a job every 65 minutes is a burst in every
 * window, and as its period is not a whole number of samples it drifts across the phases of the
 * seasonal profile, whose median at each phase is then the idle level; a burst that comes back a season
 * later is the pattern to learn, not an incident. Flagged points are replaced by the seasonal
 * expectation (or the local median without a season).
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
  // How far each outlying point sits from its local median (0 for the others), signed.
  const excursion = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (isMissing(out[i] as number) || (local.z[i] as number) <= options.threshold) continue;
    if (seasonal !== undefined && (seasonal.z[i] as number) <= options.threshold) continue;
    excursion[i] = (out[i] as number) - (local.median[i] as number);
  }
  const flagged = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (excursion[i] === 0) continue;
    if (seasonal !== undefined && recursWithinSeason(excursion, i, options.period as number)) continue;
    let replacement = seasonal === undefined ? (local.median[i] as number) : (seasonal.expected[i] as number);
    if (isMissing(replacement)) replacement = local.median[i] as number;
    if (options.nonNegative === true) replacement = Math.max(0, replacement);
    out[i] = replacement;
    flagged[i] = 1;
    count++;
  }
  return { values: out, flagged, count };
}

/** Samples of slack in the recurrence test for seasons long enough that a job's start can slip a sample. */
function recurrenceSlack(period: number): number {
  return period >= 8 ? 1 : 0;
}

/**
 * Whether an outlying point one period (within the slack) before or after `i` goes the same way and at
 * least half as far: the same burst again, not ordinary noise that a low threshold also calls outlying.
 */
function recursWithinSeason(excursion: Float64Array, i: number, period: number): boolean {
  const own = excursion[i] as number;
  const slack = recurrenceSlack(period);
  const isEcho = (j: number): boolean => {
    const other = excursion[j] as number;
    return other * own > 0 && Math.abs(other) >= Math.abs(own) / 2;
  };
  for (let d = period - slack; d <= period + slack; d++) {
    if (i - d >= 0 && isEcho(i - d)) return true;
    if (i + d < excursion.length && isEcho(i + d)) return true;
  }
  return false;
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
