import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Server, ServerCredentials, status, type ClientReadableStream } from '@grpc/grpc-js';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';
import { NO_FORECAST } from '../../src/forecast/port/forecast-port';
import { historySpec, modelKey } from '../../src/forecast/lifecycle/model-key';
import { createLogger } from '../../src/logger';
import { ScalerMetrics } from '../../src/metrics/scaler-metrics';
import { ActivationWatcher } from '../../src/server/activation-watcher';
import { externalScalerService } from '../../src/server/external-scaler.service';
import { loadExternalScalerProto } from '../../src/server/proto';
import { TriggerEvaluator } from '../../src/server/trigger-evaluator';
import { TriggerRegistry } from '../../src/server/trigger-registry';
import { createAmqpConnectionPool } from '../../src/sources/rabbitmq/amqp-connection-pool';
import { MemoryStore } from '../../src/store/memory-store';
import { RedisStore } from '../../src/store/redis-store';
import { freePort, waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { RabbitFixture, RABBITMQ_HOST, uniqueName } from '../support/rabbitmq';
import { startOwnRedis, type OwnRedis } from '../support/redis-server';
import {
  externalScalerClient,
  grpcError,
  kedaRef,
  startTestScaler,
  type ExternalScalerClient,
  type ScaledObjectRefMessage,
} from '../support/scaler';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * What KEDA sees when the things the scaler depends on fail, each against the real server and recovered
 * without restarting the scaler. Never a 0 or an "inactive" because of a fault: either the live value
 * (or, within maxStaleness, the last good one) or an UNAVAILABLE / DEADLINE_EXCEEDED error.
 *
 * A replica killed while it trains is covered by training-replicas.test.ts (the lock it held expires and
 * another replica trains), and is not repeated here.
 */

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One KEDA poll: the spec, the value (with the spec's name) and the activity. */
async function poll(
  client: ExternalScalerClient,
  ref: ScaledObjectRefMessage,
): Promise<{ value: number; active: boolean }> {
  const name = (await client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
  const value = (await client.getMetrics(ref, name)).metricValues[0]!.metricValueFloat;
  const active = (await client.isActive(ref)).result;
  return { value, active };
}

async function scrape(httpPort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
}

/** Sum of the scaler's own `source_read_seconds_count`: how many times it has read a source. */
async function sourceReads(httpPort: number): Promise<number> {
  const text = await scrape(httpPort);
  let total = 0;
  for (const match of text.matchAll(/^keda_predictive_scaler_source_read_seconds_count\{[^}]*\} (\S+)$/gm))
    total += Number(match[1]);
  return total;
}

describe('Redis stopped and restarted', () => {
  let redis: OwnRedis;
  let prometheus: TestPrometheus;
  let scaler: ChildProcess | undefined;
  let client: ExternalScalerClient | undefined;
  let inspector: Redis | undefined;

  beforeAll(async () => {
    // Persistent, as a production Redis is: what was written before the stop must be there after it.
    redis = await startOwnRedis({ persistent: true });
    prometheus = await startPrometheus();
  }, 60_000);

  afterAll(async () => {
    client?.close();
    if (scaler && scaler.exitCode === null) scaler.kill('SIGKILL');
    inspector?.disconnect();
    await prometheus?.stop();
    await redis?.destroy();
  });

  it('keeps answering from the live source, loses nothing stored, and resumes learning', async () => {
    const prefix = `kps-test-faults-${process.pid}`;
    const grpcPort = await freePort();
    const httpPort = await freePort();
    // The real process, as in production: a crash on a Redis error would end it, which in-process would not.
    scaler = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        GRPC_PORT: String(grpcPort),
        HTTP_PORT: String(httpPort),
        BIND_ADDRESS: '127.0.0.1',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        LOG_LEVEL: 'info',
        EVALUATION_TTL: '0s',
        RETRAIN_INTERVAL: '2s',
        MODEL_REFRESH_INTERVAL: '500ms',
        TRAINING_LOCK_TTL: '2s',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    scaler.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    scaler.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const alive = (): boolean => scaler?.exitCode === null && scaler.signalCode === null;
    const readyz = async (): Promise<{ status: number; detail: string }> => {
      const response = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      return { status: response.status, detail: ((await response.json()) as { detail: string }).detail };
    };
    await waitFor(
      'the scaler to be ready',
      async () => ((await readyz()).status === 200 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );

    const metadata = {
      source: 'prometheus',
      serverAddress: prometheus.url,
      query: 'vector(6)',
      threshold: '2',
      sampleInterval: '1s',
      historyWindow: '1h',
      leadTime: '1m',
      horizon: '2m',
      seasonality: 'none',
    };
    const config = parseTriggerMetadata(metadata);
    const key = modelKey(config);
    const spec = historySpec(config);
    const ref = kedaRef(metadata, 'redis-fault-worker');
    client = externalScalerClient(`127.0.0.1:${grpcPort}`);
    inspector = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    inspector.on('error', () => undefined);
    const store = new RedisStore(inspector, { keyPrefix: prefix });

    // KEDA polls all along; every answer is the live value, whatever Redis does.
    const answers: Array<{ value: number; active: boolean } | Error> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        answers.push(await poll(client!, ref).catch((error: Error) => error));
        await sleep(200);
      }
    })();

    try {
      // Before: history backfilled and sampled, and a model trained, all in Redis.
      const before = await waitFor(
        'a model and history in Redis',
        async () => {
          const { current } = await store.getModels(key);
          const history = await store.readHistory(config.signalId, spec, Date.now() - 3_600_000, Date.now());
          const finite = history.values.filter((v) => Number.isFinite(v)).length;
          return current && finite > 100 ? { version: current.version, history } : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 250 },
      );
      expect((await readyz()).status).toBe(200);

      const stoppedAt = Date.now();
      const answersBeforeStop = answers.length;
      await redis.stop();
      // Longer than RETRAIN_INTERVAL and MODEL_REFRESH_INTERVAL: training and reloading run into the outage.
      await sleep(5_000);
      expect(alive()).toBe(true);
      expect(answers.length - answersBeforeStop).toBeGreaterThan(5);
      expect(await poll(client, ref)).toEqual({ value: 6, active: true });
      // Still ready: it answers KEDA from the live source and the model it holds; the outage is named.
      const outage = await readyz();
      expect(outage.status).toBe(200);
      expect(outage.detail).toMatch(/not answering.*serving from memory/);

      await redis.start();
      const restartedAt = Date.now();
      await waitFor('readyz to see Redis again', async () =>
        (await readyz()).detail === 'store: redis' ? true : undefined,
      );

      // Nothing stored before the stop is lost.
      const after = await store.readHistory(config.signalId, spec, before.history.startMs, stoppedAt);
      let kept = 0;
      before.history.values.forEach((value, i) => {
        if (!Number.isFinite(value)) return;
        expect(after.values[i]).toBe(value);
        kept += 1;
      });
      expect(kept).toBeGreaterThan(100);
      expect(((await store.getModels(key)).current?.version ?? 0) >= before.version).toBe(true);

      // Learning resumes: new samples are written and a newer model is trained.
      await waitFor(
        'samples written after the restart',
        async () => {
          const fresh = await store.readHistory(config.signalId, spec, restartedAt + 1_000, Date.now());
          return fresh.values.some((v) => Number.isFinite(v)) ? true : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      await waitFor(
        'a model trained after the restart',
        async () =>
          ((await store.getModels(key)).current?.version ?? 0) > before.version ? true : undefined,
        { timeoutMs: 20_000, intervalMs: 250 },
      );
    } finally {
      polling = false;
      await poller;
    }
    // Never a 0, never inactive, never an error: the live source was up all along.
    expect(answers.length).toBeGreaterThan(20);
    for (const answer of answers) expect(answer).toEqual({ value: 6, active: true });
    expect(alive()).toBe(true);
    expect(output).not.toMatch(/unhandled|uncaught/i);
    const exited = new Promise((resolve) => scaler!.once('exit', resolve));
    scaler.kill('SIGTERM');
    expect(await exited).toBe(0);
    await deleteKeys(inspector, prefix);
  }, 150_000);
});

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

describe('RabbitMQ cut and restored', () => {
  let proxy: TcpProxy;
  let fixture: RabbitFixture;

  beforeAll(async () => {
    fixture = await RabbitFixture.open();
    proxy = await startTcpProxy({
      host: RABBITMQ_HOST,
      port: Number(process.env.TEST_RABBITMQ_PORT ?? 5672),
    });
  }, 30_000);

  afterAll(async () => {
    await proxy?.close();
    await fixture?.cleanup();
  });

  it('answers UNAVAILABLE within the timeout while cut, serves the last value within maxStaleness, and recovers by itself', async () => {
    const queue = await fixture.createQueue(uniqueName('fault'));
    await fixture.publish(queue, 4);
    const scaler = await startTestScaler({ EVALUATION_TTL: '0s' });
    try {
      const host = `amqp://guest:guest@127.0.0.1:${proxy.port}`;
      const trigger = (name: string, maxStaleness: string) =>
        kedaRef(
          {
            source: 'rabbitmq',
            host,
            queueName: queue,
            value: '2',
            predictive: 'false',
            timeout: '2s',
            maxStaleness,
          },
          name,
        );
      const strict = trigger('strict-worker', '0s');
      const bridged = trigger('bridged-worker', '60s');
      expect(await poll(scaler.client, strict)).toEqual({ value: 4, active: true });
      expect(await poll(scaler.client, bridged)).toEqual({ value: 4, active: true });

      await proxy.cut();
      const started = Date.now();
      const error = await grpcError(scaler.client.getMetrics(strict, ''));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/RabbitMQ|broker|connect/i);
      expect(error.details).not.toContain('guest:guest');
      // Not "inactive": KEDA must not scale to zero because the broker is out of reach.
      expect((await grpcError(scaler.client.isActive(strict))).code).toBe(status.UNAVAILABLE);
      // Within maxStaleness the last good value is served instead.
      expect(await poll(scaler.client, bridged)).toEqual({ value: 4, active: true });

      await proxy.restore();
      await fixture.publish(queue, 3);
      // The pooled connection comes back on its own (backoff of at most 10 s between attempts).
      await waitFor(
        'the strict trigger to read the queue again',
        async () =>
          (await poll(scaler.client, strict).catch(() => undefined))?.value === 7 ? true : undefined,
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(await poll(scaler.client, bridged)).toEqual({ value: 7, active: true });
      expect(proxy.connections()).toBeGreaterThan(0);
    } finally {
      await scaler.stop();
    }
  }, 60_000);
});

describe('Prometheus slow and stopped', () => {
  it('answers DEADLINE_EXCEEDED past the timeout, UNAVAILABLE once stopped, and never 0 or inactive', async () => {
    const prometheus = await startPrometheus();
    const scaler = await startTestScaler({ EVALUATION_TTL: '0s' });
    try {
      const trigger = (name: string, maxStaleness: string) =>
        kedaRef(
          {
            source: 'prometheus',
            serverAddress: prometheus.url,
            query: 'vector(5)',
            threshold: '2',
            timeout: '500ms',
            maxStaleness,
          },
          name,
        );
      const strict = trigger('strict-worker', '0s');
      const bridged = trigger('bridged-worker', '60s');
      expect(await poll(scaler.client, strict)).toEqual({ value: 5, active: true });
      expect(await poll(scaler.client, bridged)).toEqual({ value: 5, active: true });

      // Slow: the process is frozen, requests hang.
      await prometheus.pause();
      try {
        const started = Date.now();
        const slow = await grpcError(scaler.client.getMetrics(strict, ''));
        expect(Date.now() - started).toBeLessThan(1_500);
        expect(slow.code).toBe(status.DEADLINE_EXCEEDED);
        expect(slow.details).toMatch(/500 ms/);
        expect((await grpcError(scaler.client.isActive(strict))).code).toBe(status.DEADLINE_EXCEEDED);
        expect(await poll(scaler.client, bridged)).toEqual({ value: 5, active: true });
      } finally {
        prometheus.resume();
      }
      expect(await poll(scaler.client, strict)).toEqual({ value: 5, active: true });

      // Stopped: nothing listens on the port any more.
      await prometheus.stop();
      const stopped = await grpcError(scaler.client.getMetrics(strict, ''));
      expect(stopped.code).toBe(status.UNAVAILABLE);
      expect(stopped.details).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+/);
      expect((await grpcError(scaler.client.isActive(strict))).code).toBe(status.UNAVAILABLE);
      expect(await poll(scaler.client, bridged)).toEqual({ value: 5, active: true });
    } finally {
      await scaler.stop();
      await prometheus.stop();
    }
  }, 60_000);
});

describe("KEDA's push stream cut", () => {
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus();
  }, 30_000);
  afterAll(() => prometheus?.stop());

  const metadata = () => ({
    source: 'prometheus',
    serverAddress: prometheus.url,
    query: 'vector(1)',
    threshold: '1',
  });

  /** The first message of a stream (the current state), or the stream's error. */
  const first = (stream: ClientReadableStream<{ result: boolean }>): Promise<boolean> =>
    new Promise((resolve, reject) => {
      stream.once('data', (message: { result: boolean }) => resolve(message.result));
      stream.once('error', reject);
    });

  it('drops the poller when the last listener cancels or its connection is cut, and serves a new stream after', async () => {
    // The server's own parts, wired as src/app.ts wires them, so the watcher's poller count can be read.
    const logger = createLogger('silent');
    const metrics = new ScalerMetrics(new Registry(), { defaultMetrics: false });
    const evaluator = new TriggerEvaluator({
      store: new MemoryStore(),
      metrics,
      logger,
      forecast: NO_FORECAST,
      sourceDeps: { logger, amqp: createAmqpConnectionPool({ logger }) },
      clock: Date.now,
      evaluationTtlMs: 0,
    });
    const watcher = new ActivationWatcher(evaluator, () => 100, logger);
    const server = new Server();
    server.addService(
      loadExternalScalerProto().service.service,
      externalScalerService(
        { registry: new TriggerRegistry(Date.now), evaluator, watcher, metrics, logger },
        new Set(),
      ),
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
        error ? reject(error) : resolve(p),
      ),
    );
    // The second listener reaches the server through a proxy, so its TCP connection can be cut under it.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    const direct = externalScalerClient(`127.0.0.1:${port}`);
    const proxied = externalScalerClient(`127.0.0.1:${proxy.port}`);
    try {
      const ref = kedaRef(metadata(), 'push-worker');
      const cancelled = direct.streamIsActive(ref);
      cancelled.on('error', () => undefined);
      const severed = proxied.streamIsActive(ref);
      severed.on('error', () => undefined);
      expect(await first(cancelled)).toBe(true);
      expect(await first(severed)).toBe(true);
      // Two streams for one trigger: one poller.
      expect(watcher.size).toBe(1);

      cancelled.cancel();
      await sleep(300);
      expect(watcher.size).toBe(1);

      await proxy.cut();
      await waitFor('the poller to stop', async () => (watcher.size === 0 ? true : undefined), {
        timeoutMs: 5_000,
        intervalMs: 20,
      });

      const again = direct.streamIsActive(ref);
      expect(await first(again)).toBe(true);
      expect(watcher.size).toBe(1);
      again.cancel();
      await waitFor('the poller to stop again', async () => (watcher.size === 0 ? true : undefined), {
        timeoutMs: 5_000,
        intervalMs: 20,
      });
    } finally {
      direct.close();
      proxied.close();
      await proxy.close();
      watcher.stop();
      server.forceShutdown();
    }
  }, 30_000);

  it('stops reading the source once the stream is cancelled, in the running scaler', async () => {
    const scaler = await startTestScaler({ PUSH_POLL_INTERVAL_SLOW: '100ms' });
    try {
      const stream = scaler.client.streamIsActive(kedaRef(metadata(), 'push-worker'));
      stream.on('error', () => undefined);
      expect(await first(stream)).toBe(true);
      const whileOpen = await sourceReads(scaler.httpPort);
      await sleep(600);
      expect(await sourceReads(scaler.httpPort)).toBeGreaterThan(whileOpen);

      stream.cancel();
      // A poll already under way when the stream went may still finish; then nothing more.
      let settled = await sourceReads(scaler.httpPort);
      await waitFor(
        'the reads to stop',
        async () => {
          await sleep(300);
          const now = await sourceReads(scaler.httpPort);
          const stable = now === settled;
          settled = now;
          return stable ? true : undefined;
        },
        { timeoutMs: 5_000, intervalMs: 0 },
      );
      await sleep(1_000);
      // No poller left: ten poll intervals without a single read.
      expect(await sourceReads(scaler.httpPort)).toBe(settled);

      const again = scaler.client.streamIsActive(kedaRef(metadata(), 'push-worker'));
      again.on('error', () => undefined);
      expect(await first(again)).toBe(true);
      again.cancel();
    } finally {
      await scaler.stop();
    }
  }, 30_000);
});
