import { status } from '@grpc/grpc-js';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { parseTriggerMetadata, type RabbitMqTriggerConfig } from '../../src/sources/trigger-metadata';
import { MetadataError, UpstreamDataError, UpstreamUnavailableError } from '../../src/errors';
import { readTriggerMetadata } from '../../src/sources/trigger-metadata';
import { makeCerts, type CertSet } from '../support/certs';
import {
  createAmqpConnectionPool,
  type AmqpConnectionPool,
} from '../../src/sources/rabbitmq/amqp-connection-pool';
import { createRabbitMqSource } from '../../src/sources/rabbitmq/rabbitmq.source';
import type { Source } from '../../src/sources/source';
import { waitFor } from '../support/ports';
import { grpcError, kedaRef, startTestScaler, type TestScaler } from '../support/scaler';
import {
  AMQP_URL,
  MANAGEMENT_URL,
  RabbitFixture,
  closeConnectionsNamed,
  createBrokerUser,
  createVhost,
  startTlsProxy,
  ensureManagementPlugin,
  listConnections,
  uniqueName,
  waitForConnectionCount,
  waitForManagementCount,
} from '../support/rabbitmq';

/** Raw pino (no scrubbing) so a credential leak in the source itself would show up in `logText`. */
let logText = '';
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logText += chunk.toString();
      callback();
    },
  }),
);

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

/** Reads until the source reports `expected` (the management API's counters lag by a few seconds). */
async function settlesAt(source: Source, expected: number, timeoutMs = 20_000): Promise<void> {
  let last: unknown;
  try {
    await waitFor(
      `value ${expected}`,
      async () => {
        last = (await source.read()).value;
        return last === expected ? true : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } catch {
    throw new Error(`source kept reading ${String(last)}; expected ${expected}`);
  }
}

describe('rabbitmq source against the real broker', () => {
  let fixture: RabbitFixture;
  let pool: AmqpConnectionPool;
  const sources: Source[] = [];

  const sourceFor = (metadata: Record<string, string>, on: AmqpConnectionPool = pool): Source => {
    const config = parseTriggerMetadata({
      source: 'rabbitmq',
      value: '5',
      ...metadata,
    }) as RabbitMqTriggerConfig;
    const source = createRabbitMqSource(config, { logger, amqp: on });
    sources.push(source);
    return source;
  };

  beforeAll(async () => {
    await ensureManagementPlugin();
    fixture = await RabbitFixture.open();
    pool = createAmqpConnectionPool({
      logger,
      connectionName: uniqueName('pool'),
      backoff: { initialDelayMs: 100, maxDelayMs: 1000 },
    });
  }, 90_000);

  afterAll(async () => {
    for (const source of sources) await source.close?.();
    await pool?.close();
    await fixture?.cleanup();
  });

  afterAll(() => {
    expect(logText).not.toMatch(/guest:guest|bad:creds|Env-S3cret|wrong-pw/);
  });

  describe('QueueLength over AMQP', () => {
    it('counts published messages, follows consumption, and reports a deleted queue as not found', async () => {
      const queue = await fixture.createQueue(uniqueName('length'));
      const source = sourceFor({ host: AMQP_URL, queueName: queue });
      expect((await source.read()).value).toBe(0);
      await fixture.publish(queue, 25);
      expect((await source.read()).value).toBe(25);
      await fixture.consume(queue, 10);
      expect((await source.read()).value).toBe(15);

      await fixture.deleteQueue(queue);
      const error = await failure(source.read());
      expect(error).toBeInstanceOf(UpstreamDataError);
      expect((error as UpstreamDataError).reason).toBe('not_found');
      expect(error.message).toBe(`queue "${queue}" not found in vhost "/" at amqp://127.0.0.1:5672/%2F`);

      // The broker closed the channel on the 404; the next read gets a fresh one.
      await fixture.createQueue(queue);
      await fixture.publish(queue, 3);
      expect((await source.read()).value).toBe(3);
    });

    it('counts only ready messages, as KEDA does over AMQP', async () => {
      const queue = await fixture.createQueue(uniqueName('ready'));
      await fixture.publish(queue, 10);
      await fixture.holdUnacked(queue, 4);
      expect((await sourceFor({ host: AMQP_URL, queueName: queue }).read()).value).toBe(6);
    });

    it('keeps other queues readable while a missing queue is read at the same time', async () => {
      const a = await fixture.createQueue(uniqueName('a'));
      const b = await fixture.createQueue(uniqueName('b'));
      await fixture.publish(a, 4);
      await fixture.publish(b, 9);
      const readers = [a, uniqueName('missing'), b].map((queueName) =>
        sourceFor({ host: AMQP_URL, queueName }),
      );
      const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => readers[i % 3]!.read()));
      results.forEach((result, i) => {
        if (i % 3 === 1) {
          expect(result.status).toBe('rejected');
          expect((result as PromiseRejectedResult).reason).toMatchObject({
            name: 'UpstreamDataError',
            reason: 'not_found',
          });
        } else {
          expect(result.status).toBe('fulfilled');
          expect((result as PromiseFulfilledResult<{ value: number }>).value.value).toBe(i % 3 === 0 ? 4 : 9);
        }
      });
    });

    it('reads the vhost from vhostName, over the one in the URL', async () => {
      const vhost = uniqueName('vhost');
      const dropVhost = await createVhost(vhost);
      const inVhost = await RabbitFixture.open(vhost);
      try {
        const queue = await inVhost.createQueue(uniqueName('vh'));
        await inVhost.publish(queue, 7);
        expect(
          (await sourceFor({ host: `${AMQP_URL}/%2F`, vhostName: vhost, queueName: queue }).read()).value,
        ).toBe(7);
        expect(
          (await sourceFor({ host: `${AMQP_URL}/${encodeURIComponent(vhost)}`, queueName: queue }).read())
            .value,
        ).toBe(7);
        const error = await failure(sourceFor({ host: AMQP_URL, queueName: queue }).read());
        expect(error.message).toMatch(new RegExp(`queue "${queue}" not found in vhost "/"`));
      } finally {
        await inVhost.cleanup();
        await dropVhost();
      }
    });

    it('reports a vhost that does not exist as not found', async () => {
      const vhost = uniqueName('no-such-vhost');
      const error = await failure(sourceFor({ host: AMQP_URL, vhostName: vhost, queueName: 'q' }).read());
      expect(error).toBeInstanceOf(UpstreamDataError);
      expect((error as UpstreamDataError).reason).toBe('not_found');
      expect(error.message).toContain(`vhost "${vhost}" not found`);
    });

    it('fails with UpstreamUnavailableError within the timeout when the port is closed', async () => {
      const source = sourceFor({ host: 'amqp://guest:guest@127.0.0.1:1', queueName: 'q', timeout: '2s' });
      for (let i = 0; i < 3; i += 1) {
        const started = Date.now();
        const error = await failure(source.read());
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(error).toBeInstanceOf(UpstreamUnavailableError);
        expect(error.message).toMatch(/RabbitMQ at amqp:\/\/127\.0\.0\.1:1\/%2F/);
        expect(error.message).not.toContain('guest');
      }
    });

    it('times out on a broker that accepts connections but never answers', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      try {
        const source = sourceFor({
          host: `amqp://guest:guest@127.0.0.1:${port}`,
          queueName: 'q',
          timeout: '300ms',
        });
        const started = Date.now();
        const error = await failure(source.read());
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(error).toMatchObject({ name: 'UpstreamUnavailableError', reason: 'timeout' });
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('shares one broker connection between many triggers on the same broker', async () => {
      const connectionName = uniqueName('shared');
      const shared = createAmqpConnectionPool({ logger, connectionName });
      try {
        const a = await fixture.createQueue(uniqueName('shared-a'));
        const b = await fixture.createQueue(uniqueName('shared-b'));
        await fixture.publish(a, 2);
        // The same broker written three ways: one connection key.
        const hosts = [AMQP_URL, `${AMQP_URL}/`, `${AMQP_URL}/%2F`];
        const many = Array.from({ length: 30 }, (_, i) =>
          createRabbitMqSource(
            parseTriggerMetadata({
              source: 'rabbitmq',
              value: '5',
              host: hosts[i % 3]!,
              queueName: i % 2 ? a : b,
            }) as RabbitMqTriggerConfig,
            { logger, amqp: shared },
          ),
        );
        for (let round = 0; round < 3; round += 1) {
          const values = await Promise.all(many.map((source) => source.read()));
          values.forEach((reading, i) => expect(reading.value).toBe(i % 2 ? 2 : 0));
        }
        expect(shared.size).toBe(1);
        await waitForConnectionCount(connectionName, 1);

        for (const source of many) await source.close?.();
        expect(shared.size).toBe(0);
        await waitForConnectionCount(connectionName, 0);
      } finally {
        await shared.close();
      }
    });

    it('reconnects by itself after the broker closes the connection', async () => {
      const connectionName = uniqueName('reconnect');
      const own = createAmqpConnectionPool({
        logger,
        connectionName,
        backoff: { initialDelayMs: 100, maxDelayMs: 1000 },
      });
      try {
        const queue = await fixture.createQueue(uniqueName('reconnect'));
        await fixture.publish(queue, 5);
        const source = sourceFor({ host: AMQP_URL, queueName: queue, timeout: '1s' }, own);
        expect((await source.read()).value).toBe(5);

        expect(await closeConnectionsNamed(connectionName)).toBe(1);
        const closedAt = Date.now();
        const errors: Error[] = [];
        await waitFor(
          'the source to read again',
          async () => {
            try {
              return (await source.read()).value === 5 ? true : undefined;
            } catch (error) {
              errors.push(error as Error);
              return undefined;
            }
          },
          { timeoutMs: 15_000, intervalMs: 100 },
        );
        // Backoff starts at 100 ms: the pool is back long before KEDA's next poll.
        expect(Date.now() - closedAt).toBeLessThan(5_000);
        for (const error of errors) expect(error).toBeInstanceOf(UpstreamUnavailableError);
        await waitForConnectionCount(connectionName, 1);
        await fixture.publish(queue, 1);
        expect((await source.read()).value).toBe(6);
      } finally {
        await own.close();
      }
    });
  });

  describe('over the management API', () => {
    it('counts messages (or ready ones only with excludeUnacknowledged) and follows consumption', async () => {
      const queue = await fixture.createQueue(uniqueName('http'));
      await fixture.publish(queue, 20);
      await fixture.holdUnacked(queue, 5);
      const all = sourceFor({ host: MANAGEMENT_URL, queueName: queue });
      const ready = sourceFor({ host: MANAGEMENT_URL, queueName: queue, excludeUnacknowledged: 'true' });
      await waitForManagementCount(queue, 'messages_unacknowledged', 5);
      await settlesAt(all, 20);
      await settlesAt(ready, 15);

      await fixture.consume(queue, 10);
      await settlesAt(all, 10);
      await settlesAt(ready, 5);

      await fixture.deleteQueue(queue);
      const error = await failure(all.read());
      expect(error).toBeInstanceOf(UpstreamDataError);
      expect((error as UpstreamDataError).reason).toBe('not_found');
      expect(error.message).toContain(`queue "${queue}" not found in vhost "/" at http://127.0.0.1:15672`);
    }, 60_000);

    it('reads the publish rate in MessageRate mode', async () => {
      const queue = await fixture.createQueue(uniqueName('rate'));
      const source = sourceFor({ host: MANAGEMENT_URL, queueName: queue, mode: 'MessageRate' });
      let publishing = true;
      const publisher = (async () => {
        while (publishing) {
          await fixture.publish(queue, 5);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      try {
        // About 5 messages per 100 ms plus the publish time: somewhere below 50/s, well above 0.
        const rate = await waitFor(
          'a publish rate',
          async () => {
            const value = (await source.read()).value;
            return value > 5 ? value : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 500 },
        );
        expect(rate).toBeLessThan(60);
      } finally {
        publishing = false;
        await publisher;
      }
    }, 60_000);

    it('honours vhostName over the vhost in the URL', async () => {
      const vhost = uniqueName('http-vhost');
      const dropVhost = await createVhost(vhost);
      const inVhost = await RabbitFixture.open(vhost);
      try {
        const queue = await inVhost.createQueue(uniqueName('vh'));
        await inVhost.publish(queue, 4);
        await waitForManagementCount(queue, 'messages', 4, vhost);
        await settlesAt(sourceFor({ host: `${MANAGEMENT_URL}/%2F`, vhostName: vhost, queueName: queue }), 4);
        await settlesAt(
          sourceFor({ host: `${MANAGEMENT_URL}/${encodeURIComponent(vhost)}`, queueName: queue }),
          4,
        );
      } finally {
        await inVhost.cleanup();
        await dropVhost();
      }
    }, 60_000);

    it('fails with UpstreamUnavailableError on a closed port and on refused credentials', async () => {
      const closed = await failure(
        sourceFor({ host: 'http://guest:guest@127.0.0.1:1', queueName: 'q', timeout: '2s' }).read(),
      );
      expect(closed).toBeInstanceOf(UpstreamUnavailableError);
      expect((closed as UpstreamUnavailableError).reason).toBe('unreachable');

      const refused = await failure(
        sourceFor({ host: MANAGEMENT_URL.replace('guest:guest', 'bad:creds'), queueName: 'q' }).read(),
      );
      expect(refused).toMatchObject({ name: 'UpstreamUnavailableError', reason: 'http_status' });
      expect(refused.message).toMatch(/HTTP 401/);
      expect(refused.message).not.toContain('bad:creds');
    });
  });
  describe("KEDA's rabbitmq keys", () => {
    /** Three queues a regex matches (3, 5 and 10 messages) and one it does not (100). */
    const regexQueues = async (): Promise<string> => {
      const prefix = uniqueName('rx');
      for (const [suffix, count] of [
        ['a', 3],
        ['b', 5],
        ['c', 10],
        ['other', 100],
      ] as const) {
        const queue = await fixture.createQueue(`${prefix}-${suffix}`);
        await fixture.publish(queue, count);
        await waitForManagementCount(queue, 'messages', count);
      }
      return prefix;
    };

    it('useRegex combines three real queues by operation sum, max and avg', async () => {
      const prefix = await regexQueues();
      const regex = { host: MANAGEMENT_URL, queueName: `^${prefix}-(a|b|c)$`, useRegex: 'true' };
      await settlesAt(sourceFor(regex), 18);
      await settlesAt(sourceFor({ ...regex, operation: 'sum' }), 18);
      await settlesAt(sourceFor({ ...regex, operation: 'max' }), 10);
      // 18 / 3 = 6; KEDA's integer average.
      await settlesAt(sourceFor({ ...regex, operation: 'avg' }), 6);
      // Unanchored, as the management API matches: the fourth queue counts too.
      await settlesAt(sourceFor({ ...regex, queueName: prefix }), 118);
      await settlesAt(sourceFor({ ...regex, queueName: `^${prefix}-nothing$` }), 0);

      await fixture.consume(`${prefix}-c`, 9);
      await settlesAt(sourceFor({ ...regex, operation: 'max' }), 5);
    }, 90_000);

    it('pageSize bounds the matches: more than one page is an error naming pageSize', async () => {
      const prefix = await regexQueues();
      const regex = { host: MANAGEMENT_URL, queueName: `^${prefix}-(a|b|c)$`, useRegex: 'true' };
      const error = await failure(sourceFor({ ...regex, pageSize: '2' }).read());
      expect(error).toBeInstanceOf(UpstreamDataError);
      expect(error.message).toBe(
        `the queueName regex "^${prefix}-(a|b|c)$" matches 3 queues in vhost "/" at http://127.0.0.1:15672, more than pageSize (2) holds; raise pageSize (at most 500) or narrow the regex`,
      );
      await settlesAt(sourceFor({ ...regex, pageSize: '3' }), 18);
    }, 60_000);

    it('refuses a regex the management API does not accept as bad metadata naming queueName', async () => {
      const error = await failure(
        sourceFor({ host: MANAGEMENT_URL, queueName: '[unclosed', useRegex: 'true' }).read(),
      );
      expect(error).toBeInstanceOf(MetadataError);
      expect((error as MetadataError).key).toBe('queueName');
    });

    it('reads with the credentials of usernameFromEnv and passwordFromEnv, over AMQP and the management API', async () => {
      const username = uniqueName('user');
      const password = 'Env-S3cret:/@%';
      const dropUser = await createBrokerUser(username, password);
      try {
        const queue = await fixture.createQueue(uniqueName('creds'));
        await fixture.publish(queue, 7);
        const fromEnv = { usernameFromEnv: username, passwordFromEnv: password, queueName: queue };
        const amqpHost = AMQP_URL.replace('guest:guest@', '');
        const httpHost = MANAGEMENT_URL.replace('guest:guest@', '');
        expect((await sourceFor({ host: amqpHost, ...fromEnv }).read()).value).toBe(7);
        await settlesAt(sourceFor({ host: httpHost, ...fromEnv }), 7);
        // As in KEDA, the keys win over user info in the host.
        const wrongInHost = (url: string): string => url.replace('guest:guest@', 'bad:creds@');
        expect((await sourceFor({ host: wrongInHost(AMQP_URL), ...fromEnv }).read()).value).toBe(7);
        await settlesAt(sourceFor({ host: wrongInHost(MANAGEMENT_URL), ...fromEnv }), 7);

        const refused = [
          await failure(sourceFor({ host: amqpHost, ...fromEnv, passwordFromEnv: 'wrong-pw' }).read()),
          await failure(sourceFor({ host: httpHost, ...fromEnv, passwordFromEnv: 'wrong-pw' }).read()),
        ];
        for (const error of refused) {
          expect(error).toBeInstanceOf(UpstreamUnavailableError);
          expect(error.message).not.toContain('wrong-pw');
          expect(error.message).not.toContain(username);
        }
      } finally {
        await dropUser();
      }
    }, 60_000);

    it('reads with an explicit protocol matching the host', async () => {
      const queue = await fixture.createQueue(uniqueName('protocol'));
      await fixture.publish(queue, 4);
      expect((await sourceFor({ host: AMQP_URL, protocol: 'amqp', queueName: queue }).read()).value).toBe(4);
      await settlesAt(sourceFor({ host: MANAGEMENT_URL, protocol: 'http', queueName: queue }), 4);
    }, 60_000);

    it('takes queueLength as the QueueLength target, with a warning', async () => {
      const queue = await fixture.createQueue(uniqueName('deprecated'));
      await fixture.publish(queue, 6);
      const metadata = { source: 'rabbitmq', host: AMQP_URL, queueName: queue, queueLength: '3' };
      const { config, warnings } = readTriggerMetadata(metadata);
      expect(config).toMatchObject({ mode: 'QueueLength', target: 3 });
      expect(warnings.map((warning) => warning.key)).toEqual(['queueLength']);
      const source = createRabbitMqSource(config as RabbitMqTriggerConfig, { logger, amqp: pool });
      sources.push(source);
      expect((await source.read()).value).toBe(6);
    });

    it('reads DeliverGetRate and, with a backlog nobody takes, ExpectedQueueConsumptionTime at the activation level', async () => {
      const queue = await fixture.createQueue(uniqueName('deliver'));
      const deliver = sourceFor({ host: MANAGEMENT_URL, queueName: queue, mode: 'DeliverGetRate' });
      let running = true;
      const worker = (async () => {
        while (running) {
          await fixture.publish(queue, 5);
          await fixture.consume(queue, 5);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      try {
        await waitFor(
          'a deliver/get rate',
          async () => ((await deliver.read()).value > 5 ? true : undefined),
          { timeoutMs: 30_000, intervalMs: 500 },
        );
      } finally {
        running = false;
        await worker;
      }

      const backlog = await fixture.createQueue(uniqueName('eta'));
      await fixture.publish(backlog, 12);
      await waitForManagementCount(backlog, 'messages', 12);
      const eta = sourceFor({
        host: MANAGEMENT_URL,
        queueName: backlog,
        mode: 'ExpectedQueueConsumptionTime',
        activationValue: '30',
      });
      expect(await eta.read()).toMatchObject({ value: 30, activity: Infinity });
    }, 60_000);

    describe('TLS to the broker', () => {
      let certs: CertSet;
      const proxies: Array<{ close(): Promise<void> }> = [];

      beforeAll(() => {
        certs = makeCerts();
      });

      afterAll(async () => {
        for (const proxy of proxies) await proxy.close();
        certs?.cleanup();
      });

      const tlsPort = async (plainPort: number): Promise<number> => {
        const proxy = await startTlsProxy(
          plainPort,
          certs.read(certs.serverCert),
          certs.read(certs.serverKey),
        );
        proxies.push(proxy);
        return proxy.port;
      };

      it("verifies the certificate unless sourceUnsafeSsl is set; unsafeSsl (KEDA's) does not change that", async () => {
        const queue = await fixture.createQueue(uniqueName('tls'));
        await fixture.publish(queue, 9);
        await waitForManagementCount(queue, 'messages', 9);
        const amqps = `amqps://guest:guest@127.0.0.1:${await tlsPort(5672)}`;
        const https = `https://guest:guest@127.0.0.1:${await tlsPort(15672)}`;
        for (const host of [amqps, https]) {
          const strict = await failure(sourceFor({ host, queueName: queue, timeout: '2s' }).read());
          expect(strict).toBeInstanceOf(UpstreamUnavailableError);
          const kedaKey = await failure(
            sourceFor({ host, queueName: queue, timeout: '2s', unsafeSsl: 'true' }).read(),
          );
          expect(kedaKey).toBeInstanceOf(UpstreamUnavailableError);
          expect((await sourceFor({ host, queueName: queue, sourceUnsafeSsl: 'true' }).read()).value).toBe(9);
        }
        const { warnings } = readTriggerMetadata({
          source: 'rabbitmq',
          host: amqps,
          queueName: queue,
          value: '5',
          unsafeSsl: 'true',
        });
        expect(warnings.map((warning) => warning.key)).toEqual(['unsafeSsl']);
      }, 60_000);
    });

    it("times out after KEDA's 3 s HTTP timeout when none is set", async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      try {
        const source = sourceFor({ host: `http://guest:guest@127.0.0.1:${port}`, queueName: 'q' });
        const started = Date.now();
        const error = await failure(source.read());
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(2_900);
        expect(elapsed).toBeLessThan(4_500);
        expect(error).toMatchObject({ name: 'UpstreamUnavailableError', reason: 'timeout' });
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });

  describe('through the gRPC server (as KEDA calls it)', () => {
    let scaler: TestScaler;

    beforeAll(async () => {
      // No evaluation cache: each call reads the queue, so the test sees every change at once.
      scaler = await startTestScaler({ EVALUATION_TTL: '0' });
    }, 60_000);

    afterAll(async () => {
      await scaler?.stop();
    });

    const metricValue = async (metadata: Record<string, string>): Promise<number> => {
      const ref = kedaRef({
        source: 'rabbitmq',
        value: '5',
        predictive: 'false',
        maxStaleness: '0',
        ...metadata,
      });
      const name = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
      const response = await scaler.client.getMetrics(ref, name);
      expect(response.metricValues).toHaveLength(1);
      return response.metricValues[0]!.metricValueFloat;
    };

    it('GetMetrics returns the queue length over AMQP and over the management API', async () => {
      const queue = await fixture.createQueue(uniqueName('grpc'));
      await fixture.publish(queue, 17);
      expect(await metricValue({ host: AMQP_URL, queueName: queue })).toBe(17);
      await waitFor(
        'the management API count',
        async () =>
          (await metricValue({ host: MANAGEMENT_URL, queueName: queue })) === 17 ? true : undefined,
        { timeoutMs: 20_000, intervalMs: 250 },
      );

      await fixture.consume(queue, 7);
      expect(await metricValue({ host: AMQP_URL, queueName: queue })).toBe(10);

      await fixture.deleteQueue(queue);
      const ref = kedaRef({
        source: 'rabbitmq',
        host: AMQP_URL,
        queueName: queue,
        value: '5',
        predictive: 'false',
        maxStaleness: '0',
      });
      const error = await grpcError(scaler.client.getMetrics(ref, ''));
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(error.details).toContain(`queue "${queue}" not found in vhost "/"`);
      const inactive = await grpcError(scaler.client.isActive(ref));
      expect(inactive.code).toBe(status.FAILED_PRECONDITION);
    }, 60_000);

    it('lets go of a broker connection once no trigger reads that broker, and reconnects when one returns', async () => {
      // Polls 200 ms apart against an idle time of 2 s: a busy machine may stall a poll by a second
      // without the kept trigger looking idle.
      const idle = await startTestScaler({ TRIGGER_IDLE: '2s', EVALUATION_TTL: '0' });
      const vhost = uniqueName('idle-vhost');
      const dropVhost = await createVhost(vhost);
      const inVhost = await RabbitFixture.open(vhost);
      const scalerConnections = async (): Promise<number> =>
        (await listConnections()).filter(
          (c) => c.vhost === vhost && c.connectionName === 'keda-predictive-scaler',
        ).length;
      const settlesAt = (expected: number): Promise<unknown> =>
        waitFor(
          `${expected} scaler connection(s) on ${vhost}`,
          async () => ((await scalerConnections()) === expected ? true : undefined),
          { timeoutMs: 15_000, intervalMs: 250 },
        );
      try {
        const queue = await inVhost.createQueue(uniqueName('idle'));
        await inVhost.publish(queue, 3);
        // Two ScaledObjects with the same trigger metadata share one parsed config and one source.
        const metadata = {
          source: 'rabbitmq',
          host: `${AMQP_URL}/${encodeURIComponent(vhost)}`,
          queueName: queue,
          value: '5',
          predictive: 'false',
          maxStaleness: '0',
        };
        const kept = kedaRef(metadata, 'kept');
        const dropped = kedaRef(metadata, 'dropped');
        const value = async (ref: typeof kept): Promise<number> =>
          (await idle.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat;
        expect(await value(kept)).toBe(3);
        expect(await value(dropped)).toBe(3);
        await settlesAt(1);

        // One of them goes away; the other, still polled, keeps the shared source and its connection.
        const until = Date.now() + 5_000;
        while (Date.now() < until) {
          expect(await value(kept)).toBe(3);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(await scalerConnections()).toBe(1);

        // Neither is asked about any more: the connection closes.
        await settlesAt(0);

        // KEDA asks again: a new connection, the same answer.
        await inVhost.publish(queue, 1);
        expect(await value(kept)).toBe(4);
        await settlesAt(1);
      } finally {
        await idle.stop();
        await inVhost.cleanup();
        await dropVhost();
      }
    }, 60_000);

    it('keeps MessageRate active on a backlog after the publishers stopped, and returns the rate', async () => {
      const queue = await fixture.createQueue(uniqueName('backlog'));
      const empty = await fixture.createQueue(uniqueName('idle'));
      await fixture.publish(queue, 30);
      await waitForManagementCount(queue, 'messages', 30);
      const trigger = (queueName: string): ReturnType<typeof kedaRef> =>
        kedaRef({
          source: 'rabbitmq',
          host: MANAGEMENT_URL,
          queueName,
          mode: 'MessageRate',
          value: '10',
          activationValue: '5',
          predictive: 'false',
          maxStaleness: '0',
        });
      // The publish rate decays to 0 within a few statistics intervals once nothing is published.
      await waitFor(
        'a publish rate of 0',
        async () =>
          (await metricValue({
            host: MANAGEMENT_URL,
            queueName: queue,
            mode: 'MessageRate',
            value: '10',
            activationValue: '5',
          })) === 0
            ? true
            : undefined,
        { timeoutMs: 45_000, intervalMs: 500 },
      );
      expect((await scaler.client.isActive(trigger(queue))).result).toBe(true);
      expect((await scaler.client.isActive(trigger(empty))).result).toBe(false);

      // Drained below the activation level: inactive.
      await fixture.consume(queue, 26);
      await waitForManagementCount(queue, 'messages', 4);
      expect((await scaler.client.isActive(trigger(queue))).result).toBe(false);
    }, 90_000);

    it('answers UNAVAILABLE within the timeout when the broker cannot be reached', async () => {
      const ref = kedaRef({
        source: 'rabbitmq',
        host: 'amqp://guest:guest@127.0.0.1:1',
        queueName: 'orders',
        value: '5',
        predictive: 'false',
        timeout: '2s',
        maxStaleness: '0',
      });
      const started = Date.now();
      const error = await grpcError(scaler.client.getMetrics(ref, ''));
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).not.toContain('guest');
    });
  });
});
