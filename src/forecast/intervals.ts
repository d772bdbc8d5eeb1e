import { finiteMean, quantileSorted, isMissing as isMissingValue } from '../anomaly/robust-stats';
import type { Transform } from './transform';
import { fromModelScale, toModelScale } from './transform';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const isMissing = isMissingValue;

/**
 * Empirical prediction intervals: per lead, the (1 − q) and q quantiles of out-of-sample residuals
 * (actual − forecast) from the backtest, in the scale where the method's errors are comparable across
 * levels (the log scale for log models, so a busy hour gets a proportionally wider band).
 */
export interface ResidualQuantiles {
  scale: 'identity' | 'transform';
  /** Per lead 1..n: residual quantile added to the forecast for the lower bound. */
  lower: number[];
  /** Per lead 1..n: residual quantile added to the forecast for the upper (the `quantile`) bound. */
  upper: number[];
  /**
   * When a block averages several input samples: the same quantiles of the samples around their block
   * mean. Forecasts are per sample, so this spread is added to the block's (in quadrature, as for
   * independent errors).
   */
  withinBlock?: { lower: number; upper: number };
}

/**
 * Residuals per lead, `residuals[lead − 1]`, from predictions laid out `[origin × maxLead + lead − 1]`
 * for origins `firstOrigin + i` against `actuals` (indexed like the series). Skips gaps. With
 * `options.leads`, other leads get no residuals (and borrow a neighbour's band).
 */
export function residualsByLead(
  predictions: Float64Array,
  actuals: ArrayLike<number>,
  firstOrigin: number,
  maxLead: number,
  scale: (v: number) => number,
  options: { originFilter?: (origin: number) => boolean; leads?: number[] } = {},
): Float64Array[] {
  const origins = predictions.length / maxLead;
  const out: Float64Array[] = [];
  const { originFilter, leads } = options;
  for (let lead = 1; lead <= maxLead; lead++) {
    if (leads !== undefined && !leads.includes(lead)) {
      out.push(new Float64Array(0));
      continue;
    }
    const buffer = new Float64Array(origins);
    let count = 0;
    for (let i = 0; i < origins; i++) {
      const origin = firstOrigin + i;
      if (origin + lead >= actuals.length || (originFilter && !originFilter(origin))) continue;
      const actual = actuals[origin + lead] as number;
      const forecast = predictions[i * maxLead + lead - 1] as number;
      if (isMissing(actual) || isMissing(forecast)) continue;
      buffer[count++] = scale(actual) - scale(forecast);
    }
    out.push(buffer.subarray(0, count));
  }
  return out;
}

/** Lower and upper residual quantiles per lead for an upper quantile `q` (lower = 1 − q). */
export function quantilesByLead(
  residuals: Float64Array[],
  q: number,
  scale: ResidualQuantiles['scale'],
): ResidualQuantiles {
  const lower: number[] = [];
  const upper: number[] = [];
  let lastLower = 0;
  let lastUpper = 0;
  for (const r of residuals) {
    if (r.length > 0) {
      const sorted = Float64Array.from(r).sort();
      lastLower = quantileSorted(sorted, 1 - q);
      lastUpper = quantileSorted(sorted, q);
    }
    // A lead with no residuals borrows the previous lead's band.
    lower.push(lastLower);
    upper.push(lastUpper);
  }
  return { scale, lower, upper };
}

/** The bounds of a point forecast `forecast` at `lead` (1-based). */
export function intervalAt(
  quantiles: ResidualQuantiles,
  transform: Transform,
  forecast: number,
  lead: number,
): { lower: number; upper: number } {
  const index = Math.min(lead, quantiles.lower.length) - 1;
  let lowResidual = index >= 0 ? (quantiles.lower[index] as number) : 0;
  let highResidual = index >= 0 ? (quantiles.upper[index] as number) : 0;
  if (quantiles.withinBlock !== undefined) {
    lowResidual = -Math.hypot(Math.min(0, lowResidual), quantiles.withinBlock.lower);
    highResidual = Math.hypot(Math.max(0, highResidual), quantiles.withinBlock.upper);
  }
  if (quantiles.scale === 'transform') {
    const centre = toModelScale(transform, forecast);
    return {
      lower: fromModelScale(transform, centre + lowResidual),
      upper: fromModelScale(transform, centre + highResidual),
    };
  }
  return { lower: forecast + lowResidual, upper: forecast + highResidual };
}

/** Newest blocks whose samples measure the within-block spread: three days of 5-minute blocks. */
const SPREAD_BLOCKS = 864;

/**
 * Quantiles of input samples around the mean of their block, in the interval scale: the noise a
 * per-sample forecast carries on top of the block forecast's error. Measured on the newest blocks only
 * (noise changes slowly, and sorting a fortnight of 1-minute samples would cost more than it tells).
 * Undefined when blocks are samples.
 */
export function withinBlockSpread(
  samples: ArrayLike<number>,
  aggregation: number,
  q: number,
  scale: (v: number) => number,
): { lower: number; upper: number } | undefined {
  if (aggregation <= 1) return undefined;
  const blocks = Math.min(SPREAD_BLOCKS, Math.floor(samples.length / aggregation));
  const skipped = samples.length - blocks * aggregation;
  const deviations = new Float64Array(blocks * aggregation);
  let count = 0;
  for (let b = 0; b < blocks; b++) {
    const from = skipped + b * aggregation;
    const mean = finiteMean(samples, from, from + aggregation, 2);
    if (isMissing(mean)) continue;
    const centre = scale(mean);
    for (let i = from; i < from + aggregation; i++) {
      const v = samples[i] as number;
      if (!isMissing(v)) deviations[count++] = scale(v) - centre;
    }
  }
  if (count === 0) return undefined;
  const sorted = deviations.subarray(0, count).sort();
  return { lower: Math.abs(quantileSorted(sorted, 1 - q)), upper: Math.abs(quantileSorted(sorted, q)) };
}
