import type { Logger } from 'pino';
import type { TriggerConfig } from '../../sources/trigger-metadata';
import type { ScalerMetrics } from '../../metrics/scaler-metrics';
import type { Source } from '../../sources/source';
import { ModelPinnedError, type ModelRecord, type StateStore } from '../../store/state-store';
import { MODEL_FORMAT_VERSION } from '../model-state';
import type { TrainedModel } from '../types';
import { historySpec, modelKey, trainingOptions } from './model-key';
import type { ModelFitter } from './model-fitter';

/** `pinned`: an operator pinned the current model, so the new one was not promoted. */
export type TrainingOutcome = 'saved' | 'kept_previous' | 'pinned' | 'skipped' | 'locked' | 'failed';

export interface ModelTrainerOptions {
  store: StateStore;
  metrics: ScalerMetrics;
  logger: Logger;
  clock: () => number;
  sourceFor: (config: TriggerConfig) => Source;
  /** Lock expiry: a replica that dies mid-training blocks the others at most this long. @default 5m */
  lockTtlMs: number;
  /** Fewer samples than this and there is nothing to learn yet. @default 60 */
  minSamples: number;
  /** A worse new model still replaces a current one older than this, so a changed pattern is learned. @default 3d */
  maxModelAgeMs: number;
  /** Where the numerics run (a worker thread in the server). */
  fitter: ModelFitter;
  /** Lets tests stop a replica in the middle of training. */
  beforeTrain?: (key: string) => Promise<void>;
}

/**
 * Trains one model of one signal: takes the signal's training lock, backfills history from the source the
 * first time (Prometheus and GPU sources keep history), learns, and promotes the new model unless it
 * scores clearly worse than the current one.
 */
export class ModelTrainer {
  private readonly shownInfo = new Map<string, { signal: string; method: string; usable: string }>();

  constructor(private readonly options: ModelTrainerOptions) {}

  /**
   * @param options.drifted the current model's live error has disproved its backtest (`DriftDetector`):
   *   a new model that beats the baselines replaces it even if its backtest scores worse, since the
   *   current one's score no longer says anything. One that does not is still kept out: it would leave
   *   the trigger live-only (docs/operations.md, "Drift").
   */
  async train(
    config: TriggerConfig,
    options: { drifted?: boolean } = {},
  ): Promise<{ outcome: TrainingOutcome; record?: ModelRecord<TrainedModel> }> {
    const { store, metrics, logger, clock } = this.options;
    const key = modelKey(config);
    const token = await store.tryLock(`train:${key}`, this.options.lockTtlMs);
    if (token === undefined) return { outcome: 'locked' };
    const stopTimer = metrics.modelTrainingDuration.startTimer();
    try {
      // An operator's pin holds whatever training finds: do not fit a model that cannot be promoted.
      if ((await store.pinnedModelVersion(key)) !== undefined) {
        const { current } = await store.getModels<TrainedModel>(key);
        logger.debug({ model: key, metric: config.metricName }, 'model is pinned; not training');
        stopTimer({ outcome: 'pinned' });
        return { outcome: 'pinned', ...(current && { record: current }) };
      }
      await this.backfillOnce(config);
      const now = clock();
      const spec = historySpec(config);
      const history = await store.readHistory(config.signalId, spec, now - config.historyWindowMs, now);
      const samples = history.values.reduce((count, v) => (Number.isFinite(v) ? count + 1 : count), 0);
      if (samples < this.options.minSamples) {
        stopTimer({ outcome: 'skipped' });
        return { outcome: 'skipped' };
      }
      await this.options.beforeTrain?.(key);
      const model = await this.options.fitter.fit(history, trainingOptions(config), now);
      const { current } = await store.getModels<TrainedModel>(key);
      const replacesDrifted = options.drifted === true && model.usable;
      if (current && !replacesDrifted && this.isClearlyWorse(model, current.model, now)) {
        logger.info(
          { model: key, method: model.method, mase: meanMase(model), currentMase: meanMase(current.model) },
          'new model scores worse than the current one; keeping the current model',
        );
        stopTimer({ outcome: 'kept_previous' });
        return { outcome: 'kept_previous', record: current };
      }
      let record: ModelRecord<TrainedModel>;
      try {
        record = await store.saveModel(key, model, {
          keepPrevious: current?.model.usable ?? false,
          nowMs: now,
          promotedBy: 'trainer',
        });
      } catch (error) {
        if (!(error instanceof ModelPinnedError)) throw error;
        logger.info(
          { model: key, metric: config.metricName, pinnedVersion: error.pinnedVersion },
          'model is pinned; the newly trained one is not promoted',
        );
        stopTimer({ outcome: 'pinned' });
        return { outcome: 'pinned', ...(current && { record: current }) };
      }
      this.export(key, model, current?.model);
      logger.info(
        {
          audit: 'model.promoted',
          promotedBy: 'trainer',
          model: key,
          metric: config.metricName,
          method: model.method,
          usable: model.usable,
          reason: model.reason,
          version: record.version,
          replacedVersion: current?.version,
          ...(options.drifted && { drifted: true }),
        },
        model.usable
          ? 'model trained'
          : 'model trained but does not beat the baselines: trigger runs live-only',
      );
      stopTimer({ outcome: 'saved' });
      return { outcome: 'saved', record };
    } catch (error) {
      logger.warn({ model: key, metric: config.metricName, err: error }, 'training failed');
      stopTimer({ outcome: 'failed' });
      return { outcome: 'failed' };
    } finally {
      await store.releaseLock(`train:${key}`, token).catch(() => false);
    }
  }

  private async backfillOnce(config: TriggerConfig): Promise<void> {
    const source = this.options.sourceFor(config);
    if (!source.readRange) return;
    const { store, clock, logger, metrics } = this.options;
    const spec = historySpec(config);
    // The marker is a lock that lives as long as the window: taken once per signal, across all replicas.
    const marker = `backfill:${config.signalId}:${spec.stepMs}`;
    const token = await store.tryLock(marker, config.historyWindowMs);
    if (token === undefined) return;
    const now = clock();
    try {
      const series = await source.readRange(now - config.historyWindowMs, now, spec.stepMs);
      await store.writeSamples(config.signalId, spec, series);
      const written = series.values.filter((v) => Number.isFinite(v)).length;
      metrics.historySamples.inc({ source: source.kind }, written);
      logger.info({ metric: config.metricName, samples: written }, 'history backfilled from the source');
    } catch (error) {
      await store.releaseLock(marker, token).catch(() => false);
      throw error;
    }
  }

  private isClearlyWorse(candidate: TrainedModel, current: TrainedModel, now: number): boolean {
    // A model stored by an older release cannot forecast in this one: anything replaces it.
    if (current.formatVersion !== MODEL_FORMAT_VERSION) return false;
    if (!current.usable) return false;
    if (now - current.trainedAtMs > this.options.maxModelAgeMs) return false;
    if (!candidate.usable) return true;
    return meanMase(candidate) > meanMase(current) * 1.2;
  }

  private export(key: string, model: TrainedModel, previous: TrainedModel | undefined): void {
    const { metrics } = this.options;
    const shown = this.shownInfo.get(key);
    if (shown) metrics.modelInfo.remove(shown);
    const info = { signal: key, method: model.method, usable: String(model.usable) };
    this.shownInfo.set(key, info);
    metrics.modelInfo.set(info, 1);
    metrics.modelTrainedAt.set({ signal: key }, model.trainedAtMs / 1000);
    for (const score of model.scores) {
      if (Number.isFinite(score.mase)) {
        metrics.modelBacktestMase.set(
          { signal: key, method: score.method, lead: `${Math.round(score.leadMs / 1000)}s` },
          score.mase,
        );
      }
    }
    const newAnomalies = model.anomaliesFlagged - (previous?.anomaliesFlagged ?? 0);
    if (newAnomalies > 0) metrics.anomalies.inc({ signal: key }, newAnomalies);
  }
}

/** Mean backtest MASE of the chosen method over the lead times. */
export function meanMase(model: TrainedModel): number {
  const own = model.scores.filter((s) => s.method === model.method && Number.isFinite(s.mase));
  return own.length === 0 ? Infinity : own.reduce((sum, s) => sum + s.mase, 0) / own.length;
}
