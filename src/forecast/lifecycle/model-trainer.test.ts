import pino from 'pino';
import { ScalerMetrics } from '../../metrics/scaler-metrics';
import { simulatedTrigger } from '../../sim/trigger';
import { MemoryStore } from '../../store/memory-store';
import { MODEL_FORMAT_VERSION } from '../model-state';
import { syntheticSeries } from '../synthetic-series';
import { trainModel } from '../train';
import type { TrainedModel } from '../types';
import { historySpec, modelKey, trainingOptions } from './model-key';
import { ModelTrainer } from './model-trainer';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const NOW = Date.parse('2024-03-04T00:00:00Z');

describe('ModelTrainer', () => {
  const config = simulatedTrigger({ target: '10', leadTime: '10m' });
  const history = syntheticSeries({
    days: 2,
    stepMs: MINUTE,
    startMs: NOW - 2 * DAY,
    level: 50,
    daily: 20,
    noise: 1,
    seed: 3,
  });

  async function trainerOver(
    fitted: TrainedModel,
    stored: TrainedModel,
    duringFit: (store: MemoryStore) => Promise<unknown> = () => Promise.resolve(),
  ): Promise<{ trainer: ModelTrainer; store: MemoryStore; fits: () => number }> {
    let fitCount = 0;
    const store = new MemoryStore(() => NOW);
    await store.writeSamples(config.signalId, historySpec(config), history);
    await store.saveModel(modelKey(config), stored, { keepPrevious: false, nowMs: NOW - MINUTE });
    const trainer = new ModelTrainer({
      store,
      metrics: new ScalerMetrics(),
      logger: pino({ level: 'silent' }),
      clock: () => NOW,
      sourceFor: () => ({ kind: 'test', read: () => Promise.reject(new Error('not read in training')) }),
      lockTtlMs: 5 * MINUTE,
      minSamples: 60,
      maxModelAgeMs: 3 * DAY,
      fitter: {
        fit: async () => {
          fitCount++;
          await duringFit(store);
          return fitted;
        },
        close: () => Promise.resolve(),
      },
    });
    return { trainer, store, fits: () => fitCount };
  }

  const usable = trainModel(history, trainingOptions(config), NOW);
  const unusable: TrainedModel = { ...usable, usable: false, method: 'seasonal-naive-day' };

  it('keeps a recent usable model over a new one that does not beat the baselines', async () => {
    expect(usable.usable).toBe(true);
    const { trainer } = await trainerOver(unusable, usable);
    expect((await trainer.train(config)).outcome).toBe('kept_previous');
  });

  it('replaces a drifted model with a usable one that backtests worse, and keeps it for rollback', async () => {
    const worse: TrainedModel = {
      ...usable,
      scores: usable.scores.map((s) => (s.method === usable.method ? { ...s, mase: s.mase * 2 } : s)),
    };
    const scheduled = await trainerOver(worse, usable);
    expect((await scheduled.trainer.train(config)).outcome).toBe('kept_previous');

    const { trainer, store } = await trainerOver(worse, usable);
    expect((await trainer.train(config, { drifted: true })).outcome).toBe('saved');
    const { current, previous } = await store.getModels<TrainedModel>(modelKey(config));
    expect(current?.model.scores).toEqual(worse.scores);
    expect(previous?.model.scores).toEqual(usable.scores);
  });

  it('keeps a drifted model over a new one that does not beat the baselines', async () => {
    const { trainer } = await trainerOver(unusable, usable);
    expect((await trainer.train(config, { drifted: true })).outcome).toBe('kept_previous');
  });

  it('replaces a model stored in an older format whatever the new one scores', async () => {
    const { trainer, store } = await trainerOver(unusable, {
      ...usable,
      formatVersion: MODEL_FORMAT_VERSION - 1,
    });
    expect((await trainer.train(config)).outcome).toBe('saved');
    const { current } = await store.getModels<TrainedModel>(modelKey(config));
    expect(current?.model.formatVersion).toBe(MODEL_FORMAT_VERSION);
  });

  it('leaves a pinned model current and records who promoted each version', async () => {
    const { trainer, store, fits } = await trainerOver(usable, usable);
    const key = modelKey(config);
    await store.pinModel(key, { nowMs: NOW });
    const pinned = await trainer.train(config);
    expect(pinned.outcome).toBe('pinned');
    expect(pinned.record?.version).toBe(1);
    // Nothing is fitted while pinned: the pin would refuse the result anyway.
    expect(fits()).toBe(0);
    expect((await store.modelHistory(key)).versions.map((kept) => kept.version)).toEqual([1]);

    await store.unpinModel(key);
    expect((await trainer.train(config)).outcome).toBe('saved');
    expect(fits()).toBe(1);
    const history = await store.modelHistory(key);
    expect(history.currentVersion).toBe(2);
    expect(history.versions[0]).toMatchObject({ version: 2, promotedBy: 'trainer', promotedAtMs: NOW });
  });

  it('leaves the current model when an operator pins it while a training is fitting', async () => {
    const key = modelKey(config);
    const { trainer, store } = await trainerOver(usable, usable, (s) => s.pinModel(key, { nowMs: NOW }));
    const outcome = await trainer.train(config);
    expect(outcome).toMatchObject({ outcome: 'pinned', record: { version: 1 } });
    expect((await store.modelHistory(key)).versions.map((kept) => kept.version)).toEqual([1]);
  });
});
