import type { ForecastContext, ForecastRuntime } from './app';
import { capacityRoutes } from './capacity/http-api';
import type { Settings } from './config/settings';
import { ForecastRuntimeImpl } from './forecast/lifecycle/forecast-runtime';

/** Builds the scaler's forecast side from process settings, with the forecast API on the HTTP port. */
export function createForecastRuntime(settings: Settings): (context: ForecastContext) => ForecastRuntime {
  return (context) => {
    const runtime = new ForecastRuntimeImpl(context, {
      retrainIntervalMs: settings.retrainIntervalMs,
      refreshIntervalMs: settings.modelRefreshIntervalMs,
      trainingLockTtlMs: settings.trainingLockTtlMs,
    });
    // The runtime stays free of HTTP: the API reads the same store and the triggers KEDA asked about.
    const routes = capacityRoutes({
      store: context.store,
      triggers: context.triggers,
      clock: context.clock,
      logger: context.logger,
      adminToken: settings.adminToken,
      // A model missing now is looked for again at the next training attempt, at most a minute away.
      retryAfterSeconds: Math.ceil(Math.min(settings.retrainIntervalMs, 60_000) / 1000),
    });
    return Object.assign(runtime, { routes });
  };
}
