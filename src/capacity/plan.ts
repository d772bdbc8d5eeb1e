import type { RegularSeries, TrainedModel } from '../forecast/types';
import { dailyDrift, forecastThrough, type LongForecast } from './long-forecast';
import { recommend, type Recommendation, type WindowPolicy } from './recommend';
import type { ResourceKind } from './units';
import { summariseWindow, tidy, type ForecastPoint, type WindowSummary } from './window-forecast';
import { windowRange, type CapacityWindow, type WindowRange } from './windows';

/** What a capacity plan is made from: a trained model and the history around it. */
export interface PlanInput {
  model: TrainedModel;
  /** Observed samples on the model's step: its training window and whatever came after it. */
  history: RegularSeries;
  /** Longest lead the model's intervals were calibrated on (the trigger's horizon). */
  calibratedLeadMs: number;
  timezone: string;
  /** Windows start after this instant's local day. */
  nowMs: number;
}

/** How the forecast's uncertainty was carried past the model's own horizon. */
export interface UncertaintyInfo {
  /** Newest observed sample the forecast starts from. */
  lastSampleMs: number;
  calibratedLeadMs: number;
  /** `drift`: random-walk level drift measured on the history; `relative`: band × √(1 + days). */
  growth: 'drift' | 'relative';
  dailyDriftStd: number | undefined;
  /** Calls made to the model to reach the end of the window. */
  chunks: number;
}

/** One window's forecast, and a recommendation when a resource kind is given. */
export interface WindowPlan {
  range: WindowRange;
  resolutionMs: number;
  points: ForecastPoint[];
  summary: WindowSummary;
  /** Highest observed value in the history; undefined when the history holds none. */
  observedPeak: number | undefined;
  uncertainty: UncertaintyInfo;
  recommendation?: Recommendation;
}

/**
 * Forecasts several windows with one roll of the model (to the end of the last one) and summarises each.
 * `policies` gives a recommendation for each window when `resource` is set.
 */
export function planWindows(
  input: PlanInput,
  windows: readonly CapacityWindow[],
  options: { resource?: ResourceKind; policies?: Readonly<Record<CapacityWindow, WindowPolicy>> } = {},
): WindowPlan[] {
  const ranges = windows.map((w) => windowRange(w, input.nowMs, input.timezone));
  const untilMs = Math.max(...ranges.map((r) => r.toMs));
  const stats = historyStats(input.history);
  const forecast: LongForecast = forecastThrough(input.model, input.history, untilMs, {
    calibratedLeadMs: input.calibratedLeadMs,
    dailyDriftStd: stats.drift,
    quantile: input.model.quantile,
    nonNegative: stats.nonNegative,
  });
  const uncertainty: UncertaintyInfo = {
    lastSampleMs: forecast.lastSampleMs,
    calibratedLeadMs: input.calibratedLeadMs,
    growth: stats.drift === undefined ? 'relative' : 'drift',
    dailyDriftStd: stats.drift === undefined ? undefined : tidy(stats.drift),
    chunks: forecast.chunks,
  };
  return ranges.map((range) => {
    const { points, summary, resolutionMs } = summariseWindow(forecast, range, input.model.quantile);
    const plan: WindowPlan = {
      range,
      resolutionMs,
      points,
      summary,
      observedPeak: stats.peak,
      uncertainty,
    };
    const policy = options.policies?.[range.window];
    if (options.resource !== undefined && policy !== undefined) {
      plan.recommendation = recommend(options.resource, summary.quantile.value, stats.peak, policy);
    }
    return plan;
  });
}

function historyStats(history: RegularSeries): {
  peak: number | undefined;
  nonNegative: boolean;
  drift: number | undefined;
} {
  let peak = -Infinity;
  let min = Infinity;
  for (const v of history.values) {
    if (!Number.isFinite(v)) continue;
    if (v > peak) peak = v;
    if (v < min) min = v;
  }
  return {
    peak: Number.isFinite(peak) ? peak : undefined,
    // A signal that never went below zero (CPU, memory, a queue) is not forecast below it either.
    nonNegative: !(min < 0),
    drift: dailyDrift(history),
  };
}
