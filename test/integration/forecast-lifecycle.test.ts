import Redis from 'ioredis';
import { historySpec } from '../../src/forecast/lifecycle/model-key';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';
import { RedisStore } from '../../src/store/redis-store';
import { dailyPattern, openMetricsGauge } from '../support/openmetrics';
import { waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

const MINUTE = 60_000;

/**
 * A week of a daily pattern is loaded into a real Prometheus as TSDB blocks; the next rise is due ten
 * minutes from now. The scaler backfills that history into the real Redis, learns it, and must wake the
 * trigger (IsActive) before the rise, while the live value is still low. A workload that takes twelve
 * minutes to start gets the pre-warm value now (the model forecasts 5-minute blocks, so the rise at +10m is
 * forecast in full from the middle of its block, +12.5m); one that starts in two minutes is awake but gets
 * no capacity yet.
 */
describe('learning from backfilled Prometheus history', () => {
  const prefix = `kps-test-lifecycle-${process.pid}-${Date.now()}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const samples = dailyPattern({
    fromMs: now - 7 * 1440 * MINUTE,
    toMs: now,
    stepMs: MINUTE,
    riseAtMs: now + 10 * MINUTE,
    busyMs: 2 * 3_600_000,
    low: 2,
    high: 100,
    noise: 6,
  });
  let prometheus: TestPrometheus;
  let scaler: TestScaler;

  beforeAll(async () => {
    prometheus = await startPrometheus({ openMetricsHistory: openMetricsGauge('app_load', samples) });
    scaler = await startTestScaler({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      RETRAIN_INTERVAL: '1h',
      MODEL_REFRESH_INTERVAL: '500ms',
      EVALUATION_TTL: '0s',
      PUSH_POLL_INTERVAL_SLOW: '200ms',
    });
  }, 120_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const metadata = (startupTime = '12m') => ({
    source: 'prometheus',
    serverAddress: prometheus.url,
    query: 'max(max_over_time(app_load[1m]))',
    threshold: '10',
    activationThreshold: '5',
    leadTime: '15m',
    startupTime,
    horizon: '30m',
    seasonality: 'daily',
    historyWindow: '7d',
  });

  let pushed: Promise<boolean[]>;

  it('is inactive while live load is low and no model exists yet', async () => {
    const ref = kedaRef(metadata());
    // A push stream opened now must wake the deployment from the forecast alone, once the model is ready.
    const stream = scaler.client.streamIsActive(kedaRef(metadata(), 'push-worker'));
    pushed = new Promise((resolve, reject) => {
      const messages: boolean[] = [];
      stream.on('data', (message: { result: boolean }) => {
        messages.push(message.result);
        if (message.result) {
          stream.cancel();
          resolve(messages);
        }
      });
      stream.on('error', (error: { code: number }) => (error.code === 1 ? undefined : reject(error)));
    });
    const value = (await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat;
    expect(value).toBeLessThan(5);
    expect((await scaler.client.isActive(ref)).result).toBe(false);
  });

  it('backfills the history window into Redis, matching what Prometheus holds', async () => {
    const config = parseTriggerMetadata(metadata());
    const store = new RedisStore(redis, { keyPrefix: prefix });
    const history = await waitFor(
      'backfilled history',
      async () => {
        const series = await store.readHistory(
          config.signalId,
          historySpec(config),
          now - 7 * 1440 * MINUTE,
          now,
        );
        return series.values.filter(Number.isFinite).length > 7 * 1440 * 0.95 ? series : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const [rangeSample] = await prometheus.query(
      `max(max_over_time(app_load[1m] @ ${(now - 3 * 1440 * MINUTE) / 1000}))`,
    );
    const index = (now - 3 * 1440 * MINUTE - history.startMs) / MINUTE;
    expect(history.values[index]).toBeCloseTo(Number(rangeSample!.value[1]), 3);
    const chunkKeys = await redis.keys(`${prefix}:v1:{${config.signalId}}:hist:*`);
    expect(chunkKeys.length).toBeGreaterThanOrEqual(7);
    expect(chunkKeys.length).toBeLessThanOrEqual(9);
  }, 90_000);

  it('wakes the trigger before the next rise and returns the pre-warm value', async () => {
    const ref = kedaRef(metadata());
    await waitFor(
      'IsActive to turn true from the forecast',
      async () => ((await scaler.client.isActive(ref)).result ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    const response = await scaler.client.getMetrics(ref, '');
    expect(response.metricValues[0]!.metricValueFloat).toBeGreaterThan(80);
    const metrics = await (await fetch(`http://127.0.0.1:${scaler.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/keda_predictive_scaler_live_value\{[^}]*\} [0-4](\.\d+)?\n/);
    expect(metrics).toMatch(/keda_predictive_scaler_decisions_total\{[^}]*reason="forecast"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/keda_predictive_scaler_model_info\{[^}]*usable="true"[^}]*\} 1/);
    expect(metrics).toMatch(/keda_predictive_scaler_wakeups_total\{[^}]*cause="forecast"[^}]*\} 1/);
  }, 90_000);

  it('wakes a quickly starting workload too, but buys its capacity only start-up time before the rise', async () => {
    // The same signal and model (the start-up time is not part of what is learned).
    const quick = kedaRef(metadata('2m'), 'quick-worker');
    expect((await scaler.client.isActive(quick)).result).toBe(true);
    const value = (await scaler.client.getMetrics(quick, '')).metricValues[0]!.metricValueFloat;
    expect(value).toBeLessThan(10);
  }, 30_000);

  it('pushes the forecast wake-up on StreamIsActive: the current state first, then one true', async () => {
    expect(await pushed).toEqual([false, true]);
  }, 90_000);

  it('keeps the forecast out of the value in shadow mode but exports it', async () => {
    const ref = kedaRef({ ...metadata(), predictive: 'shadow' }, 'shadow-worker');
    await waitFor(
      'shadow forecast exported',
      async () => {
        await scaler.client.getMetrics(ref, '');
        const metrics = await (await fetch(`http://127.0.0.1:${scaler.httpPort}/metrics`)).text();
        return /keda_predictive_scaler_forecast_upper\{[^}]*scaled_object="shadow-worker"[^}]*\} (\d+)/.exec(
          metrics,
        )?.[1];
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect((await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat).toBeLessThan(5);
    expect((await scaler.client.isActive(ref)).result).toBe(false);
  }, 90_000);
});
