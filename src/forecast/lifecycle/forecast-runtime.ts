import type { Logger } from 'pino';
import type { ForecastContext, ForecastRuntime } from '../../app';
import type { TriggerConfig } from '../../config/trigger-config';
import type { ForecastView } from '../../decision/forecast-port';
import { stepsToCover, summariseForecast } from '../../decision/forecast-summary';
import type { Reading } from '../../sources/source';
import { locate } from '../../store/history-encoding';
import { forecastFrom } from '../predict';
import type { RegularSeries, TrainedModel } from '../types';
import { historySpec, modelKey } from './model-key';
import { WorkerFitter, type ModelFitter } from './model-fitter';
import { ModelTrainer, type TrainingOutcome } from './model-trainer';

export interface ForecastRuntimeSettings {
  /** How often each model is retrained. */
  retrainIntervalMs: number;
  /** How often models and recent history are reloaded from the store (what other replicas trained). */
  refreshIntervalMs: number;
  /** Expiry of the per-model training lock. */
  trainingLockTtlMs: number;
  /** Samples needed before the first training. */
  minSamples?: number;
  /** See ModelTrainerOptions.maxModelAgeMs. */
  maxModelAgeMs?: number;
  /** How often the background loop looks for due work. @default min(retrain, refresh, 10s) */
  tickMs?: number;
  beforeTrain?: (key: string) => Promise<void>;
  /** Where training runs. @default a worker thread */
  fitter?: ModelFitter;
}

interface TrackedModel {
  key: string;
  config: TriggerConfig;
  model: TrainedModel | undefined;
  version: number;
  /** Samples after the model's training window, newest last, on the model's step. */
  recent: RegularSeries;
  lastRefreshMs: number;
  nextTrainAttemptMs: number;
  /** Slot of the newest sample this replica wrote to history, so it writes once per interval. */
  lastWrittenSlot: number;
  view?: { slot: number; recentLength: number; version: number; result: ReturnType<typeof forecastFrom> };
}

/** Bounds the in-memory tail: two days of samples is more than any lead or refresh gap needs. */
const MAX_RECENT_SAMPLES = 2 * 1440;

/**
 * The forecast side of a running scaler. The request path only calls `view` and `observe`, which work on
 * memory. Sampling writes, training and reloading run in a background loop; training takes a lock in the
 * store so one replica trains each model, and every replica reloads the result.
 */
export class ForecastRuntimeImpl implements ForecastRuntime {
  private readonly tracked = new Map<string, TrackedModel>();
  private readonly byConfig = new WeakMap<TriggerConfig, TrackedModel>();
  private readonly trainer: ModelTrainer;
  private readonly fitter: ModelFitter;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly context: ForecastContext,
    private readonly settings: ForecastRuntimeSettings,
  ) {
    this.logger = context.logger;
    this.fitter = settings.fitter ?? new WorkerFitter();
    this.trainer = new ModelTrainer({
      fitter: this.fitter,
      store: context.store,
      metrics: context.metrics,
      logger: context.logger,
      clock: context.clock,
      sourceFor: context.sourceFor,
      lockTtlMs: settings.trainingLockTtlMs,
      minSamples: settings.minSamples ?? 60,
      maxModelAgeMs: settings.maxModelAgeMs ?? 3 * 86_400_000,
      beforeTrain: settings.beforeTrain,
    });
    const tick = settings.tickMs ?? Math.min(settings.retrainIntervalMs, settings.refreshIntervalMs, 10_000);
    this.timer = setInterval(() => void this.runOnce(), tick);
    this.timer.unref();
  }

  view(config: TriggerConfig, nowMs: number): ForecastView | undefined {
    const tracked = this.track(config);
    const model = tracked.model;
    if (!model || !model.usable) return undefined;
    const step = model.stepMs;
    const recentEnd = tracked.recent.startMs + (tracked.recent.values.length - 1) * step;
    const lastSampleMs = Math.max(
      model.window.toMs - step,
      tracked.recent.values.length > 0 ? recentEnd : -Infinity,
    );
    // A model whose newest sample is older than its horizon has nothing to say about now.
    if (nowMs - lastSampleMs > config.horizonMs) return undefined;
    const slot = Math.floor(nowMs / step);
    const cached = tracked.view;
    let result;
    if (
      cached &&
      cached.slot === slot &&
      cached.recentLength === tracked.recent.values.length &&
      cached.version === tracked.version
    ) {
      result = cached.result;
    } else {
      try {
        result = forecastFrom(
          model,
          tracked.recent,
          stepsToCover(lastSampleMs, step, nowMs, config.leadTimeMs),
        );
      } catch (error) {
        this.logger.warn({ model: tracked.key, err: error }, 'forecast failed; running live-only');
        return undefined;
      }
      tracked.view = { slot, recentLength: tracked.recent.values.length, version: tracked.version, result };
    }
    return summariseForecast(result, nowMs, config.leadTimeMs, model.method);
  }

  observe(config: TriggerConfig, reading: Reading): void {
    const tracked = this.track(config);
    const spec = historySpec(config);
    const { slotStartMs } = locate(spec.stepMs, reading.atMs);
    const absoluteSlot = Math.floor(reading.atMs / spec.stepMs);
    appendToRecent(tracked.recent, slotStartMs, reading.value);
    if (absoluteSlot === tracked.lastWrittenSlot) return;
    tracked.lastWrittenSlot = absoluteSlot;
    this.context.store
      .appendSample(config.signalId, spec, reading.atMs, reading.value)
      .then(() => this.context.metrics.historySamples.inc({ source: config.source }))
      .catch((error: unknown) =>
        this.logger.debug({ err: error, metric: config.metricName }, 'could not write history sample'),
      );
  }

  /** Runs one pass of the background loop now (tests and start-up call it directly). */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Trains one model now regardless of schedule, and reloads it. */
  async trainNow(config: TriggerConfig): Promise<TrainingOutcome> {
    const tracked = this.track(config);
    const { outcome } = await this.trainer.train(config);
    await this.refresh(tracked);
    return outcome;
  }

  /** The models this replica tracks, for the HTTP API. */
  models(): Array<{ key: string; config: TriggerConfig; model: TrainedModel | undefined; version: number }> {
    return [...this.tracked.values()].map(({ key, config, model, version }) => ({
      key,
      config,
      model,
      version,
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.fitter.close();
  }

  private track(config: TriggerConfig): TrackedModel {
    let tracked = this.byConfig.get(config);
    if (tracked) return tracked;
    const key = modelKey(config);
    tracked = this.tracked.get(key);
    if (!tracked) {
      tracked = {
        key,
        config,
        model: undefined,
        version: 0,
        recent: { startMs: 0, stepMs: config.sampleIntervalMs, values: [] },
        lastRefreshMs: 0,
        nextTrainAttemptMs: 0,
        lastWrittenSlot: -1,
      };
      this.tracked.set(key, tracked);
    }
    this.byConfig.set(config, tracked);
    return tracked;
  }

  private async pass(): Promise<void> {
    for (const tracked of this.tracked.values()) {
      if (this.stopped) return;
      const now = this.context.clock();
      if (now - tracked.lastRefreshMs >= this.settings.refreshIntervalMs) await this.refresh(tracked);
      // A model trained by any replica (reloaded above) pushes the next training a full interval out.
      const trainedAt = tracked.model?.trainedAtMs ?? -Infinity;
      if (now >= Math.max(tracked.nextTrainAttemptMs, trainedAt + this.settings.retrainIntervalMs)) {
        const { outcome } = await this.trainer.train(tracked.config);
        tracked.nextTrainAttemptMs = now + this.retryDelay(outcome);
        if (outcome === 'saved' || outcome === 'kept_previous') await this.refresh(tracked);
      }
    }
  }

  /** When to try again after an attempt: a full interval after a result, sooner after nothing to show. */
  private retryDelay(outcome: TrainingOutcome): number {
    const interval = this.settings.retrainIntervalMs;
    switch (outcome) {
      case 'saved':
      case 'kept_previous':
        return interval;
      // Another replica holds the lock; it may die and leave the lock to expire.
      case 'locked':
        return Math.max(100, this.settings.trainingLockTtlMs / 4);
      case 'skipped':
      case 'failed':
        return Math.min(interval, 5 * 60_000);
    }
  }

  private async refresh(tracked: TrackedModel): Promise<void> {
    const { store, clock } = this.context;
    tracked.lastRefreshMs = clock();
    try {
      const { current } = await store.getModels<TrainedModel>(tracked.key);
      if (current && current.version !== tracked.version) {
        tracked.model = current.model;
        tracked.version = current.version;
      }
      if (!tracked.model) return;
      const spec = historySpec(tracked.config);
      const fromMs = Math.max(tracked.model.window.toMs, clock() - MAX_RECENT_SAMPLES * spec.stepMs);
      const stored = await store.readHistory(tracked.config.signalId, spec, fromMs, clock() + spec.stepMs);
      tracked.recent = mergeRecent(stored, tracked.recent);
    } catch (error) {
      this.logger.debug(
        { model: tracked.key, err: error },
        'could not reload model; keeping the one in memory',
      );
    }
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
  const excess = recent.values.length - MAX_RECENT_SAMPLES;
  if (excess > 0) {
    recent.values.splice(0, excess);
    recent.startMs += excess * recent.stepMs;
  }
}

/** The stored tail (what every replica wrote) with this replica's own newer points laid over it. */
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
