import pino from 'pino';
import { Registry } from 'prom-client';
import { readSettings } from '../../config/settings';
import { ScalerMetrics } from '../../metrics/scaler-metrics';
import { parseTriggerMetadata } from '../../sources/trigger-metadata';
import { MemoryStore } from '../../store/memory-store';
import { SCALER_TEST_OPTIONS, syntheticSeries } from '../synthetic-series';
import { trainModel } from '../train';
import { ForecastService, forecastServiceSettings, type TrainingAttempt } from './forecast-service';
import { inlineFitter } from './model-fitter';
import { historySpec, modelKey } from './model-key';

describe('ForecastService: reloading models', () => {
  it('reads a model from the store only when its version has changed', async () => {
    let now = Date.UTC(2024, 0, 10);
    const store = new MemoryStore(() => now);
    const getModels = jest.spyOn(store, 'getModels');
    const settings = forecastServiceSettings(readSettings({ MODEL_REFRESH_INTERVAL: '30s' }));
    const service = new ForecastService(
      {
        store,
        metrics: new ScalerMetrics(new Registry(), { defaultMetrics: false }),
        logger: pino({ level: 'silent' }),
        clock: () => now,
        sourceFor: () => ({ kind: 'none', read: () => Promise.reject(new Error('not read')) }),
      },
      { ...settings, tickMs: 0, fitter: inlineFitter },
    );
    const config = parseTriggerMetadata({
      source: 'rabbitmq',
      host: 'amqp://127.0.0.1',
      queueName: 'tasks',
      value: '5',
    });
    const key = modelKey(config);
    const history = syntheticSeries({ days: 2, stepMs: 60_000, daily: 20, noise: 2 });
    const model = trainModel(history, SCALER_TEST_OPTIONS, now);
    service.view(config, now);
    const refresh = async (): Promise<void> => {
      now += 31_000;
      await service.runOnce();
    };

    await store.saveModel(key, model, { keepPrevious: true, nowMs: now });
    await refresh();
    expect(getModels).toHaveBeenCalledTimes(1);
    expect(service.models().find((m) => m.key === key)?.version).toBe(1);

    await refresh();
    await refresh();
    expect(getModels).toHaveBeenCalledTimes(1);

    // Another replica saves a new version, or rolls back: the next refresh reads it.
    await store.saveModel(key, model, { keepPrevious: true, nowMs: now });
    await refresh();
    expect(getModels).toHaveBeenCalledTimes(2);
    expect(service.models().find((m) => m.key === key)?.version).toBe(2);
    await store.rollbackModel(key);
    await refresh();
    expect(getModels).toHaveBeenCalledTimes(3);
    expect(service.models().find((m) => m.key === key)?.version).toBe(1);
    await service.stop();
  });
});

describe('ForecastService: retraining on drift', () => {
  /** A service whose model was trained an hour ago, with RETRAIN_INTERVAL a day: nothing is due. */
  async function trainedAnHourAgo(env: Record<string, string> = {}) {
    let now = Date.UTC(2024, 0, 10);
    const store = new MemoryStore(() => now);
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const attempts: TrainingAttempt[] = [];
    const service = new ForecastService(
      {
        store,
        metrics: new ScalerMetrics(new Registry(), { defaultMetrics: false }),
        logger,
        clock: () => now,
        sourceFor: () => ({ kind: 'none', read: () => Promise.reject(new Error('not read')) }),
      },
      {
        ...forecastServiceSettings(readSettings({ RETRAIN_INTERVAL: '1d', ...env })),
        tickMs: 0,
        fitter: inlineFitter,
        onTrainingAttempt: (attempt) => attempts.push(attempt),
      },
    );
    const config = parseTriggerMetadata({
      source: 'rabbitmq',
      host: 'amqp://user:secret@127.0.0.1',
      queueName: 'tasks',
      value: '5',
    });
    const history = syntheticSeries({ days: 2, stepMs: 60_000, startMs: now - 2 * 86_400_000, daily: 20 });
    await store.writeSamples(config.signalId, historySpec(config), history);
    expect(await service.trainNow(config)).toBe('saved');
    now += 60 * 60_000;
    expect(service.trainingDue(now)).toBe(false);
    return { service, config, lines, attempts, now };
  }

  it('trains at the next pass instead of an interval later, says so once, and tells the trainer why', async () => {
    const { service, config, lines, attempts, now } = await trainedAnHourAgo();

    service.retrain(config, { liveMase: 2.5, backtestMase: 0.4, threshold: 1 });
    expect(service.trainingDue(now)).toBe(true);
    await service.runOnce();
    expect(attempts).toMatchObject([{ key: modelKey(config), drifted: true, outcome: 'saved' }]);
    expect(service.trainingDue(now + 60_000)).toBe(false);

    const drift = lines.filter((line) => line.level === 40);
    expect(drift).toEqual([
      expect.objectContaining({
        model: modelKey(config),
        liveMase: 2.5,
        backtestMase: 0.4,
        threshold: 1,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
    await service.stop();
  });

  it('with DRIFT_RETRAINING false, says so and leaves the model to its schedule', async () => {
    const { service, config, lines, attempts, now } = await trainedAnHourAgo({ DRIFT_RETRAINING: 'false' });

    service.retrain(config, { liveMase: 2.5, backtestMase: 0.4, threshold: 1 });
    expect(service.trainingDue(now)).toBe(false);
    await service.runOnce();
    expect(attempts).toEqual([]);
    expect(service.trainingDue(now + 23 * 3_600_000)).toBe(true);

    const drift = lines.filter((line) => line.level === 40);
    expect(drift).toEqual([
      expect.objectContaining({
        model: modelKey(config),
        liveMase: 2.5,
        msg: expect.stringContaining(
          'DRIFT_RETRAINING is false, the model waits for its scheduled retraining',
        ),
      }),
    ]);
    await service.stop();
  });
});
