import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';
import { modelKey } from '../../src/forecast/lifecycle/model-key';
import { RedisStore } from '../../src/store/redis-store';
import { dailyPattern, openMetricsGauge } from '../support/openmetrics';
import { freePort, waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { externalScalerClient, kedaRef, startTestScaler } from '../support/scaler';

const MINUTE = 60_000;
const ROOT = path.resolve(__dirname, '../..');

/**
 * Two replicas on one Redis: the one that takes a model's lock trains it, the other waits. Replica A is
 * killed while it holds the lock; replica B trains the model once the lock has expired.
 */
describe('training shared by replicas', () => {
  const prefix = `kps-test-replicas-${process.pid}-${Date.now()}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  let prometheus: TestPrometheus;
  let replicaA: ChildProcess | undefined;

  beforeAll(async () => {
    const now = Date.now();
    const samples = dailyPattern({
      fromMs: now - 3 * 1440 * MINUTE,
      toMs: now,
      stepMs: MINUTE,
      riseAtMs: now + 6 * 3_600_000,
      busyMs: 3_600_000,
      low: 5,
      high: 50,
      noise: 2,
    });
    prometheus = await startPrometheus({ openMetricsHistory: openMetricsGauge('jobs_waiting', samples) });
  }, 60_000);

  afterAll(async () => {
    if (replicaA && replicaA.exitCode === null) replicaA.kill('SIGKILL');
    await prometheus?.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('lets one replica train, and another take over after the first dies holding the lock', async () => {
    const metadata = {
      source: 'prometheus',
      serverAddress: prometheus.url,
      query: 'max(max_over_time(jobs_waiting[1m]))',
      threshold: '10',
      historyWindow: '3d',
      seasonality: 'daily',
    };
    const key = modelKey(parseTriggerMetadata(metadata));
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      TRAINING_LOCK_TTL: '3s',
      RETRAIN_INTERVAL: '1h',
      MODEL_REFRESH_INTERVAL: '200ms',
    };

    const grpcPort = await freePort();
    replicaA = spawn(process.execPath, ['--import', 'tsx', 'test/support/training-replica.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        GRPC_PORT: String(grpcPort),
        HTTP_PORT: '0',
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    replicaA.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('replica A to listen', async () => (output.includes('LISTENING') ? true : undefined), {
      timeoutMs: 30_000,
    });
    const clientA = externalScalerClient(`127.0.0.1:${grpcPort}`);
    await clientA.getMetrics(kedaRef(metadata), '');
    await waitFor(
      'replica A to hold the training lock',
      async () => (output.includes(`TRAINING ${key}`) ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    clientA.close();

    const replicaB = await startTestScaler({ ...env, EVALUATION_TTL: '0s' });
    try {
      await replicaB.client.getMetrics(kedaRef(metadata), '');
      const store = new RedisStore(redis, { keyPrefix: prefix });
      // B sees the lock held and does not train while A is alive.
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await store.getModels(key)).current).toBeUndefined();
      expect(
        replicaB.logs.lines.some(
          (l) => l.msg === 'model trained' || String(l.msg).startsWith('model trained'),
        ),
      ).toBe(false);

      const killedAt = Date.now();
      replicaA.kill('SIGKILL');
      const record = await waitFor(
        'replica B to train after the lock expires',
        async () => (await store.getModels(key)).current,
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(record.version).toBe(1);
      // The lock outlived A by up to its 3 s expiry; B did not jump it.
      // The model is in Redis a moment before B's log line is written: wait for the line too.
      const trained = await waitFor(
        "replica B's 'model trained' log line",
        async () => replicaB.logs.lines.find((l) => String(l.msg).startsWith('model trained')),
        { timeoutMs: 5_000, intervalMs: 50 },
      ).catch(() => undefined);
      expect(trained).toBeDefined();
      expect(new Date(String(trained!.time)).getTime()).toBeGreaterThan(killedAt);
    } finally {
      await replicaB.stop();
    }
  }, 90_000);
});
