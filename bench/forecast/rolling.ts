import type { FitSpec, ModelSeries } from '../../src/forecast/forecasters/forecaster';
import { holtWintersForecaster } from '../../src/forecast/forecasters/holt-winters';
import { forecastFrom } from '../../src/forecast';
import { trainModelWithDiagnostics } from '../../src/forecast/train';
import { maseScale, pinballLoss, smapeTerm } from '../../src/forecast/metrics';
import { IDENTITY } from '../../src/forecast/transform';
import type { TrainedModel, TrainingOptions } from '../../src/forecast/types';

/** Methods compared in the rolling evaluation. */
export const BENCH_METHODS = [
  'last-value',
  'seasonal-naive-day',
  'holt-winters-additive',
  'selected',
] as const;
export type BenchMethod = (typeof BENCH_METHODS)[number];

export interface RollingOptions {
  stepMs: number;
  startMs: number;
  /** Leads in samples. */
  leads: number[];
  /** One day in samples: seasonal naive lag and MASE scale lag. */
  day: number;
  /** Retrain every this many samples (the scaler retrains hourly; daily keeps the benchmark short). */
  retrainEvery: number;
  /** Training window in samples (the default `historyWindow` of 14 days). */
  window: number;
  training: TrainingOptions;
  /** Restrict the candidates (experiments); all of them by default. */
  methods?: string[];
  /** Use the selected model even when it did not pass the gate (experiments only). */
  ignoreGate?: boolean;
  /**
   * Called after each retrain with the model and the origins `[start, end)` it serves, so other
   * evaluations (the long horizons) score the same models without training them again.
   */
  onRetrain?: (model: TrainedModel, start: number, end: number) => void;
}

/**
 * Sums for an upper bound at each lead: how many actuals it covered, its pinball loss and its distance
 * above the point forecast (both in the series' units, divided by the MASE scale when summarised).
 */
export interface UpperBoundTotals {
  count: number[];
  covered: number[];
  pinball: number[];
  width: number[];
}

/** Coverage (share of actuals at or below the bound), and pinball loss and width in MASE-scale units. */
export interface UpperBoundScore {
  coverage: number;
  pinball: number;
  width: number;
  samples: number;
}

export function emptyUpperBoundTotals(leadCount: number): UpperBoundTotals {
  const zero = (): number[] => new Array<number>(leadCount).fill(0);
  return { count: zero(), covered: zero(), pinball: zero(), width: zero() };
}

/** Adds one forecast of lead index `i` to `totals`. */
export function addUpperBound(
  totals: UpperBoundTotals,
  i: number,
  actual: number,
  forecast: number,
  upper: number,
  quantile: number,
): void {
  totals.count[i] = (totals.count[i] as number) + 1;
  if (actual <= upper) totals.covered[i] = (totals.covered[i] as number) + 1;
  totals.pinball[i] = (totals.pinball[i] as number) + pinballLoss(actual, upper, quantile);
  totals.width[i] = (totals.width[i] as number) + (upper - forecast);
}

export function summariseUpperBound(totals: UpperBoundTotals, scale: number): UpperBoundScore[] {
  return totals.count.map((count, i) => ({
    coverage: (totals.covered[i] as number) / count,
    pinball: (totals.pinball[i] as number) / count / scale,
    width: (totals.width[i] as number) / count / scale,
    samples: count,
  }));
}

/** Sums of absolute errors and sMAPE terms, per method and lead, and how often the selected model was usable. */
export interface RollingTotals {
  scale: number;
  count: number[];
  absolute: Record<BenchMethod, number[]>;
  smape: Record<BenchMethod, number[]>;
  retrains: number;
  usableRetrains: number;
  selectedMethods: Record<string, number>;
  trainMs: number[];
  /**
   * The model's own `quantile` bound from `forecastFrom`, usable or not: what the scaler would scale to
   * when the model is on, and what it would be judged by when it is off.
   */
  upper: UpperBoundTotals;
  /** The same, only over the retrains whose model was usable. */
  upperWhenUsable: UpperBoundTotals;
  /**
   * Origins whose `forecastFrom` had a non-finite mean or bound at any lead up to the longest (not only
   * at the scored leads: the scaler reads the whole lead window), and the retrains that produced them.
   */
  nonFinite: { origins: number; usableOrigins: number; retrains: number };
}

/**
 * Rolling-origin evaluation over the second half of `values`, as in the data README: every origin t of
 * the second half forecasts t + lead; MASE is scaled by the first half's one-day seasonal naive MAE.
 * The selected model is retrained every `retrainEvery` samples on the trailing `window` and forecasts
 * through `forecastFrom` with the samples since training as `recent`, exactly as the scaler would; when
 * it is not usable, the scaler runs live only, so its forecast is the last value. Its `quantile` bound
 * is scored whether usable or not (`upper`). Holt-Winters (additive, damped, parameters by Nelder-Mead)
 * is refitted on the same schedule and window.
 */
export function rollingEvaluation(values: Float64Array, options: RollingOptions): RollingTotals {
  const n = values.length;
  const half = Math.floor(n / 2);
  const { leads, day } = options;
  const maxLead = Math.max(...leads);
  const zero = (): number[] => leads.map(() => 0);
  const totals: RollingTotals = {
    scale: maseScale(values.subarray(0, half), day),
    count: zero(),
    absolute: {
      'last-value': zero(),
      'seasonal-naive-day': zero(),
      'holt-winters-additive': zero(),
      selected: zero(),
    },
    smape: {
      'last-value': zero(),
      'seasonal-naive-day': zero(),
      'holt-winters-additive': zero(),
      selected: zero(),
    },
    retrains: 0,
    usableRetrains: 0,
    selectedMethods: {},
    trainMs: [],
    upper: emptyUpperBoundTotals(leads.length),
    upperWhenUsable: emptyUpperBoundTotals(leads.length),
    nonFinite: { origins: 0, usableOrigins: 0, retrains: 0 },
  };
  const holtWinters = holtWintersForecaster('additive');
  const hwPredictions = new Float64Array(options.retrainEvery * maxLead);
  const lastOrigin = n - 1 - Math.min(...leads);
  const nonNegative = values.every((v) => !(v < 0));
  for (let start = half; start <= lastOrigin; start += options.retrainEvery) {
    const from = Math.max(0, start - options.window);
    const history = Array.from(values.subarray(from, start));
    const startedAt = performance.now();
    const { model } = trainModelWithDiagnostics(
      { startMs: options.startMs + from * options.stepMs, stepMs: options.stepMs, values: history },
      options.training,
      options.startMs + start * options.stepMs,
      {
        ...(options.methods === undefined ? {} : { methods: options.methods }),
        ignoreGate: options.ignoreGate === true,
      },
    );
    totals.trainMs.push(performance.now() - startedAt);
    totals.retrains++;
    if (model.usable) totals.usableRetrains++;
    const label = model.usable ? model.method : 'live-only';
    totals.selectedMethods[label] = (totals.selectedMethods[label] ?? 0) + 1;

    const end = Math.min(start + options.retrainEvery, lastOrigin + 1);
    options.onRetrain?.(model, start, end);
    const spec: FitSpec = {
      periods: [day],
      periodsMs: [day * options.stepMs],
      maxLead,
      transform: IDENTITY,
      fullLength: start - from,
    };
    const fold: ModelSeries = {
      values: values.subarray(from, start),
      firstBlock: 0,
      blockMs: options.stepMs,
      originMs: options.startMs + from * options.stepMs,
    };
    const hwParams = holtWinters.fit(fold, spec);
    holtWinters.predict(
      hwParams,
      { ...fold, values: values.subarray(from, end) },
      start - from,
      end - from,
      maxLead,
      hwPredictions,
    );

    let retrainHadNonFinite = false;
    for (let t = start; t < end; t++) {
      const recent = {
        startMs: options.startMs + start * options.stepMs,
        stepMs: options.stepMs,
        values: Array.from(values.subarray(start, t + 1)),
      };
      // Computed whether or not the model is usable: its bound is scored either way.
      const own = forecastFrom(model, recent, maxLead);
      const forecast = model.usable || options.ignoreGate === true ? own : undefined;
      if (!allFinite(own.mean) || !allFinite(own.upper)) {
        if (!retrainHadNonFinite) totals.nonFinite.retrains++;
        retrainHadNonFinite = true;
        totals.nonFinite.origins++;
        if (model.usable) totals.nonFinite.usableOrigins++;
      }
      leads.forEach((lead, i) => {
        if (t + lead >= n) return;
        const actual = values[t + lead] as number;
        const hwForecast = hwPredictionAt(hwPredictions, t - start, lead, maxLead, values[t] as number);
        const candidates: Record<BenchMethod, number> = {
          'last-value': values[t] as number,
          'seasonal-naive-day': values[t + lead - day] as number,
          // Clamped at 0 like every forecast the scaler makes for a non-negative signal.
          'holt-winters-additive': nonNegative ? Math.max(0, hwForecast) : hwForecast,
          selected: forecast === undefined ? (values[t] as number) : (forecast.mean[lead - 1] as number),
        };
        totals.count[i] = (totals.count[i] as number) + 1;
        const ownMean = own.mean[lead - 1] as number;
        const ownUpper = own.upper[lead - 1] as number;
        addUpperBound(totals.upper, i, actual, ownMean, ownUpper, model.quantile);
        if (model.usable) addUpperBound(totals.upperWhenUsable, i, actual, ownMean, ownUpper, model.quantile);
        for (const method of BENCH_METHODS) {
          const f = candidates[method];
          (totals.absolute[method] as number[])[i] =
            ((totals.absolute[method] as number[])[i] as number) + Math.abs(f - actual);
          (totals.smape[method] as number[])[i] =
            ((totals.smape[method] as number[])[i] as number) + smapeTerm(f, actual);
        }
      });
    }
  }
  return totals;
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) return false;
  return true;
}

function hwPredictionAt(
  predictions: Float64Array,
  row: number,
  lead: number,
  maxLead: number,
  fallback: number,
): number {
  const v = predictions[row * maxLead + lead - 1] as number;
  return Number.isFinite(v) ? v : fallback;
}

/** MASE and sMAPE per method and lead from the totals. */
export function summarise(
  totals: RollingTotals,
  leads: number[],
): Record<BenchMethod, Array<{ mase: number; smape: number }>> {
  const out = {} as Record<BenchMethod, Array<{ mase: number; smape: number }>>;
  for (const method of BENCH_METHODS) {
    out[method] = leads.map((_, i) => {
      const count = totals.count[i] as number;
      return {
        mase: (totals.absolute[method][i] as number) / count / totals.scale,
        smape: (totals.smape[method][i] as number) / count,
      };
    });
  }
  return out;
}
