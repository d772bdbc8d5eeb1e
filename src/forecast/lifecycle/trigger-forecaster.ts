import type { TriggerConfig } from '../../sources/trigger-metadata';
import type { Reading } from '../../sources/source';
import type { ModelRecord } from '../../store/state-store';
import type { ForecastView } from '../port/forecast-port';
import { forecastView, stepsToCover, viewReachMs, type ViewWindows } from '../port/forecast-view';
import { MODEL_FORMAT_VERSION } from '../model-state';
import { forecastFrom } from '../predict';
import type { ForecastResult, RegularSeries, TrainedModel } from '../types';
import { historySpec, modelKey } from './model-key';
import type { TrainingOutcome } from './model-trainer';
import { LIFECYCLE_DEFAULTS, retryDelayMs, type TrainingSchedule } from './training-schedule';

/**
 * The forecasting of one model of one trigger, driven by the caller's clock and free of I/O: it takes
 * readings, answers the forecast view, says when a training is due and takes what a
 * training or a reload brought. `ForecastService` runs one per model for the server, and the simulator
 * runs the same service, so both forecast alike by construction.
 */
export class TriggerForecaster {
  readonly key: string;
  private model: TrainedModel | undefined;
  private version = 0;
  /** Samples after the model's training window, newest last, on the history step. */
  private recent: RegularSeries;
  private readonly stepMs: number;
  /** Slot of the newest reading handed out for storage, so history gets one sample per interval. */
  private lastStoredSlot = -1;
  private nextAttemptMs = 0;
  private retrainRequested = false;
  private cached:
    | { slot: number; recentLength: number; version: number; steps: number; result: ForecastResult }
    | undefined;

  constructor(
    readonly config: TriggerConfig,
    private readonly onForecastError: (error: unknown) => void = () => undefined,
  ) {
    this.key = modelKey(config);
    this.stepMs = historySpec(config).stepMs;
    this.recent = { startMs: 0, stepMs: this.stepMs, values: [] };
  }

  /** The model in use (usable or not) and its version; version 0 before any. */
  get current(): { model: TrainedModel | undefined; version: number } {
    return { model: this.model, version: this.version };
  }

  /**
   * Takes a live reading into the in-memory tail (the last reading of a slot wins there). Returns true
   * when it is the first reading of its history slot: the one the caller stores as that slot's sample.
   */
  observe(reading: Reading): boolean {
    const slot = Math.floor(reading.atMs / this.stepMs);
    appendToRecent(this.recent, slot * this.stepMs, reading.value);
    if (slot === this.lastStoredSlot) return false;
    this.lastStoredSlot = slot;
    return true;
  }

  /**
   * The forecast view at `nowMs`, or undefined while no usable model has recent data. Triggers that share
   * this model may differ in start-up time and cooldown (they are not part of what is learned), so each
   * passes its own windows.
   */
  view(nowMs: number, windows: ViewWindows = this.config): ForecastView | undefined {
    const model = this.model;
    if (!model || !model.usable) return undefined;
    const { horizonMs } = this.config;
    const step = model.stepMs;
    const recent = this.recent;
    const recentEnd = recent.startMs + (recent.values.length - 1) * step;
    const lastSampleMs = Math.max(model.window.toMs - step, recent.values.length > 0 ? recentEnd : -Infinity);
    // A model whose newest sample is older than its horizon has nothing to say about now.
    if (nowMs - lastSampleMs > horizonMs) return undefined;
    const slot = Math.floor(nowMs / step);
    const steps = stepsToCover(lastSampleMs, step, nowMs, viewReachMs(windows));
    const cached = this.cached;
    let result: ForecastResult;
    if (
      cached &&
      cached.slot === slot &&
      cached.recentLength === recent.values.length &&
      cached.version === this.version &&
      cached.steps >= steps
    ) {
      result = cached.result;
    } else {
      try {
        result = forecastFrom(model, recent, steps);
      } catch (error) {
        this.onForecastError(error);
        return undefined;
      }
      this.cached = { slot, recentLength: recent.values.length, version: this.version, steps, result };
    }
    return forecastView(result, nowMs, windows, model);
  }

  /** True when a training attempt is due: past the retry wait, and a whole interval after the model's. */
  trainingDue(nowMs: number, schedule: TrainingSchedule): boolean {
    if (this.retrainRequested) return true;
    // A model trained by any replica (and reloaded) pushes the next training a full interval out.
    const trainedAt = this.model?.trainedAtMs ?? -Infinity;
    return nowMs >= Math.max(this.nextAttemptMs, trainedAt + schedule.retrainIntervalMs);
  }

  /** Schedules the next attempt after one at `nowMs` ended with `outcome`. */
  attempted(outcome: TrainingOutcome, nowMs: number, schedule: TrainingSchedule): void {
    this.nextAttemptMs = nowMs + retryDelayMs(outcome, schedule);
    // Answered by any attempt: on 'locked' another replica is training, and its model is reloaded.
    this.retrainRequested = false;
  }

  /** Makes a training due at once, until the next attempt (whatever its outcome). */
  requestTraining(): void {
    this.retrainRequested = true;
  }

  /** A retraining was asked for out of schedule (drift) and no attempt has answered it yet. */
  get trainingRequested(): boolean {
    return this.retrainRequested;
  }

  /**
   * Takes the store's current model if it is another version than the one in use; true if it did. A model
   * stored by a release with another model format is not taken: the trigger then has no model, so a
   * training is due at once instead of a retrain interval after that model.
   */
  adopt(record: Pick<ModelRecord<TrainedModel>, 'model' | 'version'> | undefined): boolean {
    if (!record || record.version === this.version) return false;
    if (record.model.formatVersion !== MODEL_FORMAT_VERSION) return false;
    this.model = record.model;
    this.version = record.version;
    return true;
  }

  /** Where the stored tail worth reloading starts: the model's training window end, at most two days back. */
  tailStartMs(nowMs: number): number | undefined {
    if (!this.model) return undefined;
    return Math.max(this.model.window.toMs, nowMs - LIFECYCLE_DEFAULTS.maxRecentSamples * this.stepMs);
  }

  /** Lays this replica's own readings over the stored tail (what every replica wrote). */
  mergeStoredTail(stored: RegularSeries): void {
    this.recent = mergeRecent(stored, this.recent);
  }
}

/** Puts a value at its slot in the in-memory tail, padding gaps with NaN and keeping it bounded. */
function appendToRecent(recent: RegularSeries, slotStartMs: number, value: number): void {
  if (recent.values.length === 0) {
    recent.startMs = slotStartMs;
    recent.values.push(value);
    return;
  }
  const index = Math.round((slotStartMs - recent.startMs) / recent.stepMs);
  if (index < 0) return;
  while (recent.values.length < index) recent.values.push(NaN);
  if (index < recent.values.length) recent.values[index] = value;
  else recent.values.push(value);
  const excess = recent.values.length - LIFECYCLE_DEFAULTS.maxRecentSamples;
  if (excess > 0) {
    recent.values.splice(0, excess);
    recent.startMs += excess * recent.stepMs;
  }
}

/** The stored tail with this replica's own finite points laid over it. */
function mergeRecent(stored: RegularSeries, own: RegularSeries): RegularSeries {
  const merged: RegularSeries = {
    startMs: stored.startMs,
    stepMs: stored.stepMs,
    values: [...stored.values],
  };
  while (merged.values.length > 0 && !Number.isFinite(merged.values[merged.values.length - 1] as number))
    merged.values.pop();
  for (let i = 0; i < own.values.length; i++) {
    const value = own.values[i] as number;
    if (Number.isFinite(value)) appendToRecent(merged, own.startMs + i * own.stepMs, value);
  }
  if (merged.values.length === 0) merged.startMs = 0;
  return merged;
}
