import type { TriggerConfig } from '../../sources/trigger-metadata';
import type { Reading } from '../../sources/source';

/** What the decision needs from a trigger's forecast over `[now, now + leadTime]`. */
export interface ForecastView {
  /** Largest upper-quantile value over the lead window: what scale-up compares with live. */
  peakWithinLead: number;
  /** Mean and lower interval at `now + leadTime`, for metrics and the lead-time error. */
  meanAtLead: number;
  lowerAtLead: number;
  method: string;
}

/**
 * How the request path sees forecasting. Implementations answer from memory only: a call never waits on
 * training, the store or a source.
 */
export interface ForecastPort {
  /** The forecast for this trigger, or undefined while no model that beat the baselines is available. */
  view(config: TriggerConfig, nowMs: number): ForecastView | undefined;
  /** Hands a fresh live reading to the forecast (history sampling; fire and forget). */
  observe(config: TriggerConfig, reading: Reading): void;
}

/** Live-only: used when no forecast service runs, and in tests of the request path. */
export const NO_FORECAST: ForecastPort = {
  view: () => undefined,
  observe: () => undefined,
};
