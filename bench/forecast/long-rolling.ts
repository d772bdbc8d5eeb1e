import { maseScale, smapeTerm } from '../../src/forecast/metrics';
import { forecastAhead } from '../../src/forecast/predict';
import type { TrainedModel } from '../../src/forecast/types';
import type { UpperBoundScore, UpperBoundTotals } from './rolling';
import { addUpperBound, emptyUpperBoundTotals, summariseUpperBound } from './rolling';

/** Methods compared at the long leads. */
export const LONG_METHODS = ['last-value', 'seasonal-naive-day', 'seasonal-naive-week', 'model'] as const;
export type LongMethod = (typeof LONG_METHODS)[number];

/**
 * Leads `from` to `to` (samples, inclusive) scored together: one lead when they are equal, otherwise a
 * window of leads, as a capacity window reads the forecast. An origin scores a window only when all of
 * it is observed.
 */
export interface LongHorizon {
  label: string;
  from: number;
  to: number;
}

export interface LongRollingOptions {
  stepMs: number;
  startMs: number;
  horizons: LongHorizon[];
  /** One day in samples: seasonal naive lag and MASE scale lag. */
  day: number;
  /** One week in samples. */
  week: number;
  /**
   * Score every this many samples of origin: forecasts from neighbouring origins days ahead are nearly
   * the same forecast, so a sparser grid costs little accuracy and much less time.
   */
  originEvery: number;
  /**
   * Also score the bound separately for actuals before and from this instant: a trace whose regime
   * changes (a tournament's final) shows where its coverage comes from.
   */
  splitAtMs?: number;
}

export interface LongRollingTotals {
  scale: number;
  count: number[];
  absolute: Record<LongMethod, number[]>;
  smape: Record<LongMethod, number[]>;
  /** The model's own `quantile` bound from `forecastAhead`. */
  upper: UpperBoundTotals;
  /** The bound over actuals before and from `splitAtMs`, when it is set. */
  upperSplit?: { before: UpperBoundTotals; after: UpperBoundTotals };
  retrains: number;
  /** How often the long band shipped each method (`model.longHorizon.method`). */
  longMethods: Record<string, number>;
  /**
   * The coverage each model's own long-band backtest reported at each lead (summed, with how many models
   * reported one): what training expected, to set against what the rolling origin measured.
   */
  reportedCoverage: { sum: number[]; models: number[] };
  /**
   * Leads at which the model's mean or bound was not finite: left out for every method, so all are
   * scored on the same points, and counted here instead.
   */
  nonFinite: number[];
}

/**
 * Long-band methods counted by kind (a combination whatever its members, or the single method) and by
 * how often each profile method was a member of a shipped combination, since a combination's name lists
 * its members in rank order and so rarely repeats exactly.
 */
export function groupLongMethods(counts: Record<string, number>): {
  kinds: Record<string, number>;
  members: Record<string, number>;
} {
  const kinds: Record<string, number> = {};
  const members: Record<string, number> = {};
  for (const [method, count] of Object.entries(counts)) {
    const combination = /^combination\((.*)\)$/.exec(method);
    const kind = combination === null ? method : 'combination';
    kinds[kind] = (kinds[kind] ?? 0) + count;
    if (combination === null) continue;
    for (const member of (combination[1] as string).split('+'))
      members[member] = (members[member] ?? 0) + count;
  }
  return { kinds, members };
}

export interface LongScore {
  mase: number;
  smape: number;
}

/**
 * The seasonal naive forecast's source for `origin + lead`: the same phase `k` periods earlier, for the
 * smallest `k` that lands at or before the origin (a lead of exactly one period reads the origin itself).
 */
export function seasonalNaiveSource(origin: number, lead: number, period: number): number {
  return origin + lead - Math.ceil(lead / period) * period;
}

/**
 * Long-lead rolling origin over the second half of `values`, fed the models of the short rolling
 * evaluation (`RollingOptions.onRetrain`): each origin on the `originEvery` grid forecasts through
 * `forecastAhead` with the samples since training as `recent`, as the capacity windows do, whether the
 * model is usable for scaling or not (beyond the scaling leads the long band answers either way). MASE
 * is scaled by the first half's one-day seasonal naive MAE, like the short leads.
 */
export class LongRollingEvaluation {
  readonly totals: LongRollingTotals;
  private readonly half: number;
  private readonly maxLead: number;

  constructor(
    private readonly values: Float64Array,
    private readonly options: LongRollingOptions,
  ) {
    this.half = Math.floor(values.length / 2);
    this.maxLead = Math.max(...options.horizons.map((h) => h.to));
    const zero = (): number[] => options.horizons.map(() => 0);
    const perMethod = (): Record<LongMethod, number[]> => ({
      'last-value': zero(),
      'seasonal-naive-day': zero(),
      'seasonal-naive-week': zero(),
      model: zero(),
    });
    this.totals = {
      scale: maseScale(values.subarray(0, this.half), options.day),
      count: zero(),
      absolute: perMethod(),
      smape: perMethod(),
      upper: emptyUpperBoundTotals(options.horizons.length),
      ...(options.splitAtMs === undefined
        ? {}
        : {
            upperSplit: {
              before: emptyUpperBoundTotals(options.horizons.length),
              after: emptyUpperBoundTotals(options.horizons.length),
            },
          }),
      retrains: 0,
      longMethods: {},
      reportedCoverage: { sum: zero(), models: zero() },
      nonFinite: zero(),
    };
  }

  /** Scores `model`, trained on the samples before `start`, from its origins in `[start, end)`. */
  observe(model: TrainedModel, start: number, end: number): void {
    const { values, options, totals } = this;
    const n = values.length;
    totals.retrains++;
    const method = model.longHorizon.method;
    totals.longMethods[method] = (totals.longMethods[method] ?? 0) + 1;
    options.horizons.forEach((horizon, i) => {
      if (horizon.from !== horizon.to) return;
      const reported = model.longHorizon.scores.find((s) => s.leadMs === horizon.to * options.stepMs);
      if (reported === undefined || !Number.isFinite(reported.coverage)) return;
      totals.reportedCoverage.sum[i] = (totals.reportedCoverage.sum[i] as number) + reported.coverage;
      totals.reportedCoverage.models[i] = (totals.reportedCoverage.models[i] as number) + 1;
    });

    const offset = (start - this.half) % options.originEvery;
    const first = offset === 0 ? start : start + options.originEvery - offset;
    const shortest = Math.min(...options.horizons.map((h) => h.to));
    for (let t = first; t < end; t += options.originEvery) {
      const steps = Math.min(this.maxLead, n - 1 - t);
      if (steps < shortest) break;
      const recent = {
        startMs: options.startMs + start * options.stepMs,
        stepMs: options.stepMs,
        values: Array.from(values.subarray(start, t + 1)),
      };
      const forecast = forecastAhead(model, recent, steps);
      options.horizons.forEach((horizon, i) => {
        if (horizon.to > steps) return;
        for (let lead = horizon.from; lead <= horizon.to; lead++) {
          const actual = values[t + lead] as number;
          const point = forecast.mean[lead - 1] as number;
          const upper = forecast.upper[lead - 1] as number;
          if (!Number.isFinite(point) || !Number.isFinite(upper)) {
            totals.nonFinite[i] = (totals.nonFinite[i] as number) + 1;
            continue;
          }
          const candidates: Record<LongMethod, number> = {
            'last-value': values[t] as number,
            'seasonal-naive-day': values[seasonalNaiveSource(t, lead, options.day)] as number,
            'seasonal-naive-week': values[seasonalNaiveSource(t, lead, options.week)] as number,
            model: point,
          };
          totals.count[i] = (totals.count[i] as number) + 1;
          for (const m of LONG_METHODS) {
            const f = candidates[m];
            (totals.absolute[m] as number[])[i] =
              ((totals.absolute[m] as number[])[i] as number) + Math.abs(f - actual);
            (totals.smape[m] as number[])[i] =
              ((totals.smape[m] as number[])[i] as number) + smapeTerm(f, actual);
          }
          addUpperBound(totals.upper, i, actual, point, upper, model.quantile);
          if (totals.upperSplit !== undefined) {
            const atMs = options.startMs + (t + lead) * options.stepMs;
            const side = atMs < (options.splitAtMs as number) ? 'before' : 'after';
            addUpperBound(totals.upperSplit[side], i, actual, point, upper, model.quantile);
          }
        }
      });
    }
  }
}

/** MASE and sMAPE per method and horizon. */
export function summariseLong(totals: LongRollingTotals): Record<LongMethod, LongScore[]> {
  const out = {} as Record<LongMethod, LongScore[]>;
  for (const method of LONG_METHODS) {
    out[method] = totals.count.map((count, i) => ({
      mase: (totals.absolute[method][i] as number) / count / totals.scale,
      smape: (totals.smape[method][i] as number) / count,
    }));
  }
  return out;
}

/** The model's upper bound per horizon, in the series' MASE scale. */
export function summariseLongUpper(totals: LongRollingTotals): UpperBoundScore[] {
  return summariseUpperBound(totals.upper, totals.scale);
}
