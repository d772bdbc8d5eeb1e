import type { Logger } from 'pino';
import type { Settings } from '../../config/settings';
import type { TriggerConfig } from '../../sources/trigger-metadata';
import type { ScalerMetrics } from '../../metrics/scaler-metrics';
import type { Reading, Source } from '../../sources/source';
import type { StateStore } from '../../store/state-store';
import type { DriftReport, ForecastPort, ForecastView } from '../port/forecast-port';
import type { ViewWindows } from '../port/forecast-view';
import type { TrainedModel } from '../types';
import { historySpec } from './model-key';
import { WorkerFitter, type ModelFitter } from './model-fitter';
import { ModelTrainer, type TrainingOutcome } from './model-trainer';
import { LIFECYCLE_DEFAULTS, type TrainingSchedule } from './training-schedule';
import { TriggerForecaster } from './trigger-forecaster';

/** What the forecast service is built from; the composition root passes the scaler's own parts. */
export interface ForecastServiceDeps {
  store: StateStore;
  metrics: ScalerMetrics;
  logger: Logger;
  clock: () => number;
  /** The live source of a trigger (shared with the request path), for history backfill. */
  sourceFor: (config: TriggerConfig) => Source;
}

/** One training attempt, as the service saw it. */
export interface TrainingAttempt {
  key: string;
  outcome: TrainingOutcome;
  /** The model now current after a saved or kept model, else undefined. */
  model: TrainedModel | undefined;
  /** Wall-clock time of the attempt (lock, history read, fit, promotion). */
  elapsedMs: number;
  /** Asked for by the drift rule rather than by the schedule. */
  drifted: boolean;
}

export interface ForecastServiceSettings extends TrainingSchedule {
  /** How often models and recent history are reloaded from the store (what other replicas trained). */
  refreshIntervalMs: number;
  /**
   * How often the background loop looks for due work; 0 runs no loop, and the owner calls `runOnce`
   * (the simulator, on its own clock). @default min(retrain, refresh, 10s)
   */
  tickMs?: number;
  /** Lets tests stop a replica in the middle of training. */
  beforeTrain?: (key: string) => Promise<void>;
  /**
   * Whether a drifted forecast retrains its model at once (`DRIFT_RETRAINING`); off, it waits for its
   * scheduled retraining. @default true
   */
  driftRetraining?: boolean;
  /** Where training runs. @default a worker thread */
  fitter?: ModelFitter;
  /** Told of every training attempt (the simulator counts them). */
  onTrainingAttempt?: (attempt: TrainingAttempt) => void;
}

/** The service's settings from the process settings. */
export function forecastServiceSettings(settings: Settings): ForecastServiceSettings {
  return {
    retrainIntervalMs: settings.retrainIntervalMs,
    refreshIntervalMs: settings.modelRefreshIntervalMs,
    trainingLockTtlMs: settings.trainingLockTtlMs,
    driftRetraining: settings.driftRetraining,
  };
}

interface Tracked {
  forecaster: TriggerForecaster;
  lastRefreshMs: number;
}

/**
 * The forecast side of a running scaler: one `TriggerForecaster` per model, and the work around them.
 * The request path only calls `view` and `observe`, which work on memory. Sampling writes, training and
 * reloading run in a background loop; training takes a lock in the store so one replica trains each
 * model, and every replica reloads the result.
 */
export class ForecastService implements ForecastPort {
  private readonly tracked = new Map<string, Tracked>();
  private readonly byConfig = new WeakMap<TriggerConfig, Tracked>();
  private readonly trainer: ModelTrainer;
  private readonly fitter: ModelFitter;
  private readonly timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: ForecastServiceDeps,
    private readonly settings: ForecastServiceSettings,
  ) {
    this.fitter = settings.fitter ?? new WorkerFitter();
    this.trainer = new ModelTrainer({
      fitter: this.fitter,
      store: deps.store,
      metrics: deps.metrics,
      logger: deps.logger,
      clock: deps.clock,
      sourceFor: deps.sourceFor,
      lockTtlMs: settings.trainingLockTtlMs,
      minSamples: LIFECYCLE_DEFAULTS.minSamples,
      maxModelAgeMs: LIFECYCLE_DEFAULTS.maxModelAgeMs,
      beforeTrain: settings.beforeTrain,
    });
    const tick = settings.tickMs ?? Math.min(settings.retrainIntervalMs, settings.refreshIntervalMs, 10_000);
    if (tick > 0) {
      this.timer = setInterval(() => void this.runOnce(), tick);
      this.timer.unref();
    }
  }

  view(config: TriggerConfig, nowMs: number, windows: ViewWindows = config): ForecastView | undefined {
    return this.track(config).forecaster.view(nowMs, windows);
  }

  observe(config: TriggerConfig, reading: Reading): void {
    if (!this.track(config).forecaster.observe(reading)) return;
    this.deps.store
      .appendSample(config.signalId, historySpec(config), reading.atMs, reading.value)
      .then(() => this.deps.metrics.historySamples.inc({ source: config.source }))
      .catch((error: unknown) =>
        this.deps.logger.debug({ err: error, metric: config.metricName }, 'could not write history sample'),
      );
  }

  /**
   * The forecast drifted from its backtest's promise (`DriftDetector`): trains this trigger's model on the
   * next pass instead of a retrain interval after the last one, and starts that pass now when a loop
   * runs. Said once per drift in the log, at warn: the forecast has been steering scaling on a model that
   * no longer fits. With `driftRetraining` off only the log line, once per `DRIFT_WINDOW` while the
   * forecast stays worse: on signals that run in bursts, retraining at once has made forecasts worse
   * (docs/operations.md, "Drift").
   */
  retrain(config: TriggerConfig, drift: DriftReport): void {
    const { forecaster } = this.track(config);
    const retrainNow = this.settings.driftRetraining ?? true;
    this.deps.logger.warn(
      {
        model: forecaster.key,
        metric: config.metricName,
        liveMase: drift.liveMase,
        backtestMase: drift.backtestMase,
        threshold: drift.threshold,
      },
      retrainNow
        ? 'forecast worse than its backtest promised for the whole drift window; retraining the model now'
        : 'forecast worse than its backtest promised for the whole drift window; DRIFT_RETRAINING is false, the model waits for its scheduled retraining',
    );
    if (!retrainNow) return;
    forecaster.requestTraining();
    if (this.timer !== undefined && !this.stopped) void this.runOnce();
  }

  /** True when some model's training is due at `nowMs` (an owner that runs no loop asks this). */
  trainingDue(nowMs: number): boolean {
    for (const { forecaster } of this.tracked.values())
      if (forecaster.trainingDue(nowMs, this.settings)) return true;
    return false;
  }

  /** Runs one pass of the background loop now: reloads what is due for reload, trains what is due. */
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

  /** The models this replica tracks, for the HTTP API and tests. */
  models(): Array<{ key: string; config: TriggerConfig; model: TrainedModel | undefined; version: number }> {
    return [...this.tracked.values()].map(({ forecaster }) => ({
      key: forecaster.key,
      config: forecaster.config,
      ...forecaster.current,
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.fitter.close();
  }

  private track(config: TriggerConfig): Tracked {
    let tracked = this.byConfig.get(config);
    if (tracked) return tracked;
    const forecaster = new TriggerForecaster(config, (error) =>
      this.deps.logger.warn({ model: forecaster.key, err: error }, 'forecast failed; running live-only'),
    );
    tracked = this.tracked.get(forecaster.key);
    if (!tracked) {
      tracked = { forecaster, lastRefreshMs: 0 };
      this.tracked.set(forecaster.key, tracked);
    }
    this.byConfig.set(config, tracked);
    return tracked;
  }

  private async pass(): Promise<void> {
    for (const tracked of this.tracked.values()) {
      if (this.stopped) return;
      const { forecaster } = tracked;
      const now = this.deps.clock();
      if (now - tracked.lastRefreshMs >= this.settings.refreshIntervalMs) await this.refresh(tracked);
      if (!forecaster.trainingDue(now, this.settings)) continue;
      const started = performance.now();
      const drifted = forecaster.trainingRequested;
      const { outcome, record } = await this.trainer.train(forecaster.config, { drifted });
      forecaster.attempted(outcome, now, this.settings);
      const promotedOrKept = outcome === 'saved' || outcome === 'kept_previous' || outcome === 'pinned';
      if (promotedOrKept) {
        // The record the store answered with is this replica's own copy: no need to read it back.
        forecaster.adopt(record);
        await this.refresh(tracked);
      }
      this.settings.onTrainingAttempt?.({
        key: forecaster.key,
        outcome,
        model: promotedOrKept ? forecaster.current.model : undefined,
        elapsedMs: performance.now() - started,
        drifted,
      });
    }
  }

  private async refresh(tracked: Tracked): Promise<void> {
    const { store, clock, logger } = this.deps;
    const { forecaster } = tracked;
    const now = clock();
    tracked.lastRefreshMs = now;
    try {
      // The version first: a model that has not changed (nearly every refresh) is not read again.
      const version = await store.currentModelVersion(forecaster.key);
      if (version !== undefined && version !== forecaster.current.version) {
        const { current } = await store.getModels<TrainedModel>(forecaster.key);
        forecaster.adopt(current);
      }
      const fromMs = forecaster.tailStartMs(now);
      if (fromMs === undefined) return;
      const spec = historySpec(forecaster.config);
      forecaster.mergeStoredTail(
        await store.readHistory(forecaster.config.signalId, spec, fromMs, now + spec.stepMs),
      );
    } catch (error) {
      logger.debug(
        { model: forecaster.key, err: error },
        'could not reload model; keeping the one in memory',
      );
    }
  }
}
