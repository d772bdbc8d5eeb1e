import type { ForecastContext, ForecastRuntime } from './app';
import type { Settings } from './config/settings';
import { ForecastRuntimeImpl } from './forecast/lifecycle/forecast-runtime';

/** Builds the scaler's forecast side from process settings. */
export function createForecastRuntime(settings: Settings): (context: ForecastContext) => ForecastRuntime {
  return (context) =>
    new ForecastRuntimeImpl(context, {
      retrainIntervalMs: settings.retrainIntervalMs,
      refreshIntervalMs: settings.modelRefreshIntervalMs,
      trainingLockTtlMs: settings.trainingLockTtlMs,
    });
}
