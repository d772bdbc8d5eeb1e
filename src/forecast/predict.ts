import { isMissing } from '../anomaly/robust-stats';
import { ForecastInputError } from './errors';
import type { ModelSeries } from './forecasters/forecaster';
import { forecasterFor } from './forecasters/registry';
import { intervalAt } from './intervals';
import { applyResidual } from './long-horizon/horizon-bands';
import { levelResidual, predictLongBand } from './long-horizon/long-band';
import type { ModelState } from './model-state';
import { MODEL_FORMAT_VERSION, decodeGaps } from './model-state';
import type { ForecastResult, RegularSeries, TrainedModel } from './types';
import { assertRegularSeries } from './validate';

/** Most steps one call may ask for: a day of 1-minute samples, far beyond any horizon the scaler uses. */
export const MAX_FORECAST_STEPS = 1440;

/**
 * Forecasts `steps` samples from the step after `recent`'s last point, with the `model.quantile` upper
 * bound and the matching lower bound. `recent` holds the newest observations, at least those after
 * `model.window.toMs`; it may overlap the training window (the overlap is ignored: the model keeps its
 * own filtered copy) and may have gaps. Nothing is refitted: the new points only move the running state
 * (the anchor of the anchored model, the level/trend/season of Holt-Winters), so a call costs
 * microseconds. Bounds and forecasts are clamped at 0 for signals that never went below 0.
 */
export function forecastFrom(model: TrainedModel, recent: RegularSeries, steps: number): ForecastResult {
  const state = modelState(model);
  return forecastBlocks(
    state,
    recent,
    steps,
    MAX_FORECAST_STEPS,
    (timeline, origin, leads, mean, lower, upper) => {
      forecasterFor(model.method).predict(state.params, timeline, origin, origin + 1, leads, mean);
      for (let j = 0; j < leads; j++) {
        const forecast = mean[j] as number;
        const band = intervalAt(state.intervals, state.transform, forecast, j + 1);
        lower[j] = Math.min(band.lower, forecast);
        upper[j] = Math.max(band.upper, forecast);
      }
    },
  );
}

/** Most steps a long-horizon forecast may ask for: a hundred days of 1-minute samples. */
export const MAX_LONG_FORECAST_STEPS = 144_000;

/**
 * The long-horizon band's forecast of `steps` samples after `recent`'s last point (see `forecastFrom` for
 * what `recent` may hold): a profile that keeps the daily and weekly shape however far it reaches, with
 * bands calibrated per horizon on the band's own backtest residuals and held past the longest calibrated
 * lead. This is what answers days and weeks ahead; the scaler's decision uses `forecastFrom`.
 */
export function forecastLongHorizon(
  model: TrainedModel,
  recent: RegularSeries,
  steps: number,
): ForecastResult {
  const state = modelState(model);
  const long = state.long;
  return forecastBlocks(
    state,
    recent,
    steps,
    MAX_LONG_FORECAST_STEPS,
    (timeline, origin, leads, mean, lower, upper) => {
      predictLongBand(long, timeline.values, origin, leads, mean);
      for (let j = 0; j < leads; j++) {
        const forecast = mean[j] as number;
        let low = levelResidual(long, forecast, j + 1, 'lower');
        let high = levelResidual(long, forecast, j + 1, 'upper');
        if (long.withinBlock !== undefined) {
          low = -Math.hypot(Math.min(0, low), long.withinBlock.lower);
          high = Math.hypot(Math.max(0, high), long.withinBlock.upper);
        }
        lower[j] = Math.min(forecast, applyResidual(long.bandScale, forecast, low));
        upper[j] = Math.max(forecast, applyResidual(long.bandScale, forecast, high));
      }
    },
  );
}

/**
 * A forecast at every lead from the band backtested there: the scaling band (`forecastFrom`) up to the
 * longest lead it was fitted and calibrated for, the long-horizon band after it. This is what the
 * capacity windows and the forecast command show.
 */
export function forecastAhead(
  model: TrainedModel,
  recent: RegularSeries,
  steps: number,
): ForecastResult & { shortSteps: number } {
  const state = modelState(model);
  const long = forecastLongHorizon(model, recent, steps);
  const reachMs = state.maxLead * state.grid.blockMs;
  const shortSteps = Math.min(steps, MAX_FORECAST_STEPS, Math.floor(reachMs / long.stepMs));
  if (shortSteps < 1) return { ...long, shortSteps: 0 };
  const short = forecastFrom(model, recent, shortSteps);
  for (let i = 0; i < shortSteps; i++) {
    long.mean[i] = short.mean[i] as number;
    long.lower[i] = short.lower[i] as number;
    long.upper[i] = short.upper[i] as number;
  }
  return { ...long, shortSteps };
}

function modelState(model: TrainedModel): ModelState {
  if (model.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ForecastInputError(
      `model format version ${model.formatVersion} is not supported (expected ${MODEL_FORMAT_VERSION}): retrain it`,
    );
  }
  return model.state as ModelState;
}

type BlockForecast = (
  timeline: ModelSeries,
  origin: number,
  leads: number,
  mean: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
) => void;

/**
 * Lays the model's memory and `recent` on the block grid, asks `predictBlocks` for block forecasts from
 * the newest block, and gives each sample after `recent`'s last point the forecast of its block. Bounds and
 * forecasts are clamped at 0 for signals that never went below 0.
 */
function forecastBlocks(
  state: ModelState,
  recent: RegularSeries,
  steps: number,
  maxSteps: number,
  predictBlocks: BlockForecast,
): ForecastResult {
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= maxSteps)) {
    throw new ForecastInputError(`steps must be an integer from 1 to ${maxSteps}, got ${steps}`);
  }
  assertRegularSeries(recent, 'recent', { requireData: false });
  const grid = state.grid;
  if (recent.values.length > 0 && recent.stepMs !== grid.fineStepMs) {
    throw new ForecastInputError(
      `recent.stepMs is ${recent.stepMs} but the model was trained on a ${grid.fineStepMs} ms step`,
    );
  }
  const step = grid.fineStepMs;
  const lastTrainingSampleMs = grid.trainingEndMs - step;
  const recentEndMs =
    recent.values.length > 0 ? recent.startMs + (recent.values.length - 1) * step : -Infinity;
  const lastSampleMs = Math.max(lastTrainingSampleMs, recentEndMs);
  const lastBlock =
    lastSampleMs < grid.trainingEndMs
      ? grid.lastTrainingBlock
      : grid.lastTrainingBlock + 1 + Math.floor((lastSampleMs - grid.trainingEndMs) / grid.blockMs);

  const timeline = buildTimeline(state, recent, lastBlock);
  const originCentreMs = grid.originMs + lastBlock * grid.blockMs;
  const lastStepMs = lastSampleMs + steps * step;
  const leads = Math.max(1, Math.ceil((lastStepMs - originCentreMs) / grid.blockMs - 1e-9));
  const origin = lastBlock - timeline.firstBlock;
  const blockMean = new Float64Array(leads);
  const blockLower = new Float64Array(leads);
  const blockUpper = new Float64Array(leads);
  predictBlocks(timeline, origin, leads, blockMean, blockLower, blockUpper);
  for (let j = 0; j < leads; j++) {
    // A gap in the memory may leave a lead NaN (interpolation skips it), but an infinite value is a model
    // fault, and a forecast of Infinity would scale a trigger to its maximum.
    const infinite =
      Math.abs(blockMean[j] as number) === Infinity ||
      Math.abs(blockLower[j] as number) === Infinity ||
      Math.abs(blockUpper[j] as number) === Infinity;
    if (infinite) {
      throw new ForecastInputError(`the model forecast a non-finite value at lead ${j + 1}: retrain it`);
    }
  }
  // Samples still in the newest block (only when blocks aggregate several samples) take its mean so far.
  const observedNow = timeline.values[origin] as number;
  const anchor = isMissing(observedNow) ? undefined : observedNow;
  const mean = new Array<number>(steps);
  const lower = new Array<number>(steps);
  const upper = new Array<number>(steps);
  for (let i = 1; i <= steps; i++) {
    // Position of the sample in block leads after the origin block's centre.
    const position = (lastSampleMs + i * step - originCentreMs) / grid.blockMs;
    mean[i - 1] = clamp(state, blockValue(blockMean, position, anchor));
    lower[i - 1] = clamp(state, blockValue(blockLower, position, anchor));
    upper[i - 1] = clamp(state, blockValue(blockUpper, position, anchor));
  }
  return { fromMs: lastSampleMs + step, stepMs: step, mean, lower, upper };
}

/**
 * The model's memory followed by `recent`'s samples after the training window, averaged into blocks on
 * the training grid (the newest block may be partial), as one series ending at `lastBlock`.
 */
/**
 * A model's memory as numbers, decoded once: the scaler forecasts from the same model every poll, and the
 * memory (gaps stored as null) can hold weeks of blocks for the long-horizon band.
 */
const decodedMemory = new WeakMap<ModelState['memory'], Float64Array>();

function memoryOf(state: ModelState): Float64Array {
  let decoded = decodedMemory.get(state.memory);
  if (decoded === undefined) {
    decoded = new Float64Array(state.memory.length);
    decodeGaps(state.memory, decoded);
    decodedMemory.set(state.memory, decoded);
  }
  return decoded;
}

function buildTimeline(state: ModelState, recent: RegularSeries, lastBlock: number): ModelSeries {
  const grid = state.grid;
  const firstBlock = state.memoryFirstBlock;
  const length = lastBlock - firstBlock + 1;
  const values = new Float64Array(length).fill(NaN);
  const memory = memoryOf(state);
  values.set(memory.length <= length ? memory : memory.subarray(0, length));
  if (lastBlock > grid.lastTrainingBlock) {
    const sums = new Float64Array(lastBlock - grid.lastTrainingBlock);
    const counts = new Float64Array(sums.length);
    const step = grid.fineStepMs;
    const firstNew = Math.max(0, Math.ceil((grid.trainingEndMs - recent.startMs) / step - 1e-9));
    for (let i = firstNew; i < recent.values.length; i++) {
      const v = recent.values[i] as number;
      if (isMissing(v)) continue;
      const offset = recent.startMs + i * step - grid.trainingEndMs;
      const block = Math.floor(offset / grid.blockMs + 1e-9);
      sums[block] = (sums[block] as number) + v;
      counts[block] = (counts[block] as number) + 1;
    }
    const base = grid.lastTrainingBlock + 1 - firstBlock;
    for (let b = 0; b < sums.length; b++) {
      if ((counts[b] as number) > 0) values[base + b] = (sums[b] as number) / (counts[b] as number);
    }
  }
  return { values, firstBlock, blockMs: grid.blockMs, originMs: grid.originMs };
}

/**
 * The forecast of the block a sample falls in (lead j covers positions j − ½ to j + ½): the models
 * forecast block means, and a burst that fills one block is a step, which a line between block centres
 * would spread half a block early and half a block late. Samples still in the newest, partly observed
 * block take `anchor`, its mean so far (lead 1 without it); samples past the last lead hold it.
 */
function blockValue(blocks: Float64Array, position: number, anchor: number | undefined): number {
  const lead = Math.round(position);
  if (lead < 1) return anchor ?? (blocks[0] as number);
  return blocks[Math.min(blocks.length, lead) - 1] as number;
}

function clamp(state: ModelState, value: number): number {
  return state.nonNegative && value < 0 ? 0 : value;
}
