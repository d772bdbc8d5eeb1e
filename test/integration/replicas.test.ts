import Redis from 'ioredis';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';
import { ForecastService } from '../../src/forecast/lifecycle/forecast-service';
import { modelKey } from '../../src/forecast/lifecycle/model-key';
import type { HistorySpec } from '../../src/store/state-store';
import { dailyPattern, openMetricsGauge } from '../support/openmetrics';
import { waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * KEDA load-balances its calls round-robin over the scaler's pods. Two, then three, scaler instances on
 * one Redis (own key prefix): one trains the shared model and the others load it, they answer the same
 * for the same trigger, and their concurrent writes to one signal's history never corrupt it.
 */
describe('scaler replicas on one Redis', () => {
  const prefix = `kps-test-replicas-rr-${process.pid}-${Date.now()}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  let prometheus: TestPrometheus;
  const replicas: TestScaler[] = [];

  const env = {
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: prefix,
    RETRAIN_INTERVAL: '1h',
    MODEL_REFRESH_INTERVAL: '500ms',
    TRAINING_LOCK_TTL: '60s',
    // Every call evaluates afresh: no replica may lean on an answer it computed earlier.
    EVALUATION_TTL: '0s',
  };

  beforeAll(async () => {
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
    prometheus = await startPrometheus({ openMetricsHistory: openMetricsGauge('app_load', samples) });
    replicas.push(await startTestScaler(env), await startTestScaler(env));
  }, 120_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await prometheus?.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const metadata = () => ({
    source: 'prometheus',
    serverAddress: prometheus.url,
    query: 'max(max_over_time(app_load[1m]))',
    threshold: '10',
    activationThreshold: '5',
    leadTime: '15m',
    // The rise is 10 minutes out: with a 10-minute start-up its capacity is bought now.
    startupTime: '10m',
    horizon: '30m',
    seasonality: 'daily',
    historyWindow: '7d',
  });
  const ref = () => kedaRef(metadata(), 'inference-worker', 'ml');

  /** What KEDA reads from one replica in one poll. */
  async function answer(replica: TestScaler) {
    const spec = (await replica.client.getMetricSpec(ref())).metricSpecs[0]!;
    const metrics = (await replica.client.getMetrics(ref(), spec.metricName)).metricValues[0]!;
    const active = (await replica.client.isActive(ref())).result;
    return {
      metricName: spec.metricName,
      target: spec.targetSizeFloat,
      value: metrics.metricValueFloat,
      intValue: metrics.metricValue,
      active,
    };
  }

  /**
   * One round-robin pass over `group`, then the first replica again: when its two answers differ the
   * clock moved the forecast on mid-round (a new sample slot) and the round is taken again.
   */
  async function roundRobin(group: TestScaler[]): Promise<Array<Awaited<ReturnType<typeof answer>>>> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const answers = [];
      for (const replica of group) answers.push(await answer(replica));
      const again = await answer(group[0]!);
      if (JSON.stringify(again) === JSON.stringify(answers[0])) return answers;
    }
    throw new Error('the first replica never answered the same twice in a row');
  }

  const modelVersion = (replica: TestScaler, key: string): number => {
    const runtime = replica.forecast;
    if (!(runtime instanceof ForecastService)) throw new Error('expected the forecast runtime');
    return runtime.models().find((m) => m.key === key)?.version ?? 0;
  };

  const trainedBy = (replica: TestScaler): number =>
    replica.logs.lines.filter((line) => String(line.msg).startsWith('model trained')).length;

  it('two replicas: one trains the model, both load it and answer identically, round-robin', async () => {
    const key = modelKey(parseTriggerMetadata(metadata()));
    // KEDA's first polls reach both replicas; both would train, the lock lets one.
    await Promise.all(replicas.map((replica) => answer(replica)));
    await waitFor(
      'both replicas to hold the trained model',
      async () => (replicas.every((replica) => modelVersion(replica, key) === 1) ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(replicas.map(trainedBy).sort()).toEqual([0, 1]);

    // The forecast, not the (empty, so 0) live value, drives the answer: the shared model is in use.
    await waitFor(
      'the forecast to wake the trigger',
      async () => ((await answer(replicas[0]!)).active ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    for (let round = 0; round < 10; round++) {
      const answers = await roundRobin(replicas);
      expect(answers[0]!.value).toBeGreaterThan(10);
      expect(answers[0]!.active).toBe(true);
      for (const other of answers.slice(1)) expect(other).toEqual(answers[0]);
    }
  }, 150_000);

  it('a third replica joining loads the model without training it and answers like the others', async () => {
    const key = modelKey(parseTriggerMetadata(metadata()));
    const third = await startTestScaler(env);
    replicas.push(third);
    await answer(third);
    await waitFor(
      'the third replica to load the model',
      async () => (modelVersion(third, key) === 1 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    for (let round = 0; round < 10; round++) {
      const answers = await roundRobin(replicas);
      for (const other of answers.slice(1)) expect(other).toEqual(answers[0]);
    }
    expect(trainedBy(third)).toBe(0);
    expect(replicas.map(trainedBy).reduce((a, b) => a + b, 0)).toBe(1);
    const stored = JSON.parse((await redis.hget(`${prefix}:v1:{${key}}:models`, 'current')) ?? '{}') as {
      version?: number;
    };
    expect(stored.version).toBe(1);
  }, 90_000);

  it('keeps one consistent value per history slot when every replica writes the same slots at once', async () => {
    expect(replicas).toHaveLength(3);
    const signalId = `concurrency-${process.pid}`;
    const spec: HistorySpec = { stepMs: MINUTE, retentionMs: DAY };
    const start = Math.floor(Date.now() / DAY) * DAY - DAY + 30 * MINUTE;
    const slots = 300;
    const valueOf = (replica: number, slot: number): number => (replica + 1) * 1000 + slot;

    // Interleaved: each slot gets a write from every replica in the same instant, plus a backfill
    // (writeSamples) over half the range from the first replica, as a Prometheus trigger's first sight does.
    const writes: Array<Promise<void>> = [];
    for (let slot = 0; slot < slots; slot++) {
      replicas.forEach((replica, r) =>
        writes.push(replica.store.appendSample(signalId, spec, start + slot * MINUTE + r, valueOf(r, slot))),
      );
      if (slot === slots / 2) {
        writes.push(
          replicas[0]!.store.writeSamples(signalId, spec, {
            startMs: start,
            stepMs: MINUTE,
            values: Array.from({ length: slots / 2 }, (_, s) => valueOf(0, s)),
          }),
        );
      }
    }
    await Promise.all(writes);

    const reads = await Promise.all(
      replicas.map((replica) =>
        replica.store.readHistory(signalId, spec, start - 5 * MINUTE, start + (slots + 5) * MINUTE),
      ),
    );
    for (const read of reads.slice(1)) expect(read).toEqual(reads[0]);
    const values = reads[0]!.values;
    expect(values).toHaveLength(slots + 10);
    // Nothing before or after the written slots.
    for (const i of [0, 1, 2, 3, 4, slots + 5, slots + 6, slots + 7, slots + 8, slots + 9])
      expect(values[i]).toBeNaN();
    for (let slot = 0; slot < slots; slot++) {
      const value = values[slot + 5]!;
      // Exactly one replica's value, whole: never a blend of two writes' bytes, never a gap.
      expect([0, 1, 2].map((r) => valueOf(r, slot))).toContain(value);
    }
    await redis.del(...(await redis.keys(`${prefix}:v1:{${signalId}}:*`)));
  }, 30_000);

  it('samples the live signal into one shared history, one point per slot, whichever replica KEDA asks', async () => {
    const config = parseTriggerMetadata(metadata());
    const spec: HistorySpec = { stepMs: config.sampleIntervalMs, retentionMs: config.historyWindowMs };
    const from = Math.floor(Date.now() / MINUTE) * MINUTE;
    await roundRobin(replicas);
    // Sampling writes in the background: wait for the slot, then compare what every replica reads.
    await waitFor(
      'the current slot in the shared history',
      async () => {
        const series = await replicas[0]!.store.readHistory(config.signalId, spec, from, from + MINUTE);
        return Number.isFinite(series.values[0]) ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const read = await Promise.all(
      replicas.map((replica) => replica.store.readHistory(config.signalId, spec, from, from + MINUTE)),
    );
    for (const other of read.slice(1)) expect(other).toEqual(read[0]);
    expect(read[0]!.values).toHaveLength(1);
  }, 30_000);
});
