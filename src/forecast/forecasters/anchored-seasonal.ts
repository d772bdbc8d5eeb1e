import { isMissing as isMissingValue } from '../../anomaly/robust-stats';
import { ridgeLeastAbsolute } from '../least-squares';
import type { Transform } from '../transform';
import { fromModelScale, toModelScale } from '../transform';
import type { FitSpec, Forecaster, ModelSeries } from './forecaster';
import { timeOf } from './forecaster';
import type { FourierProfile } from './fourier-regression';
import { evaluateProfile, fitFourierProfile, fourierTermsFor, profileColumns } from './fourier-regression';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const isMissing = isMissingValue;

/**
 * Parameters of the anchored seasonal model. `coefficients[i]` are the feature weights (raw units) for
 * lead `leads[i]`; leads in between use linearly interpolated weights.
 */
export interface AnchoredSeasonalParams {
  transform: Transform;
  /** The smooth seasonal profile S(t) in the model scale (a constant level when there is no season). */
  profile: FourierProfile;
  /** Periods (blocks) whose "same time last cycle" change is a feature. */
  lagPeriods: number[];
  /** Trailing windows (blocks) whose mean, relative to the anchor, is a feature. */
  smoothingWindows: number[];
  leads: number[];
  coefficients: number[][];
}

/** Leads fitted directly; others interpolate their weights (they change smoothly with the lead). */
const FITTED_LEADS = [1, 4, 16, 64, 256];
const SMOOTHING_WINDOWS = [3, 12, 48];
/** Rows per lead regression: neighbouring origins are nearly duplicates, so more adds time, not information. */
const MAX_TRAINING_ROWS = 1200;
const IRLS_ITERATIONS = 5;
/** Ridge strength on standardised features, relative to the row count: pulls weak weights to "no change". */
const RIDGE = 1e-3;

/**
 * "Last value + learned change": the forecast for lead h is the newest observation (in the model scale,
 * log for non-negative load) plus a change predicted by a per-lead regression on
 *   - the smooth seasonal change S(t+h) − S(t) (Fourier profile),
 *   - how far the anchor sits from the seasonal profile, z(t) − S(t) (mean reversion),
 *   - trailing means relative to the anchor (how much of the last value is noise),
 *   - last cycle's change over the same interval, z(t+h−P) − z(t−P) (sharp daily/weekly features the
 *     smooth profile cannot draw).
 * Direct per-lead weights (no recursion) fitted by least absolute deviations: each lead learns how much
 * to trust the last value, so short leads stay close to it and long leads lean on the season. Every
 * weight at 0 is exactly the last-value forecast, which is what the ridge shrinks towards.
 */
export const anchoredSeasonalForecaster: Forecaster<AnchoredSeasonalParams> = {
  name: 'anchored-seasonal',
  intervalScale: 'transform',
  fit: fitAnchoredSeasonal,
  predict: predictAnchoredSeasonal,
};

function fitAnchoredSeasonal(series: ModelSeries, spec: FitSpec): AnchoredSeasonalParams {
  const n = series.values.length;
  const transform = spec.transform;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = toModelScale(transform, series.values[i] as number);
  const profile = fitFourierProfile(z, series, fourierTermsFor(spec, series.blockMs), false);
  const smoothingWindows = SMOOTHING_WINDOWS.filter((w) => w <= Math.max(3, Math.floor(n / 4)));
  const lagPeriods = spec.periods.filter((p) => p <= 0.55 * spec.fullLength);
  const params: AnchoredSeasonalParams = {
    transform,
    profile,
    lagPeriods,
    smoothingWindows,
    leads: [],
    coefficients: [],
  };
  const inputs = new EagerInputs(params, series, 0, n, 0);
  const featureCount = countFeatures(params);
  const firstOrigin = Math.max(Math.max(...smoothingWindows) - 1, ...lagPeriods, 0);
  const origins: number[] = [];
  for (let o = firstOrigin; o < n - 1; o++) if (!isMissing(z[o] as number)) origins.push(o);

  const features = new Float64Array(featureCount);
  for (const lead of fittedLeads(spec)) {
    const usable = origins.filter((o) => o + lead < n && !isMissing(z[o + lead] as number));
    const stride = Math.max(1, Math.floor(usable.length / MAX_TRAINING_ROWS));
    const rows = Math.floor((usable.length + stride - 1) / stride);
    params.leads.push(lead);
    if (rows < 4 * featureCount) {
      // Too little to learn from: all weights 0, i.e. last value.
      params.coefficients.push(new Array<number>(featureCount).fill(0));
      continue;
    }
    const x = new Float64Array(rows * featureCount);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = usable[r * stride] as number;
      writeFeatures(params, inputs, o, lead, features);
      x.set(features, r * featureCount);
      y[r] = (z[o + lead] as number) - (z[o] as number);
    }
    const scale = standardise(x, featureCount);
    const penalty = new Float64Array(featureCount).fill(RIDGE * rows);
    const beta = ridgeLeastAbsolute(x, y, featureCount, penalty, IRLS_ITERATIONS);
    params.coefficients.push(
      Array.from(beta, (b, c) => ((scale[c] as number) > 0 ? b / (scale[c] as number) : 0)),
    );
  }
  return params;
}

/** Leads fitted directly: powers of four, the scoring leads and the longest; others interpolate. */
function fittedLeads(spec: FitSpec): number[] {
  const leads = new Set<number>([spec.maxLead, ...(spec.keyLeads ?? []).filter((l) => l <= spec.maxLead)]);
  for (const lead of FITTED_LEADS) if (lead < spec.maxLead) leads.add(lead);
  return [...leads].sort((a, b) => a - b);
}

function predictAnchoredSeasonal(
  params: AnchoredSeasonalParams,
  series: ModelSeries,
  from: number,
  to: number,
  maxLead: number,
  out: Float64Array,
): void {
  let anchor = -1;
  for (let i = from; i >= 0; i--) {
    if (!isMissing(series.values[i] as number)) {
      anchor = i;
      break;
    }
  }
  // Many origins (a backtest): transform the range once. One origin (a live forecast): only what it touches.
  const inputs: FeatureInputs =
    to - from > 8
      ? new EagerInputs(
          params,
          series,
          Math.max(0, Math.min(anchor, from) - inputsReach(params)),
          to,
          maxLead + to - anchor,
        )
      : new LazyInputs(params, series);
  const featureCount = countFeatures(params);
  const features = new Float64Array(featureCount);
  for (let origin = from; origin < to; origin++) {
    if (!isMissing(series.values[origin] as number)) anchor = origin;
    const row = (origin - from) * maxLead;
    if (anchor < 0) {
      out.fill(NaN, row, row + maxLead);
      continue;
    }
    const base = inputs.z(anchor);
    for (let lead = 1; lead <= maxLead; lead++) {
      const effectiveLead = lead + origin - anchor;
      writeFeatures(params, inputs, anchor, effectiveLead, features);
      const weights = weightsFor(params, effectiveLead);
      let change = 0;
      for (let c = 0; c < featureCount; c++) change += (weights[c] as number) * (features[c] as number);
      out[row + lead - 1] = fromModelScale(params.transform, base + change);
    }
  }
}

function countFeatures(params: AnchoredSeasonalParams): number {
  const seasonal = params.profile.terms.periodsMs.length > 0 ? 1 : 0;
  return seasonal + 1 + params.smoothingWindows.length + params.lagPeriods.length;
}

/** How far back of an origin its features read. */
function inputsReach(params: AnchoredSeasonalParams): number {
  return Math.max(0, ...params.smoothingWindows, ...params.lagPeriods);
}

/** Weights for `lead`: the fitted ones, interpolated between fitted leads, held beyond the last. */
function weightsFor(params: AnchoredSeasonalParams, lead: number): number[] {
  const leads = params.leads;
  let upper = 0;
  while (upper < leads.length - 1 && (leads[upper] as number) < lead) upper++;
  const high = params.coefficients[upper] as number[];
  const highLead = leads[upper] as number;
  if (upper === 0 || highLead <= lead) return high;
  const lowLead = leads[upper - 1] as number;
  const low = params.coefficients[upper - 1] as number[];
  const t = (lead - lowLead) / (highLead - lowLead);
  return low.map((w, c) => w + t * ((high[c] as number) - w));
}

/** A column whose root mean square is below this share of the largest column's carries no signal. */
const NEGLIGIBLE_SCALE = 1e-8;

/** Divides each column by its root mean square, so one ridge strength suits all; returns the scales. */
function standardise(x: Float64Array, columns: number): Float64Array {
  const rows = x.length / columns;
  const scale = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const v = x[r * columns + c] as number;
      scale[c] = (scale[c] as number) + v * v;
    }
  }
  for (let c = 0; c < columns; c++) scale[c] = Math.sqrt((scale[c] as number) / Math.max(1, rows));
  // A column that is only rounding (a seasonal change of a season that fits the lead exactly) would be
  // scaled up to noise of unit size and get a weight of 1e10 or more, which meets a value of ordinary
  // size at forecast time: such a column is dropped.
  const largest = Math.max(...scale);
  for (let c = 0; c < columns; c++) if ((scale[c] as number) < NEGLIGIBLE_SCALE * largest) scale[c] = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const s = scale[c] as number;
      x[r * columns + c] = s > 0 ? (x[r * columns + c] as number) / s : 0;
    }
  }
  return scale;
}

/** The series in the model scale, its seasonal profile and its trailing means, by block index. */
interface FeatureInputs {
  z(i: number): number;
  seasonal(i: number): number;
  /** Mean of the observed values of the `window` blocks ending at `end`, NaN when none is observed. */
  trailingMean(end: number, window: number): number;
}

/** Features of origin `o` (observed) for `lead`, in the order of the weights. */
function writeFeatures(
  params: AnchoredSeasonalParams,
  inputs: FeatureInputs,
  o: number,
  lead: number,
  out: Float64Array,
): void {
  const anchor = inputs.z(o);
  const seasonalNow = inputs.seasonal(o);
  let c = 0;
  if (params.profile.terms.periodsMs.length > 0) out[c++] = inputs.seasonal(o + lead) - seasonalNow;
  out[c++] = anchor - seasonalNow;
  for (const window of params.smoothingWindows) {
    const mean = inputs.trailingMean(o, window);
    out[c++] = isMissing(mean) ? 0 : mean - anchor;
  }
  for (const period of params.lagPeriods) {
    let change = 0;
    if (lead <= period) {
      const then = inputs.z(o - period);
      const later = inputs.z(o + lead - period);
      if (!isMissing(then) && !isMissing(later)) change = later - then;
    }
    out[c++] = change;
  }
}

/** Everything precomputed over `[from, to)` (seasonal profile to `to + ahead`): for fits and backtests. */
class EagerInputs implements FeatureInputs {
  private readonly values: Float64Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly profile: Float64Array;

  constructor(
    params: AnchoredSeasonalParams,
    series: ModelSeries,
    private readonly from: number,
    to: number,
    ahead: number,
  ) {
    const length = to - from;
    this.values = new Float64Array(length);
    this.sums = new Float64Array(length + 1);
    this.counts = new Float64Array(length + 1);
    for (let i = 0; i < length; i++) {
      const v = toModelScale(params.transform, series.values[from + i] as number);
      this.values[i] = v;
      const observed = !isMissing(v);
      this.sums[i + 1] = (this.sums[i] as number) + (observed ? v : 0);
      this.counts[i + 1] = (this.counts[i] as number) + (observed ? 1 : 0);
    }
    this.profile = new Float64Array(length + Math.max(0, ahead));
    const scratch = new Float64Array(profileColumns(params.profile));
    for (let i = 0; i < this.profile.length; i++) {
      this.profile[i] = evaluateProfile(params.profile, timeOf(series, from + i), scratch);
    }
  }

  z(i: number): number {
    const k = i - this.from;
    return k >= 0 && k < this.values.length ? (this.values[k] as number) : NaN;
  }

  seasonal(i: number): number {
    return this.profile[i - this.from] as number;
  }

  trailingMean(end: number, window: number): number {
    const hi = end - this.from + 1;
    const lo = Math.max(0, hi - window);
    const count = (this.counts[hi] as number) - (this.counts[lo] as number);
    return count === 0 ? NaN : ((this.sums[hi] as number) - (this.sums[lo] as number)) / count;
  }
}

/**
 * Computed on demand: a live forecast touches a few dozen blocks of a week-long memory, so transforming
 * all of it would cost more than the forecast itself.
 */
class LazyInputs implements FeatureInputs {
  // Every lead of one forecast reads the same anchor, trailing means and profile values: compute each once.
  private readonly profileCache = new Map<number, number>();
  private readonly zCache = new Map<number, number>();
  private readonly meanCache = new Map<number, number>();
  private readonly scratch: Float64Array;

  constructor(
    private readonly params: AnchoredSeasonalParams,
    private readonly series: ModelSeries,
  ) {
    this.scratch = new Float64Array(profileColumns(params.profile));
  }

  z(i: number): number {
    if (i < 0 || i >= this.series.values.length) return NaN;
    let v = this.zCache.get(i);
    if (v === undefined) {
      v = toModelScale(this.params.transform, this.series.values[i] as number);
      this.zCache.set(i, v);
    }
    return v;
  }

  seasonal(i: number): number {
    let v = this.profileCache.get(i);
    if (v === undefined) {
      v = evaluateProfile(this.params.profile, timeOf(this.series, i), this.scratch);
      this.profileCache.set(i, v);
    }
    return v;
  }

  trailingMean(end: number, window: number): number {
    const key = end * 4096 + window;
    const cached = this.meanCache.get(key);
    if (cached !== undefined) return cached;
    let sum = 0;
    let count = 0;
    for (let i = Math.max(0, end - window + 1); i <= end; i++) {
      const v = this.z(i);
      if (!isMissing(v)) {
        sum += v;
        count++;
      }
    }
    const mean = count === 0 ? NaN : sum / count;
    this.meanCache.set(key, mean);
    return mean;
  }
}
