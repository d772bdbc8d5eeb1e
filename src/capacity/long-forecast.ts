import { MAX_LONG_FORECAST_STEPS, forecastAhead } from '../forecast/predict';
import type { ForecastResult, RegularSeries, TrainedModel } from '../forecast/types';

const DAY_MS = 86_400_000;

/** The furthest a capacity forecast reaches from the newest sample: a calendar month from its 1st, plus slack. */
const MAX_LONG_FORECAST_MS = 100 * DAY_MS;

/** A forecast the model cannot make: its newest sample is too far before the window. */
export class ForecastRangeError extends Error {
  override readonly name = 'ForecastRangeError';
}

/** A forecast from the step after the newest sample to `untilMs`, and where it started from. */
export interface LongForecast extends ForecastResult {
  /** Time of the newest observed sample the forecast starts from. */
  lastSampleMs: number;
  /** Leading samples answered by the scaling band; the long-horizon band answers the rest. */
  shortSteps: number;
}

/**
 * Forecasts from the newest sample through `untilMs`, however far that is, with the model as it is: the
 * scaling band for the first minutes it was backtested on, the long-horizon band (which keeps the daily
 * and weekly shape and carries bands calibrated per horizon) after that. Nothing is refitted.
 */
export function forecastThrough(model: TrainedModel, recent: RegularSeries, untilMs: number): LongForecast {
  const step = model.stepMs;
  const fed = observedTail(model, recent);
  const lastSampleMs =
    fed.values.length > 0 ? fed.startMs + (fed.values.length - 1) * step : model.window.toMs - step;
  if (untilMs - lastSampleMs > MAX_LONG_FORECAST_MS) {
    throw new ForecastRangeError(
      `the newest sample (${new Date(lastSampleMs).toISOString()}) is more than ` +
        `${MAX_LONG_FORECAST_MS / DAY_MS} days before the end of the window: the model needs recent history`,
    );
  }
  const steps = Math.min(MAX_LONG_FORECAST_STEPS, Math.max(1, Math.ceil((untilMs - lastSampleMs) / step)));
  const result = forecastAhead(model, fed, steps);
  return { ...result, lastSampleMs };
}

/**
 * The observed samples after the training window, trailing gaps dropped: the newest slot may not be
 * written yet, and the forecast starts after the newest sample that was.
 */
function observedTail(model: TrainedModel, recent: RegularSeries): RegularSeries {
  const step = model.stepMs;
  const empty = { startMs: model.window.toMs, stepMs: step, values: [] as number[] };
  if (recent.values.length === 0) return empty;
  if (recent.stepMs !== step) {
    throw new RangeError(`recent history has a ${recent.stepMs} ms step but the model a ${step} ms one`);
  }
  const skip = Math.max(0, Math.ceil((model.window.toMs - recent.startMs) / step - 1e-9));
  let end = recent.values.length;
  while (end > skip && !Number.isFinite(recent.values[end - 1] as number)) end--;
  if (end <= skip) return empty;
  return { startMs: recent.startMs + skip * step, stepMs: step, values: recent.values.slice(skip, end) };
}
