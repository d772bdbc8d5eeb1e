import { Writable } from 'node:stream';
import Redis from 'ioredis';
import pino from 'pino';
import { Registry, type Gauge } from 'prom-client';
import { readSettings } from '../../src/config/settings';
import {
  ForecastService,
  forecastServiceSettings,
  type TrainingAttempt,
} from '../../src/forecast/lifecycle/forecast-service';
import { inlineFitter } from '../../src/forecast/lifecycle/model-fitter';
import { historySpec, modelKey } from '../../src/forecast/lifecycle/model-key';
import { ScalerMetrics } from '../../src/metrics/scaler-metrics';
import { TriggerEvaluator } from '../../src/server/trigger-evaluator';
import { TriggerRegistry } from '../../src/server/trigger-registry';
import type { Source } from '../../src/sources/source';
import type { AmqpConnectionPool } from '../../src/sources/source-deps';
import { RedisStore } from '../../src/store/redis-store';

const MINUTE = 60_000;
const POLL_MS = 10_000;

/** The source is a function of the clock: no broker is ever reached. */
const NO_AMQP: AmqpConnectionPool = {
  acquire: () => {
    throw new Error('this test reads no broker');
  },
  size: 0,
  close: () => Promise.resolve(),
};

/**
 * A level shift planted in a signal the model had learned well: the server's own evaluator and forecast
 * service over the real Redis, on a clock the test moves (the rule needs an hour, the test a second). The
 * model's error at the lead climbs above what its backtest promised; an hour later the model is retrained
 * at once (RETRAIN_INTERVAL is a week), forecast_degraded is 1 meanwhile and drops to 0 once the new
 * model's forecasts are scored and fit the new level.
 */
describe('drift: a planted level shift', () => {
  const prefix = `kps-test-drift-${process.pid}-${Date.now()}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  let nowMs = Math.floor(Date.now() / MINUTE) * MINUTE;
  const clock = (): number => nowMs;
  let shift = 0;
  /** A 10-minute cycle around 100, plus the planted shift. */
  const load = (atMs: number): number =>
    100 + 30 * Math.sin((2 * Math.PI * atMs) / (10 * MINUTE)) + 2 * Math.sin(atMs / 97_000) + shift;

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  /**
   * A model learned on the unshifted signal, 30 minutes of polls it forecasts well, then the shift planted
   * and 4 hours of polls, each followed by the background pass whenever training is due.
   */
  async function plantShift(env: Record<string, string>, keyPrefix: string) {
    shift = 0;
    const logLines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    const store = new RedisStore(redis, { keyPrefix });
    const metrics = new ScalerMetrics(new Registry(), { defaultMetrics: false });
    const source: Source = { kind: 'fake', read: () => Promise.resolve({ value: load(nowMs), atMs: nowMs }) };
    const attempts: Array<TrainingAttempt & { atMs: number }> = [];
    const service = new ForecastService(
      { store, metrics, logger, clock, sourceFor: () => source },
      {
        ...forecastServiceSettings(
          readSettings({ RETRAIN_INTERVAL: '7d', MODEL_REFRESH_INTERVAL: '1m', ...env }),
        ),
        tickMs: 0,
        fitter: inlineFitter,
        onTrainingAttempt: (attempt) => attempts.push({ ...attempt, atMs: nowMs }),
      },
    );
    const evaluator = new TriggerEvaluator({
      store,
      metrics,
      logger,
      forecast: service,
      sourceDeps: { logger, amqp: NO_AMQP },
      clock,
      evaluationTtlMs: 0,
      createSource: () => source,
    });
    const handle = new TriggerRegistry(clock).resolve({
      namespace: 'shop',
      name: 'workers',
      scalerMetadata: {
        source: 'prometheus',
        serverAddress: 'http://127.0.0.1:1',
        query: 'sum(rate(requests_total[1m]))',
        threshold: '50',
        sampleInterval: '10s',
        leadTime: '2m',
        horizon: '4m',
        historyWindow: '1h',
        seasonality: 'none',
      },
    });
    const { config } = handle;
    const key = modelKey(config);
    const spec = historySpec(config);
    const history: number[] = [];
    for (let t = nowMs - config.historyWindowMs; t < nowMs; t += spec.stepMs) history.push(load(t));
    await store.writeSamples(config.signalId, spec, {
      startMs: nowMs - config.historyWindowMs,
      stepMs: spec.stepMs,
      values: history,
    });
    await evaluator.evaluate(handle);
    expect(await service.trainNow(config)).toBe('saved');

    const gauge = async (metric: Gauge): Promise<number | undefined> =>
      (await metric.get()).values.find((v) => v.labels.scaled_object === 'workers')?.value;
    /** One KEDA poll, then the background pass whenever training is due (as the loop would run it). */
    const poll = async (): Promise<number | undefined> => {
      nowMs += POLL_MS;
      await evaluator.evaluate(handle);
      if (service.trainingDue(nowMs)) await service.runOnce();
      return gauge(metrics.forecastDegraded);
    };

    // Learned well: the forecast beats "it stays as it is now" and is not degraded.
    for (let t = 0; t < 30 * MINUTE; t += POLL_MS) expect(await poll()).toBe(0);
    expect(await gauge(metrics.forecastLeadMase)).toBeLessThan(1);
    const promised = service.view(config, nowMs)?.backtestLeadRatio as number;
    expect(promised).toBeGreaterThan(0);

    shift = 80;
    const shiftedAtMs = nowMs;
    const timeline: Array<{ atMs: number; degraded: number | undefined }> = [];
    while (nowMs < shiftedAtMs + 4 * 60 * MINUTE) {
      const degraded = await poll();
      timeline.push({ atMs: nowMs, degraded });
    }
    const drift = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.level === 40);
    return { service, store, config, key, attempts, timeline, shiftedAtMs, promised, drift };
  }

  it('retrains at once after an hour worse than promised, and raises forecast_degraded until the new model fits', async () => {
    const { service, store, config, key, attempts, timeline, shiftedAtMs, promised, drift } =
      await plantShift({}, `${prefix}:on`);

    // One retraining, asked for by drift, long before RETRAIN_INTERVAL, at the poll that found it.
    expect(attempts).toHaveLength(1);
    const [retraining] = attempts as [TrainingAttempt & { atMs: number }];
    expect(retraining).toMatchObject({ drifted: true, outcome: 'saved', model: { usable: true } });
    expect(retraining.atMs).toBeGreaterThanOrEqual(shiftedAtMs + 60 * MINUTE);
    const raised = timeline.find((p) => p.degraded === 1);
    expect(raised?.atMs).toBe(retraining.atMs);
    expect(await store.currentModelVersion(key)).toBe(2);

    // 0 before, 1 from the retraining until the new model's first forecasts (lead 2m) are scored, 0 after.
    const degradedFor = timeline.filter((p) => p.degraded === 1);
    expect(degradedFor.length).toBeGreaterThan(0);
    const cleared = timeline.find((p) => p.atMs > retraining.atMs && p.degraded === 0);
    expect(cleared).toBeDefined();
    expect(cleared!.atMs - retraining.atMs).toBeLessThanOrEqual(config.leadTimeMs + 2 * POLL_MS);
    expect(
      timeline.every((p) => p.degraded === (p.atMs >= retraining.atMs && p.atMs < cleared!.atMs ? 1 : 0)),
    ).toBe(true);

    // One line said so, at warn, with what an operator needs and nothing from the trigger's metadata.
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({
      model: key,
      metric: config.metricName,
      backtestMase: promised,
      threshold: Math.max(1, 1.5 * promised),
    });
    expect(drift[0]!.liveMase).toBeGreaterThan(drift[0]!.threshold as number);
    expect(JSON.stringify(drift[0])).not.toContain('requests_total');
    await service.stop();
  }, 120_000);

  it('with DRIFT_RETRAINING false, raises forecast_degraded and says so, and leaves the model to its schedule', async () => {
    const { service, store, key, attempts, timeline, shiftedAtMs, drift } = await plantShift(
      { DRIFT_RETRAINING: 'false' },
      `${prefix}:off`,
    );

    // The same hour worse than promised is found, but nothing is trained before RETRAIN_INTERVAL (7d).
    const raised = timeline.find((p) => p.degraded === 1);
    expect(raised?.atMs).toBeGreaterThanOrEqual(shiftedAtMs + 60 * MINUTE);
    expect(timeline.filter((p) => p.atMs < raised!.atMs).every((p) => p.degraded === 0)).toBe(true);
    expect(attempts).toEqual([]);
    expect(await store.currentModelVersion(key)).toBe(1);
    // Said at warn once per DRIFT_WINDOW while the forecast stays worse: at most 3 in the 3 hours after the first.
    expect(drift.length).toBeGreaterThanOrEqual(1);
    expect(drift.length).toBeLessThanOrEqual(3);
    for (const line of drift) {
      expect(line).toMatchObject({
        model: key,
        msg: expect.stringContaining(
          'DRIFT_RETRAINING is false, the model waits for its scheduled retraining',
        ),
      });
    }
    await service.stop();
  }, 120_000);
});
