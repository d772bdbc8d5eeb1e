import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { ChannelModel } from 'amqplib';
import pino from 'pino';
import { UpstreamDataError, UpstreamUnavailableError } from '../../errors';
import { createAmqpConnectionPool, type AmqpConnectFn } from './amqp-connection-pool';
import { resolveAmqpTarget } from './rabbitmq-url';

/**
 * A broker double with amqplib's channel semantics where they matter: a passive declare of a missing queue
 * closes the channel, and every RPC still pending on that channel then fails.
 */
class FakeBroker {
  queues = new Map<string, number>();
  connects = 0;
  refuse = false;
  maxInFlight = 0;
  readonly models: FakeModel[] = [];

  connect: AmqpConnectFn = async () => {
    this.connects += 1;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.refuse)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' });
    const model = new FakeModel(this);
    this.models.push(model);
    return model as unknown as ChannelModel;
  };
}

class FakeModel extends EventEmitter {
  channels = 0;
  constructor(private readonly broker: FakeBroker) {
    super();
  }
  async createChannel(): Promise<FakeChannel> {
    this.channels += 1;
    return new FakeChannel(this.broker);
  }
  async close(): Promise<void> {
    this.emit('close');
  }
  drop(): void {
    this.emit('error', new Error('Connection closed: 320 (CONNECTION-FORCED)'));
    this.emit('close', new Error('Connection closed: 320 (CONNECTION-FORCED)'));
  }
}

class FakeChannel extends EventEmitter {
  private inFlight = 0;
  private closed = false;
  private readonly pending: Array<(error: Error) => void> = [];
  constructor(private readonly broker: FakeBroker) {
    super();
  }
  checkQueue(queue: string): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
    if (this.closed) return Promise.reject(new Error('Channel closed'));
    this.inFlight += 1;
    this.broker.maxInFlight = Math.max(this.broker.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.pending.push(reject);
      setImmediate(() => {
        this.inFlight -= 1;
        if (this.closed) return;
        const count = this.broker.queues.get(queue);
        if (count === undefined) {
          reject(
            Object.assign(new Error(`Operation failed: QueueDeclare; 404 (NOT-FOUND) no queue '${queue}'`), {
              code: 404,
            }),
          );
          this.closed = true;
          for (const other of this.pending) other(new Error('Channel ended, no reply will be forthcoming'));
          this.emit('error', new Error('Channel closed by server: 404'));
          this.emit('close');
          return;
        }
        resolve({ queue, messageCount: count, consumerCount: 0 });
      });
    });
  }
}

function setup(options: { backoff?: { initialDelayMs: number; maxDelayMs: number } } = {}) {
  const broker = new FakeBroker();
  let logs = '';
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs += chunk.toString();
        callback();
      },
    }),
  );
  const pool = createAmqpConnectionPool({
    logger,
    connect: broker.connect,
    backoff: options.backoff ?? { initialDelayMs: 20, maxDelayMs: 100 },
    random: () => 1,
  });
  return { broker, pool, logs: () => logs };
}

const target = resolveAmqpTarget('amqp://scaler:s3cret@broker:5672/orders', undefined);
const read = { timeoutMs: 1000 };

describe('AMQP connection pool (broker double)', () => {
  it('shares one connection between leases on the same broker, and closes it with the last', async () => {
    const { broker, pool } = setup();
    broker.queues.set('a', 3);
    const leases = Array.from({ length: 10 }, () => pool.acquire(target));
    const other = pool.acquire(resolveAmqpTarget('amqp://scaler:s3cret@broker:5672/other', undefined));
    await Promise.all(leases.map((lease) => lease.checkQueue('a', read)));
    expect(broker.connects).toBe(2);
    expect(pool.size).toBe(2);
    for (const lease of leases) await lease.release();
    expect(pool.size).toBe(1);
    await other.release();
    expect(pool.size).toBe(0);
    await pool.close();
  });

  it('keeps a missing queue from failing concurrent reads of other queues', async () => {
    const { broker, pool } = setup();
    broker.queues.set('a', 5);
    broker.queues.set('b', 7);
    const lease = pool.acquire(target);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => lease.checkQueue(['a', 'missing', 'b'][i % 3] as string, read)),
    );
    results.forEach((result, i) => {
      const queue = ['a', 'missing', 'b'][i % 3];
      if (queue === 'missing') {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason as UpstreamDataError;
        expect(error).toBeInstanceOf(UpstreamDataError);
        expect(error.reason).toBe('not_found');
        expect(error.message).toBe(
          'queue "missing" not found in vhost "orders" at amqp://broker:5672/orders',
        );
      } else {
        expect(result).toEqual({
          status: 'fulfilled',
          value: { messageCount: queue === 'a' ? 5 : 7, consumerCount: 0 },
        });
      }
    });
    expect(broker.maxInFlight).toBe(1);
    expect(broker.connects).toBe(1);
    await pool.close();
  });

  it('reconnects by itself after the connection drops', async () => {
    const { broker, pool } = setup();
    broker.queues.set('a', 1);
    const lease = pool.acquire(target);
    await lease.checkQueue('a', read);
    broker.models[0]?.drop();
    // The first reconnect is due within the read's deadline, so the read waits for it rather than failing.
    await expect(lease.checkQueue('a', read)).resolves.toEqual({ messageCount: 1, consumerCount: 0 });
    expect(broker.connects).toBe(2);
    await pool.close();
  });

  it('fails fast while backing off, then recovers when the broker is back', async () => {
    const { broker, pool, logs } = setup({ backoff: { initialDelayMs: 200, maxDelayMs: 400 } });
    broker.refuse = true;
    broker.queues.set('a', 2);
    const lease = pool.acquire(target);
    const first = await lease.checkQueue('a', read).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(UpstreamUnavailableError);
    expect((first as Error).message).toMatch(
      /cannot connect to RabbitMQ at amqp:\/\/broker:5672\/orders: ECONNREFUSED/,
    );
    const started = Date.now();
    const second = await lease.checkQueue('a', { timeoutMs: 50 }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(40);
    expect((second as Error).message).toMatch(/next reconnect attempt in \d+ ms/);
    broker.refuse = false;
    const deadline = Date.now() + 3000;
    let value: number | undefined;
    while (value === undefined && Date.now() < deadline) {
      value = await lease
        .checkQueue('a', read)
        .then((info) => info.messageCount)
        .catch(() => undefined);
      if (value === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(value).toBe(2);
    expect(logs()).not.toContain('s3cret');
    expect(logs()).toContain('RabbitMQ connection restored');
    await pool.close();
  });

  it('honours the caller deadline and abort signal', async () => {
    const { broker, pool } = setup();
    broker.queues.set('a', 1);
    const lease = pool.acquire(target);
    const controller = new AbortController();
    controller.abort();
    await expect(lease.checkQueue('a', { timeoutMs: 1000, signal: controller.signal })).rejects.toMatchObject(
      {
        name: 'UpstreamUnavailableError',
        reason: 'timeout',
      },
    );
    await pool.close();
    await expect(lease.checkQueue('a', read)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(() => pool.acquire(target)).toThrow(UpstreamUnavailableError);
  });
});
