import type { TriggerConfig } from '../../sources/trigger-metadata';
import type { Reading } from '../../sources/source';
import type { ViewWindows } from './forecast-view';

/** What the decision needs from a trigger's forecast (see `forecastView` for the windows). */
export interface ForecastView {
  /**
   * Largest upper-quantile value over `[now + startupTime, now + startupTime + polling allowance]`, when
   * a replica created now could serve: what the returned value compares with live.
   */
  peakWhenReady: number;
  /** Mean and lower interval at `now + startupTime`, exported with `peakWhenReady` as one band. */
  meanWhenReady: number;
  lowerWhenReady: number;
  /** Largest upper-quantile value over `[now, now + leadTime]`: IsActive wakes a deployment for it. */
  peakWithinLead: number;
  /**
   * Largest upper-quantile value over `[now, now + startupTime + cooldownPeriod]` (within the horizon):
   * load due before a deployment could sleep and wake again keeps it awake.
   */
  peakWithinColdStartBudget: number;
  /** Mean at `now + leadTime`, for the lead-time error. */
  meanAtLead: number;
  method: string;
  /**
   * The model's backtest error at `leadTime` over that of last value ("it stays as it is"): what the
   * live lead-time error (`LeadErrorTracker`) promises to be, in the same terms. Undefined when the
   * backtest did not score both at that lead.
   */
  backtestLeadRatio?: number;
  /** The shipped method's backtest at `leadTime`: MASE and the share of actuals at or below its bound. */
  backtestAtLead?: { mase: number; coverage: number };
  /** When the model behind this view was trained: tells one model from the next. */
  modelTrainedAtMs?: number;
}

/** Why a retraining was asked for: the forecast drifted from what its backtest promised. */
export interface DriftReport {
  /** Rolling live MASE at the lead, over "it stays as it is now". */
  liveMase: number;
  /** What the model's backtest promised there, in the same terms (`backtestLeadRatio`). */
  backtestMase: number;
  /** The live MASE the rule allows: max(1, 1.5 × backtestMase). */
  threshold: number;
}

/**
 * How the request path sees forecasting. Implementations answer from memory only: a call never waits on
 * training, the store or a source.
 */
export interface ForecastPort {
  /**
   * The forecast for this trigger, or undefined while no model that beat the baselines is available.
   * `windows` places the view's windows when they differ from the config's (a measured start-up time).
   */
  view(config: TriggerConfig, nowMs: number, windows?: ViewWindows): ForecastView | undefined;
  /** Hands a fresh live reading to the forecast (history sampling; fire and forget). */
  observe(config: TriggerConfig, reading: Reading): void;
  /**
   * Makes this trigger's model due for training now, whatever the schedule says (fire and forget). An
   * implementation that does not train leaves it out.
   */
  retrain?(config: TriggerConfig, drift: DriftReport): void;
}

/** Live-only: used when no forecast service runs, and in tests of the request path. */
export const NO_FORECAST: ForecastPort = {
  view: () => undefined,
  observe: () => undefined,
};
