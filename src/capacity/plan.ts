import type { RegularSeries, TrainedModel } from '../forecast/types';
import { forecastThrough, type LongForecast } from './long-forecast';
import { recommend, type Recommendation, type WindowPolicy } from './recommend';
import type { ResourceKind } from './units';
import { summariseWindow, type ForecastPoint, type WindowSummary } from './window-forecast';
import { windowRange, type CapacityWindow, type WindowRange } from './windows';

/** What a capacity plan is made from: a trained model and the history around it. */
export interface PlanInput {
  model: TrainedModel;
  /** Observed samples on the model's step: its training window and whatever came after it. */
  history: RegularSeries;
  timezone: string;
  /** Windows start after this instant's local day. */
  nowMs: number;
}

/** Where the forecast's bounds come from. */
export interface UncertaintyInfo {
  /** Newest observed sample the forecast starts from. */
  lastSampleMs: number;
  /** Leads up to here carry the scaling band's bounds, calibrated at the trigger's lead times. */
  scalingBandMs: number;
  /** Longest lead whose long-horizon bound rests on its own backtest residuals; longer leads hold it. */
  calibratedHorizonMs: number;
  /** What answers beyond the scaling band (a profile method or a combination of them). */
  longHorizonMethod: string;
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
  const forecast: LongForecast = forecastThrough(input.model, input.history, untilMs);
  const uncertainty: UncertaintyInfo = {
    lastSampleMs: forecast.lastSampleMs,
    scalingBandMs: forecast.shortSteps * forecast.stepMs,
    calibratedHorizonMs: input.model.longHorizon.calibratedHorizonMs,
    longHorizonMethod: input.model.longHorizon.method,
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

function historyStats(history: RegularSeries): { peak: number | undefined } {
  let peak = -Infinity;
  for (const v of history.values) if (Number.isFinite(v) && v > peak) peak = v;
  return { peak: Number.isFinite(peak) ? peak : undefined };
}
