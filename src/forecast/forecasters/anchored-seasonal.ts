import { ridgeLeastAbsolute } from '../least-squares';
import type { Transform } from '../transform';
import { fromModelScale, toModelScale } from '../transform';
import type { FitSpec, Forecaster, ModelSeries } from './forecaster';
import { timeOf } from './forecaster';
import type { FourierProfile } from './fourier-regression';
import { evaluateProfile, fitFourierProfile, fourierTermsFor, profileColumns } from './fourier-regression';

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
const FITTED_LEADS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72, 96, 144, 192, 288];
const SMOOTHING_WINDOWS = [3, 12, 48];
/** Rows per lead regression: neighbouring origins are nearly duplicates, so more adds time, not information. */
const MAX_TRAINING_ROWS = 2000;
const IRLS_ITERATIONS = 8;
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
  const view = new ModelScaleView(params, series);
  const featureCount = countFeatures(params);
  const firstOrigin = Math.max(Math.max(...smoothingWindows) - 1, ...lagPeriods, 0);
  const origins: number[] = [];
  for (let o = firstOrigin; o < n - 1; o++) if (!Number.isNaN(z[o] as number)) origins.push(o);

  const leads = FITTED_LEADS.filter((h) => h < spec.maxLead);
  leads.push(spec.maxLead);
  const features = new Float64Array(featureCount);
  for (const lead of leads) {
    const usable = origins.filter((o) => o + lead < n && !Number.isNaN(z[o + lead] as number));
    const stride = Math.max(1, Math.floor(usable.length / MAX_TRAINING_ROWS));
    const rows = Math.floor((usable.length + stride - 1) / stride);
    if (rows < 4 * featureCount) {
      // Too little to learn from: all weights 0, i.e. last value.
      params.leads.push(lead);
      params.coefficients.push(new Array<number>(featureCount).fill(0));
      continue;
    }
    const x = new Float64Array(rows * featureCount);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = usable[r * stride] as number;
      view.features(o, lead, features);
      x.set(features, r * featureCount);
      y[r] = (z[o + lead] as number) - (z[o] as number);
    }
    const scale = standardise(x, featureCount);
    const penalty = new Float64Array(featureCount).fill(RIDGE * rows);
    const beta = ridgeLeastAbsolute(x, y, featureCount, penalty, IRLS_ITERATIONS);
    params.leads.push(lead);
    params.coefficients.push(
      Array.from(beta, (b, c) => ((scale[c] as number) > 0 ? b / (scale[c] as number) : 0)),
    );
  }
  return params;
}

function predictAnchoredSeasonal(
  params: AnchoredSeasonalParams,
  series: ModelSeries,
  from: number,
  to: number,
  maxLead: number,
  out: Float64Array,
): void {
  const view = new ModelScaleView(params, series);
  const featureCount = countFeatures(params);
  const features = new Float64Array(featureCount);
  let anchor = -1;
  for (let i = from; i >= 0; i--) {
    if (view.isObserved(i)) {
      anchor = i;
      break;
    }
  }
  for (let origin = from; origin < to; origin++) {
    if (view.isObserved(origin)) anchor = origin;
    const row = (origin - from) * maxLead;
    if (anchor < 0) {
      out.fill(NaN, row, row + maxLead);
      continue;
    }
    const base = view.at(anchor);
    for (let lead = 1; lead <= maxLead; lead++) {
      const effectiveLead = lead + origin - anchor;
      view.features(anchor, effectiveLead, features);
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
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const s = scale[c] as number;
      x[r * columns + c] = s > 0 ? (x[r * columns + c] as number) / s : 0;
    }
  }
  return scale;
}

/**
 * The series in the model scale with its seasonal profile, computed lazily: a forecast touches a few
 * dozen blocks of a week-long memory, so transforming all of it would cost more than the forecast.
 */
class ModelScaleView {
  private readonly z: Float64Array;
  private readonly zDone: Uint8Array;
  private readonly s = new Map<number, number>();
  private readonly scratch: Float64Array;

  constructor(
    private readonly params: AnchoredSeasonalParams,
    private readonly series: ModelSeries,
  ) {
    this.z = new Float64Array(series.values.length);
    this.zDone = new Uint8Array(series.values.length);
    this.scratch = new Float64Array(profileColumns(params.profile));
  }

  isObserved(i: number): boolean {
    return i >= 0 && i < this.series.values.length && !Number.isNaN(this.series.values[i] as number);
  }

  at(i: number): number {
    if (i < 0 || i >= this.z.length) return NaN;
    if (this.zDone[i] === 0) {
      this.z[i] = toModelScale(this.params.transform, this.series.values[i] as number);
      this.zDone[i] = 1;
    }
    return this.z[i] as number;
  }

  seasonal(i: number): number {
    let v = this.s.get(i);
    if (v === undefined) {
      v = evaluateProfile(this.params.profile, timeOf(this.series, i), this.scratch);
      this.s.set(i, v);
    }
    return v;
  }

  /** Features of origin `o` (observed) for `lead`, in the order of the weights. */
  features(o: number, lead: number, out: Float64Array): void {
    const anchor = this.at(o);
    let c = 0;
    const seasonalNow = this.seasonal(o);
    if (this.params.profile.terms.periodsMs.length > 0) out[c++] = this.seasonal(o + lead) - seasonalNow;
    out[c++] = anchor - seasonalNow;
    for (const window of this.params.smoothingWindows) {
      let sum = 0;
      let count = 0;
      for (let i = Math.max(0, o - window + 1); i <= o; i++) {
        const v = this.at(i);
        if (!Number.isNaN(v)) {
          sum += v;
          count++;
        }
      }
      out[c++] = count === 0 ? 0 : sum / count - anchor;
    }
    for (const period of this.params.lagPeriods) {
      let change = 0;
      if (lead <= period) {
        const then = this.at(o - period);
        const later = this.at(o + lead - period);
        if (!Number.isNaN(then) && !Number.isNaN(later)) change = later - then;
      }
      out[c++] = change;
    }
  }
}
