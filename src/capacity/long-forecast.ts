import { finiteMean } from '../anomaly/robust-stats';
import { MAX_FORECAST_STEPS, forecastFrom } from '../forecast/predict';
import type { ModelState } from '../forecast/model-state';
import type { ForecastResult, RegularSeries, TrainedModel } from '../forecast/types';

const DAY_MS = 86_400_000;

/** The furthest a capacity forecast reaches from the newest sample: a calendar month from its 1st, plus slack. */
const MAX_LONG_FORECAST_MS = 100 * DAY_MS;

/** A forecast the model cannot make: its newest sample is too far before the window. */
export class ForecastRangeError extends Error {
  override readonly name = 'ForecastRangeError';
}

/** How far to roll and how to widen the bands past what the model calibrated. */
export interface LongForecastOptions {
  /**
   * Longest lead the model's intervals were calibrated on (its training horizon, at least its lead
   * time). Bands at longer leads come from the model held at this lead, then widened by the drift term.
   */
  calibratedLeadMs: number;
  /**
   * Standard deviation of the day-to-day change of the signal's daily mean (see `dailyDrift`), in the
   * signal's units; undefined when the history is too short to measure it.
   */
  dailyDriftStd: number | undefined;
  /** Quantile of the model's upper band (its lower band is the 1 − quantile one). */
  quantile: number;
  /** Clamp lower bounds at 0 (CPU, memory, queue lengths). */
  nonNegative: boolean;
}

/** A forecast from the step after the newest sample to `untilMs`, and where it started from. */
export interface LongForecast extends ForecastResult {
  /** Time of the newest observed sample the forecast starts from. */
  lastSampleMs: number;
  /** Calls made to the model: one per day of forecast, roughly. */
  chunks: number;
}

/**
 * Forecasts from the newest sample through `untilMs`, however far that is, with the model as it is:
 * `forecastFrom` reaches at most `MAX_FORECAST_STEPS` steps, so the forecast is rolled forward a day at a
 * time, each day's forecast fed back as if observed (for seasonal models, next Tuesday is this Tuesday's
 * forecast carried one more week; see `feedbackValue` for what exactly is fed). Nothing is refitted.
 *
 * Uncertainty grows in two parts. (1) Each call after the first starts `calibratedLeadMs` before the
 * points it keeps, so every kept point carries the model's band at the longest lead it was calibrated for,
 * never the narrow band of a first step. (2) Past that lead, the band is widened by a level drift: the
 * daily mean of real load wanders from day to day (a launch, a slow decline, a holiday), which a model
 * calibrated on 30-minute errors cannot know. That drift is treated as a random walk of one step per day:
 * `extra(d) = z(quantile) × dailyDriftStd × √d`, d the days past the calibrated lead, added in quadrature
 * to each side of the model's band. Without a drift estimate (less than three days of history) the band
 * is scaled by `√(1 + d)` instead.
 */
export function forecastThrough(
  model: TrainedModel,
  recent: RegularSeries,
  untilMs: number,
  options: LongForecastOptions,
): LongForecast {
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
  const total = Math.max(1, Math.ceil((untilMs - lastSampleMs) / step));
  const overlap = Math.min(
    Math.max(1, Math.ceil(options.calibratedLeadMs / step)),
    Math.floor(MAX_FORECAST_STEPS / 2),
  );
  const chunk = Math.min(MAX_FORECAST_STEPS - overlap, Math.max(1, Math.round(DAY_MS / step)));

  const blocks = blockGrid(model);
  const observed = fed.values.length;
  const values = fed.values;
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  let chunks = 0;
  while (mean.length < total) {
    // The first call starts at the newest sample; later ones `overlap` steps before the next point.
    const origin = mean.length === 0 ? 0 : mean.length - overlap;
    const steps = Math.min(chunk + overlap, MAX_FORECAST_STEPS);
    const from: RegularSeries = {
      startMs: fed.startMs,
      stepMs: step,
      values: values.slice(0, observed + origin),
    };
    if (from.values.length === 0) from.startMs = lastSampleMs + step;
    const result = forecastFrom(model, from, steps);
    chunks++;
    for (let i = mean.length - origin; i < result.mean.length && mean.length < total; i++) {
      mean.push(result.mean[i] as number);
      lower.push(result.lower[i] as number);
      upper.push(result.upper[i] as number);
      values.push(feedbackValue(result, i, blocks));
    }
  }

  widenForDrift({ fromMs: lastSampleMs + step, stepMs: step, mean, lower, upper }, lastSampleMs, options);
  return { fromMs: lastSampleMs + step, stepMs: step, mean, lower, upper, lastSampleMs, chunks };
}

/** Where the model's blocks lie: they end at `trainingEndMs + k × blockMs`. */
interface BlockGrid {
  trainingEndMs: number;
  blockMs: number;
}

function blockGrid(model: TrainedModel): BlockGrid | undefined {
  // `ModelState` is exported by src/forecast for tools; only its grid is read, never its parameters.
  const grid = (model.state as Partial<ModelState> | undefined)?.grid;
  if (!grid || !(grid.blockMs > model.stepMs)) return undefined;
  return { trainingEndMs: grid.trainingEndMs, blockMs: grid.blockMs };
}

/**
 * The value fed back for point `i` of a forecast. Models learn on blocks of several samples (5 minutes of
 * 1-minute samples) and `forecastFrom` draws straight lines between block centres; feeding those lines
 * back would average each block with its neighbours on every pass, and a month of daily passes would
 * flatten every short peak. So each sample gets its block's own forecast, read at the block's centre,
 * where the line passes exactly through it; the block then averages back to that same value.
 */
function feedbackValue(result: ForecastResult, i: number, grid: BlockGrid | undefined): number {
  const own = result.mean[i] as number;
  if (!grid) return own;
  const atMs = result.fromMs + i * result.stepMs;
  const blockStartMs =
    grid.trainingEndMs + Math.floor((atMs - grid.trainingEndMs) / grid.blockMs) * grid.blockMs;
  const position = (blockStartMs + (grid.blockMs - result.stepMs) / 2 - result.fromMs) / result.stepMs;
  const below = Math.floor(position);
  // A block cut by the start or the end of this call keeps the drawn line (once per chunk: negligible).
  if (below < 0 || below + 1 >= result.mean.length) return own;
  const a = result.mean[below] as number;
  return a + (position - below) * ((result.mean[below + 1] as number) - a);
}

/**
 * The observed samples after the training window (trailing gaps dropped: the newest slot may not be
 * written yet), as a fresh array the roll can append to.
 */
function observedTail(model: TrainedModel, recent: RegularSeries): RegularSeries {
  const step = model.stepMs;
  const empty = { startMs: model.window.toMs, stepMs: step, values: [] as number[] };
  if (recent.values.length === 0) return empty;
  if (recent.stepMs !== step) {
    // forecastFrom would refuse it too; say which step was expected.
    throw new RangeError(`recent history has a ${recent.stepMs} ms step but the model a ${step} ms one`);
  }
  const skip = Math.max(0, Math.ceil((model.window.toMs - recent.startMs) / step - 1e-9));
  let end = recent.values.length;
  while (end > skip && !Number.isFinite(recent.values[end - 1] as number)) end--;
  if (end <= skip) return empty;
  return { startMs: recent.startMs + skip * step, stepMs: step, values: recent.values.slice(skip, end) };
}

/** Applies the drift term of `forecastThrough` in place. */
export function widenForDrift(
  result: ForecastResult,
  lastSampleMs: number,
  options: LongForecastOptions,
): void {
  const z = normalQuantile(options.quantile);
  for (let i = 0; i < result.mean.length; i++) {
    const atMs = result.fromMs + i * result.stepMs;
    const days = Math.max(0, atMs - lastSampleMs - options.calibratedLeadMs) / DAY_MS;
    if (days === 0) continue;
    const mean = result.mean[i] as number;
    const up = (result.upper[i] as number) - mean;
    const down = mean - (result.lower[i] as number);
    let newUp;
    let newDown;
    if (options.dailyDriftStd === undefined) {
      const scale = Math.sqrt(1 + days);
      newUp = up * scale;
      newDown = down * scale;
    } else {
      const extra = z * options.dailyDriftStd * Math.sqrt(days);
      newUp = Math.hypot(up, extra);
      newDown = Math.hypot(down, extra);
    }
    result.upper[i] = mean + newUp;
    const low = mean - newDown;
    result.lower[i] = options.nonNegative ? Math.max(0, low) : low;
  }
}

/**
 * Day-to-day drift of a signal's level: the root mean square of the change between consecutive daily
 * means (24-hour blocks counted back from the newest sample; a block needs half its samples). Uncentred,
 * so a steady trend counts as drift as well: most models here hold the level rather than extrapolate it.
 * Undefined with fewer than three usable days.
 */
export function dailyDrift(history: RegularSeries): number | undefined {
  const perDay = Math.round(DAY_MS / history.stepMs);
  if (perDay < 1) return undefined;
  const days = Math.floor(history.values.length / perDay);
  const means: number[] = [];
  for (let d = 0; d < days; d++) {
    const end = history.values.length - d * perDay;
    // A day with fewer than half its samples has no trusted mean.
    means.push(finiteMean(history.values, end - perDay, end, Math.ceil(perDay / 2)));
  }
  let squares = 0;
  let pairs = 0;
  for (let d = 1; d < means.length; d++) {
    const change = (means[d - 1] as number) - (means[d] as number);
    if (Number.isFinite(change)) {
      squares += change * change;
      pairs++;
    }
  }
  return pairs >= 2 ? Math.sqrt(squares / pairs) : undefined;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).
 * `normalQuantile(0.9)` ≈ 1.2816.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile must be strictly between 0 and 1, got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: number[], x: number): number => k.reduce((sum, coefficient) => sum * x + coefficient, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
