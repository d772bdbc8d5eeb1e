import pino from 'pino';
import { Registry } from 'prom-client';
import type { TriggerConfig } from '../config/trigger-config';
import type { ForecastView } from '../decision/forecast-port';
import { stepsToCover, summariseForecast } from '../decision/forecast-summary';
import { forecastFrom } from '../forecast/predict';
import type { ForecastResult, RegularSeries, TrainedModel } from '../forecast/types';
import { historySpec, modelKey } from '../forecast/lifecycle/model-key';
import { inlineFitter, type ModelFitter } from '../forecast/lifecycle/model-fitter';
import { ModelTrainer, type TrainingOutcome } from '../forecast/lifecycle/model-trainer';
import { ScalerMetrics } from '../metrics/scaler-metrics';
import type { Source } from '../sources/source';
import { MemoryStore } from '../store/memory-store';

export interface OnlineModelSettings {
  /** The server's `RETRAIN_INTERVAL`. @default 1h */
  retrainIntervalMs: number;
  /** The replay's time span, to size the sample buffers. */
  startMs: number;
  endMs: number;
  /**
   * Where `trainModel` runs. Any fitter gives the same models; the simulator's prefetching one only
   * makes them arrive sooner. @default inlineFitter
   */
  fitter?: ModelFitter;
}

/** What training cost during one replay. */
export interface TrainingStats {
  attempts: number;
  saved: number;
  keptPrevious: number;
  skipped: number;
  failed: number;
  /** Wall-clock time spent in training (history read, `trainModel`, promotion). */
  trainingMs: number;
  /** Saved models that were usable (beat the baselines). */
  usableSaved: number;
  /** With training prefetched on worker threads: fits served from a prefetched model, and the others. */
  prefetchHits?: number;
  prefetchMisses?: number;
}

// The server's ForecastRuntimeImpl defaults: 60 samples before the first training, a worse model still
// replaces a current one older than 3 days, and a failed or skipped attempt is retried after a minute.
export const MIN_SAMPLES = 60;
const MAX_MODEL_AGE_MS = 3 * 86_400_000;
export const RETRY_GAP_MS = 60_000;
const LOCK_TTL_MS = 5 * 60_000;

/** Training reads no source: every sample it learns from was observed by the replay itself. */
const NO_BACKFILL_SOURCE: Source = {
  kind: 'simulated',
  read: () => Promise.reject(new Error('the simulated source is never read')),
};

/**
 * The forecast side of one simulated scaler replica, on a simulated clock. It learns only what the
 * replica observed, at the moments it observed it:
 *
 * - `observe` keeps the first reading of each `sampleInterval` slot as the stored history sample and
 *   the last one as the in-memory tail, as the server's `ForecastRuntimeImpl.observe` does;
 * - `train` writes the stored samples to an in-memory state store and runs the server's own
 *   `ModelTrainer` (same history read, `trainModel(history, trainingOptions(config), now)`, minimum
 *   samples and promotion rule), then reloads the current model;
 * - `view` is `ForecastRuntimeImpl.view`: `forecastFrom` with the samples since the model's training
 *   window, cached per slot, then `summariseForecast` over the lead window.
 */
export class OnlineModel {
  readonly stats: TrainingStats = {
    attempts: 0,
    saved: 0,
    keptPrevious: 0,
    skipped: 0,
    failed: 0,
    trainingMs: 0,
    usableSaved: 0,
  };
  private nowMs = 0;
  private readonly store: MemoryStore;
  private readonly trainer: ModelTrainer;
  private readonly key: string;
  private readonly stepMs: number;
  private readonly firstSlot: number;
  private readonly stored: Float64Array;
  private readonly latest: Float64Array;
  private lastReadSlot = -1;
  private flushedThrough = -1;
  private model: TrainedModel | undefined;
  private version = 0;
  private nextAttemptMs = -Infinity;
  private cached: { slot: number; recentLength: number; version: number; result: ForecastResult } | undefined;

  constructor(
    private readonly config: TriggerConfig,
    private readonly settings: OnlineModelSettings,
  ) {
    const clock = (): number => this.nowMs;
    this.store = new MemoryStore(clock);
    this.trainer = new ModelTrainer({
      store: this.store,
      metrics: new ScalerMetrics(new Registry(), { defaultMetrics: false }),
      logger: pino({ level: 'silent' }),
      clock,
      sourceFor: () => NO_BACKFILL_SOURCE,
      lockTtlMs: LOCK_TTL_MS,
      minSamples: MIN_SAMPLES,
      maxModelAgeMs: MAX_MODEL_AGE_MS,
      // Inline unless the simulator prefetches: decisions after a training depend on its model, so the
      // replay waits for each one wherever it is computed.
      fitter: settings.fitter ?? inlineFitter,
    });
    this.key = modelKey(config);
    this.stepMs = historySpec(config).stepMs;
    this.firstSlot = Math.floor(settings.startMs / this.stepMs);
    const slots = Math.floor(settings.endMs / this.stepMs) - this.firstSlot + 2;
    this.stored = new Float64Array(slots).fill(NaN);
    this.latest = new Float64Array(slots).fill(NaN);
  }

  /** The model in use now, if any (usable or not). */
  get current(): TrainedModel | undefined {
    return this.model;
  }

  /** A live reading the replica made at `nowMs`. */
  observe(nowMs: number, value: number): void {
    const slot = Math.floor(nowMs / this.stepMs) - this.firstSlot;
    if (slot < 0 || slot >= this.latest.length) return;
    if (slot > this.lastReadSlot) {
      this.stored[slot] = value;
      this.lastReadSlot = slot;
    }
    this.latest[slot] = value;
  }

  /** True when the server's background loop would train at `nowMs`. */
  trainingDue(nowMs: number): boolean {
    if (nowMs < this.nextAttemptMs) return false;
    return nowMs - (this.model?.trainedAtMs ?? -Infinity) >= this.settings.retrainIntervalMs;
  }

  /** One training attempt at `nowMs`, then a reload of the current model. */
  async train(nowMs: number): Promise<TrainingOutcome> {
    this.nowMs = nowMs;
    await this.flush();
    const started = performance.now();
    const { outcome, record } = await this.trainer.train(this.config);
    this.stats.trainingMs += performance.now() - started;
    this.stats.attempts++;
    if (outcome === 'saved') this.stats.saved++;
    else if (outcome === 'kept_previous') this.stats.keptPrevious++;
    else if (outcome === 'skipped') this.stats.skipped++;
    else this.stats.failed++;
    // After "kept previous" the server looks again a minute later and keeps doing so while the current
    // model is due; here the next attempt waits a whole interval, the schedule RETRAIN_INTERVAL promises.
    this.nextAttemptMs =
      nowMs +
      (outcome === 'kept_previous'
        ? this.settings.retrainIntervalMs
        : Math.min(this.settings.retrainIntervalMs, RETRY_GAP_MS));
    if (outcome === 'saved' || outcome === 'kept_previous') {
      // The trainer answers with the current record (a copy of what the store holds): no second read.
      const current = record ?? (await this.store.getModels<TrainedModel>(this.key)).current;
      if (current && current.version !== this.version) {
        this.model = current.model;
        this.version = current.version;
        if (outcome === 'saved' && current.model.usable) this.stats.usableSaved++;
      }
    }
    return outcome;
  }

  /** The forecast over the lead window, or undefined while no usable model exists (live-only). */
  view(nowMs: number): ForecastView | undefined {
    const model = this.model;
    if (!model || !model.usable) return undefined;
    const step = model.stepMs;
    const from = Math.max(0, Math.floor(model.window.toMs / step) - this.firstSlot);
    const recentLength = Math.max(0, this.lastReadSlot - from + 1);
    const recentEnd = (this.firstSlot + this.lastReadSlot) * step;
    const lastSampleMs = Math.max(model.window.toMs - step, recentLength > 0 ? recentEnd : -Infinity);
    if (nowMs - lastSampleMs > this.config.horizonMs) return undefined;
    const slot = Math.floor(nowMs / step);
    const cached = this.cached;
    let result: ForecastResult;
    if (
      cached &&
      cached.slot === slot &&
      cached.recentLength === recentLength &&
      cached.version === this.version
    ) {
      result = cached.result;
    } else {
      // A plain loop: Array.from over a typed array goes through its iterator, several times slower.
      const values: number[] = [];
      const end = Math.min(from + recentLength, this.latest.length);
      for (let i = from; i < end; i++) values.push(this.latest[i] as number);
      const recent: RegularSeries = { startMs: (this.firstSlot + from) * step, stepMs: step, values };
      try {
        result = forecastFrom(model, recent, stepsToCover(lastSampleMs, step, nowMs, this.config.leadTimeMs));
      } catch {
        // The server logs and runs live-only for this call; so does the replay.
        return undefined;
      }
      this.cached = { slot, recentLength, version: this.version, result };
    }
    return summariseForecast(result, nowMs, this.config.leadTimeMs, model.method);
  }

  private async flush(): Promise<void> {
    const from = this.flushedThrough + 1;
    if (this.lastReadSlot < from) return;
    await this.store.writeSamples(this.config.signalId, historySpec(this.config), {
      startMs: (this.firstSlot + from) * this.stepMs,
      stepMs: this.stepMs,
      values: Array.from(this.stored.subarray(from, this.lastReadSlot + 1)),
    });
    this.flushedThrough = this.lastReadSlot;
  }
}
