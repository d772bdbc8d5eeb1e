import { randomBytes } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import {
  AMQP_URL,
  ensureManagementPlugin,
  managementApi,
  MANAGEMENT_URL,
  RabbitFixture,
  uniqueName,
} from '../support/rabbitmq';
import { startOwnRedis, type OwnRedis } from '../support/redis-server';
import { kedaRef, startTestScaler, type ScaledObjectRefMessage, type TestScaler } from '../support/scaler';

/**
 * Credentials reach the scaler in trigger metadata (broker URLs, Prometheus URLs, customHeaders) and in
 * REDIS_URL. They must never come out again: not in logs at the most verbose level, not in metric labels,
 * not in gRPC error details, not on the HTTP endpoints, whether the credential worked or was refused.
 * And per-trigger metric series go when their trigger does, so label cardinality follows the live
 * ScaledObjects.
 */

const secret = (what: string): string => `${what}${randomBytes(8).toString('hex')}`;

/** Every way a secret could be written out: as is, percent-encoded, and inside an HTTP Basic header. */
function leaks(text: string, secrets: string[], users: string[]): string[] {
  const found: string[] = [];
  for (const value of secrets) {
    if (text.includes(value) || text.includes(encodeURIComponent(value))) found.push(value);
    for (const user of users) {
      const basic = Buffer.from(`${user}:${value}`).toString('base64');
      if (text.includes(basic)) found.push(`Basic ${user}:${value}`);
    }
  }
  return found;
}

describe('secrets never leave the scaler', () => {
  const user = `kps-sec-${randomBytes(4).toString('hex')}`;
  const brokerPassword = secret('Brk');
  const wrongBrokerPassword = secret('Wrg');
  const redisPassword = secret('Rds');
  const wrongRedisPassword = secret('Rdw');
  const promPassword = secret('Prm');
  const bearer = secret('Tok');
  const apiKey = secret('Key');
  const gpuPassword = secret('Gpu');
  const secrets = [
    brokerPassword,
    wrongBrokerPassword,
    redisPassword,
    wrongRedisPassword,
    promPassword,
    bearer,
    apiKey,
    gpuPassword,
  ];
  const users = [user, 'reader', 'gpu-reader', ''];

  let prometheus: TestPrometheus;
  let redis: OwnRedis;
  let fixture: RabbitFixture;
  let queue: string;

  beforeAll(async () => {
    await ensureManagementPlugin();
    // A broker user of the test's own, so its password is a string no other output could contain.
    await managementApi('PUT', `/users/${encodeURIComponent(user)}`, {
      password: brokerPassword,
      tags: 'monitoring',
    });
    await managementApi('PUT', `/permissions/%2F/${encodeURIComponent(user)}`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
    fixture = await RabbitFixture.open();
    queue = await fixture.createQueue(uniqueName('secrets'));
    await fixture.publish(queue, 3);
    prometheus = await startPrometheus();
    redis = await startOwnRedis({ password: redisPassword });
  }, 90_000);

  afterAll(async () => {
    await fixture?.cleanup();
    await managementApi('DELETE', `/users/${encodeURIComponent(user)}`).catch(() => undefined);
    await prometheus?.stop();
    await redis?.destroy();
  });

  it('keeps every source’s credentials and REDIS_URL’s password out of logs, metrics, errors and HTTP', async () => {
    const amqpHost = (password: string) => AMQP_URL.replace('guest:guest', `${user}:${password}`);
    const managementHost = (password: string) => MANAGEMENT_URL.replace('guest:guest', `${user}:${password}`);
    const promWithAuth = prometheus.url.replace('http://', `http://reader:${promPassword}@`);
    const headers = `Authorization=Bearer ${bearer},X-Api-Key=${apiKey}`;
    const triggers: Array<[string, Record<string, string>]> = [
      ['amqp-ok', { source: 'rabbitmq', host: amqpHost(brokerPassword), queueName: queue, value: '2' }],
      [
        'amqp-env',
        { source: 'rabbitmq', hostFromEnv: amqpHost(brokerPassword), queueName: queue, value: '2' },
      ],
      [
        'amqp-refused',
        {
          source: 'rabbitmq',
          host: amqpHost(wrongBrokerPassword),
          queueName: queue,
          value: '2',
          timeout: '2s',
        },
      ],
      ['mgmt-ok', { source: 'rabbitmq', host: managementHost(brokerPassword), queueName: queue, value: '2' }],
      [
        'mgmt-refused',
        { source: 'rabbitmq', host: managementHost(wrongBrokerPassword), queueName: queue, value: '2' },
      ],
      [
        'prom-ok',
        {
          source: 'prometheus',
          serverAddress: promWithAuth,
          query: 'vector(4)',
          threshold: '2',
          customHeaders: headers,
        },
      ],
      [
        'prom-down',
        {
          source: 'prometheus',
          serverAddress: `http://reader:${promPassword}@127.0.0.1:1`,
          query: 'vector(4)',
          threshold: '2',
          customHeaders: headers,
          maxStaleness: '0s',
        },
      ],
      [
        'prom-bad-query',
        {
          source: 'prometheus',
          serverAddress: promWithAuth,
          query: 'sum(',
          threshold: '2',
          customHeaders: headers,
        },
      ],
      [
        'gpu-ok',
        {
          source: 'gpu',
          serverAddress: prometheus.url.replace('http://', `http://gpu-reader:${gpuPassword}@`),
          metric: 'memory',
          threshold: '80',
          customHeaders: `Authorization=Bearer ${bearer}`,
        },
      ],
      // A URL typed without `//`: the password still sits before the `@`.
      [
        'amqp-malformed',
        {
          source: 'rabbitmq',
          host: `${user}:${brokerPassword}@127.0.0.1:5672`,
          queueName: queue,
          value: '2',
        },
      ],
    ];

    const scaler = await startTestScaler({
      LOG_LEVEL: 'trace',
      EVALUATION_TTL: '0s',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `kps-test-secrets-${process.pid}`,
      PUSH_POLL_INTERVAL: '100ms',
      PUSH_POLL_INTERVAL_SLOW: '100ms',
    });
    // A second replica given the wrong Redis password: its connection errors are logged too.
    const refused = await startTestScaler({
      LOG_LEVEL: 'trace',
      REDIS_URL: `redis://:${wrongRedisPassword}@127.0.0.1:${redis.port}`,
    });
    const outputs: string[] = [];
    try {
      const refs: ScaledObjectRefMessage[] = triggers.map(([name, metadata]) =>
        kedaRef(metadata, name, 'secrets'),
      );
      const collect = async (promise: Promise<unknown>): Promise<void> => {
        try {
          outputs.push(JSON.stringify(await promise));
        } catch (error) {
          outputs.push(`${(error as ServiceError).code} ${(error as ServiceError).details}`);
        }
      };
      for (const ref of refs) {
        await collect(scaler.client.getMetricSpec(ref));
        await collect(scaler.client.getMetrics(ref, ''));
        await collect(scaler.client.isActive(ref));
        await collect(refused.client.getMetrics(ref, ''));
      }
      // The push path logs from its poller.
      for (const ref of refs.slice(0, 6)) {
        const stream = scaler.client.streamIsActive(ref);
        const ended = new Promise<void>((resolve) => {
          stream.on('data', (message: unknown) => outputs.push(JSON.stringify(message)));
          stream.on('error', (error: ServiceError) => {
            outputs.push(`${error.code} ${error.details}`);
            resolve();
          });
          setTimeout(resolve, 500);
        });
        await ended;
        stream.cancel();
      }
      // The calls really went through: credentials that work were used, refused ones were refused.
      const value = async (name: string) =>
        (await scaler.client.getMetrics(refs[triggers.findIndex(([n]) => n === name)]!, '')).metricValues[0]!
          .metricValueFloat;
      expect(await value('amqp-ok')).toBe(3);
      expect(await value('prom-ok')).toBe(4);
      await waitFor(
        'the management API count',
        async () => ((await value('mgmt-ok').catch(() => -1)) === 3 ? true : undefined),
        {
          timeoutMs: 20_000,
          intervalMs: 250,
        },
      );
      const refusedError = await scaler.client
        .getMetrics(refs[triggers.findIndex(([n]) => n === 'amqp-refused')]!, '')
        .catch((error: ServiceError) => error);
      expect((refusedError as ServiceError).code).toBe(status.UNAVAILABLE);

      await waitFor('the refused Redis connection to be logged', async () =>
        refused.logs.lines.some((line) => line.msg === 'redis connection error') ? true : undefined,
      );
      for (const instance of [scaler, refused]) {
        const base = `http://127.0.0.1:${instance.httpPort}`;
        for (const path of [
          '/metrics',
          '/readyz',
          '/healthz',
          '/models',
          '/models/secrets/prom-ok/x',
          '/forecast/secrets/prom-ok/x',
          // What a person reads: every trigger's last decision (refused and down ones quote their error),
          // the workloads and the status page.
          ...triggers.map(([name]) => `/v1/decisions/secrets/${name}`),
          '/v1/workloads',
          '/',
        ]) {
          outputs.push(await (await fetch(base + path)).text());
        }
      }
    } finally {
      await scaler.stop();
      await refused.stop();
    }

    const everything = [scaler.logs.raw, refused.logs.raw, ...outputs].join('\n');
    // Enough was written for the check to mean something: every trigger, errors included.
    expect(scaler.logs.lines.length).toBeGreaterThan(20);
    expect(everything).toContain('ACCESS_REFUSED');
    expect(everything).toContain('"reason":"source down: ');
    expect(leaks(everything, secrets, users)).toEqual([]);
  }, 120_000);
});

describe('metric label cardinality', () => {
  let prometheus: TestPrometheus;
  let scaler: TestScaler;
  beforeAll(async () => {
    prometheus = await startPrometheus();
    scaler = await startTestScaler({ TRIGGER_IDLE: '1s', EVALUATION_TTL: '0s' });
  }, 60_000);
  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
  });

  /** ScaledObjects that have series on /metrics, and how many series carry a scaled_object label. */
  async function triggerSeries(): Promise<{ objects: Set<string>; series: number }> {
    const text = await (await fetch(`http://127.0.0.1:${scaler.httpPort}/metrics`)).text();
    const objects = new Set<string>();
    let series = 0;
    for (const match of text.matchAll(/^\w+\{[^}]*scaled_object="([^"]*)"[^}]*\} /gm)) {
      objects.add(match[1]!);
      series += 1;
    }
    return { objects, series };
  }

  it('drops every per-trigger series once the trigger is gone, so cardinality follows live ScaledObjects', async () => {
    const ref = (i: number) =>
      kedaRef(
        { source: 'prometheus', serverAddress: prometheus.url, query: `vector(${i})`, threshold: '1' },
        `tenant-${i}`,
        'cardinality',
      );
    for (let i = 1; i <= 20; i++) await scaler.client.getMetrics(ref(i), '');
    const busy = await triggerSeries();
    expect(busy.objects.size).toBe(20);
    const perTrigger = busy.series / 20;
    expect(perTrigger).toBeGreaterThan(3);

    // KEDA stops asking (the ScaledObjects were deleted): after TRIGGER_IDLE the series are gone.
    await waitFor(
      'per-trigger series to be dropped',
      async () => ((await triggerSeries()).series === 0 ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 250,
      },
    );

    // Five still in use: their series, and only theirs, come back, as many per trigger as before.
    for (let i = 1; i <= 5; i++) await scaler.client.getMetrics(ref(i), '');
    const after = await triggerSeries();
    expect([...after.objects].sort()).toEqual(['tenant-1', 'tenant-2', 'tenant-3', 'tenant-4', 'tenant-5']);
    expect(after.series).toBe(perTrigger * 5);
    // The process-wide series stay.
    const text = await (await fetch(`http://127.0.0.1:${scaler.httpPort}/metrics`)).text();
    expect(text).toMatch(/^keda_predictive_scaler_grpc_requests_total\{/m);
  }, 30_000);
});
