import { connect as amqplibConnect, type Channel, type ChannelModel, type Options } from 'amqplib';
import type { Logger } from 'pino';
import { UpstreamDataError, UpstreamUnavailableError } from '../../errors';
import { redactSecrets } from '../../util/redact';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { withDeadline } from './deadline';
import type { AmqpTarget } from './rabbitmq-url';

/** What a passive queue declare tells us. */
export interface QueueDeclareInfo {
  /** Messages ready for delivery (unacknowledged ones are not counted, as in KEDA's AMQP mode). */
  messageCount: number;
  consumerCount: number;
}

/** One source's share of a broker connection. Release it when the source goes away. */
export interface AmqpLease {
  /** The broker, safe to log. */
  readonly display: string;
  /**
   * Passive declare of `queueName` on the connection's dedicated channel, bounded by `timeoutMs` and
   * `signal`. Fails with `UpstreamDataError` ('not_found') for a missing queue or vhost and with
   * `UpstreamUnavailableError` when the broker cannot be reached in time.
   */
  checkQueue(
    queueName: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<QueueDeclareInfo>;
  /** Drops this share; the connection closes when the last share is released. Idempotent. */
  release(): Promise<void>;
}

/** Shared, reference-counted AMQP connections: one per broker URL (credentials and vhost included). */
export interface AmqpConnectionPool {
  /** Takes a share of the connection for `target`, opening it in the background if needed. */
  acquire(target: AmqpTarget): AmqpLease;
  /** Number of distinct broker connections held (open or reconnecting). */
  readonly size: number;
  /** Closes every connection; later reads fail. The server calls it on shutdown. */
  close(): Promise<void>;
}

/** amqplib's `connect`, injectable so the pool's bookkeeping can be tested without a broker. */
export type AmqpConnectFn = (
  options: Options.Connect,
  socketOptions: Record<string, unknown>,
) => Promise<ChannelModel>;

export interface AmqpPoolOptions {
  logger: Logger;
  /**
   * Shown in the broker's connection list (`clientProperties.connection_name`), so operators can tell the
   * scaler's connections apart. @default keda-predictive-scaler
   */
  connectionName?: string;
  /** Reconnect backoff. @default { initialDelayMs: 250, maxDelayMs: 10000 } */
  backoff?: Partial<BackoffOptions>;
  /** TCP connect plus AMQP handshake limit. @default 10000 */
  connectTimeoutMs?: number;
  /** AMQP heartbeat proposed to the broker unless the URL sets `heartbeat`. Detects a dead peer. @default 10 */
  heartbeatSeconds?: number;
  /** @default amqplib's connect */
  connect?: AmqpConnectFn;
  /** @default Math.random */
  random?: () => number;
}

interface ResolvedOptions {
  connectionName: string;
  backoff: BackoffOptions;
  connectTimeoutMs: number;
  heartbeatSeconds: number;
  connect: AmqpConnectFn;
  random: () => number;
}

/** Builds the pool the composition root hands to every RabbitMQ source. */
export function createAmqpConnectionPool(options: AmqpPoolOptions): AmqpConnectionPool {
  return new Pool(options.logger.child({ component: 'amqp-pool' }), {
    connectionName: options.connectionName ?? 'keda-predictive-scaler',
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    heartbeatSeconds: options.heartbeatSeconds ?? 10,
    connect: options.connect ?? (amqplibConnect as AmqpConnectFn),
    random: options.random ?? Math.random,
  });
}

class Pool implements AmqpConnectionPool {
  private readonly brokers = new Map<string, BrokerConnection>();
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly options: ResolvedOptions,
  ) {}

  get size(): number {
    return this.brokers.size;
  }

  acquire(target: AmqpTarget): AmqpLease {
    if (this.closed) throw new UpstreamUnavailableError('the AMQP connection pool is closed (shutting down)');
    let broker = this.brokers.get(target.key);
    if (broker === undefined) {
      broker = new BrokerConnection(target, this.options, this.logger.child({ broker: target.display }));
      this.brokers.set(target.key, broker);
    }
    const shared = broker;
    shared.refs += 1;
    shared.warmUp();
    let released = false;
    return {
      display: target.display,
      checkQueue: (queueName, options) =>
        released
          ? Promise.reject(new UpstreamUnavailableError(`source for ${target.display} is closed`))
          : shared.checkQueue(queueName, options),
      release: async () => {
        if (released) return;
        released = true;
        shared.refs -= 1;
        if (shared.refs > 0) return;
        if (this.brokers.get(target.key) === shared) this.brokers.delete(target.key);
        await shared.shutdown();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.brokers.values()];
    this.brokers.clear();
    await Promise.all(all.map((broker) => broker.shutdown()));
  }
}

/** A connect (or channel open) in progress, or scheduled for `atMs` after a failure. */
interface Attempt {
  atMs: number;
  promise: Promise<Channel>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One broker connection and its dedicated channel for passive declares. Reads are serialised on that
 * channel: a passive declare of a missing queue makes the broker close the channel, which would fail every
 * other RPC still queued on it, so each declare runs alone and a closed channel is replaced before the next.
 */
class BrokerConnection {
  refs = 0;
  private model: ChannelModel | undefined;
  private channel: Channel | undefined;
  private attempt: Attempt | undefined;
  private failures = 0;
  private lastError: Error | undefined;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();
  /** Declares waiting for their turn, by queue: callers asking for the same queue share one. */
  private readonly waiting = new Map<string, Promise<QueueDeclareInfo>>();

  constructor(
    private readonly target: AmqpTarget,
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
  ) {}

  /** Opens the connection ahead of the first read, so that read does not pay for the handshake. */
  warmUp(): void {
    if (this.channel === undefined && this.attempt === undefined && !this.closed) this.startAttempt(0);
  }

  checkQueue(
    queueName: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<QueueDeclareInfo> {
    const { timeoutMs, signal } = options;
    const deadlineMs = Date.now() + timeoutMs;
    let turn = this.waiting.get(queueName);
    if (turn === undefined) {
      turn = this.tail.then(() => {
        this.waiting.delete(queueName);
        // Bounded so that one hung declare cannot hold every later read in the line.
        return withDeadline(
          this.declarePassive(queueName, deadlineMs),
          deadlineMs - Date.now(),
          undefined,
          () => this.timeoutError(queueName, timeoutMs),
        );
      });
      this.waiting.set(queueName, turn);
      this.tail = turn.then(
        () => undefined,
        () => undefined,
      );
    }
    return withDeadline(
      turn,
      timeoutMs,
      signal,
      () => this.timeoutError(queueName, timeoutMs),
      () =>
        new UpstreamUnavailableError(
          `reading queue "${queueName}" at ${this.target.display} was cancelled before the broker answered`,
          'timeout',
        ),
    );
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.attempt?.timer);
    this.attempt = undefined;
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    if (model === undefined) return;
    // A dead broker never sends close-ok: do not let shutdown wait on it.
    await withDeadline(model.close(), 2_000, undefined, () => new Error('close timed out')).catch(
      () => undefined,
    );
    this.logger.info('RabbitMQ connection closed');
  }

  private async declarePassive(queueName: string, deadlineMs: number): Promise<QueueDeclareInfo> {
    const channel = await this.ensureChannel(deadlineMs);
    try {
      const ok = await channel.checkQueue(queueName);
      return { messageCount: ok.messageCount, consumerCount: ok.consumerCount };
    } catch (error) {
      throw this.declareError(queueName, error);
    }
  }

  private ensureChannel(deadlineMs: number): Promise<Channel> {
    if (this.closed) {
      return Promise.reject(
        new UpstreamUnavailableError(`the connection to ${this.target.display} is closed`),
      );
    }
    if (this.channel !== undefined) return Promise.resolve(this.channel);
    if (this.attempt === undefined) this.startAttempt(0);
    const attempt = this.attempt as Attempt;
    // While backing off, fail at once rather than hold the caller until its deadline: the activation
    // poller reads every few hundred ms and must see the outage, not a queue of hung reads.
    if (attempt.atMs > deadlineMs) return Promise.reject(this.backingOffError(attempt.atMs));
    return attempt.promise;
  }

  private startAttempt(delayMs: number): void {
    let timer: NodeJS.Timeout | undefined;
    const due =
      delayMs <= 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            timer = setTimeout(resolve, delayMs);
            // A pending reconnect alone must not keep the process alive.
            timer.unref();
          });
    const promise = due.then(() => this.open());
    promise.catch(() => undefined);
    this.attempt = { atMs: Date.now() + delayMs, promise, timer };
  }

  private async open(): Promise<Channel> {
    try {
      let model = this.model;
      if (model === undefined) {
        model = await this.options.connect(this.connectOptions(), this.socketOptions());
        if (this.closed) {
          model.close().catch(() => undefined);
          throw new UpstreamUnavailableError(`the connection to ${this.target.display} is closed`);
        }
        this.adopt(model);
      }
      const channel = await model.createChannel();
      if (this.closed)
        throw new UpstreamUnavailableError(`the connection to ${this.target.display} is closed`);
      // The broker closes the channel after a passive declare of a missing queue: that is an answer, not a
      // fault, so it is logged at debug only and the channel is replaced on the next read.
      channel.on('error', (error: Error) =>
        this.logger.debug({ err: error.message }, 'RabbitMQ channel closed by broker'),
      );
      channel.on('close', () => {
        if (this.channel === channel) this.channel = undefined;
      });
      this.channel = channel;
      this.attempt = undefined;
      if (this.failures > 0) this.logger.info({ failures: this.failures }, 'RabbitMQ connection restored');
      this.failures = 0;
      this.lastError = undefined;
      return channel;
    } catch (error) {
      const mapped = this.connectError(error);
      this.lastError = mapped;
      if (this.closed) {
        this.attempt = undefined;
        throw mapped;
      }
      const delayMs = backoffDelayMs(this.failures, this.options.backoff, this.options.random);
      this.failures += 1;
      this.startAttempt(delayMs);
      this.logger.warn(
        { err: mapped.message, failures: this.failures, retryInMs: delayMs },
        'RabbitMQ connection failed; retrying',
      );
      throw mapped;
    }
  }

  private adopt(model: ChannelModel): void {
    model.on('error', (error: Error) =>
      this.logger.warn({ err: redactSecrets(error.message) }, 'RabbitMQ connection error'),
    );
    model.on('close', (error?: Error) => this.onConnectionClosed(model, error));
    this.model = model;
    this.logger.info({ vhost: this.target.vhost }, 'RabbitMQ connection open');
  }

  /** The broker or the network dropped the connection: reconnect in the background, with backoff. */
  private onConnectionClosed(model: ChannelModel, error: Error | undefined): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.channel = undefined;
    if (this.closed) return;
    const reason = error === undefined ? 'closed' : redactSecrets(error.message);
    this.lastError = new UpstreamUnavailableError(
      `the connection to RabbitMQ at ${this.target.display} was lost (${reason})`,
      'unreachable',
      { cause: error },
    );
    if (this.attempt !== undefined) return;
    const delayMs = backoffDelayMs(this.failures, this.options.backoff, this.options.random);
    this.failures += 1;
    this.startAttempt(delayMs);
    this.logger.warn({ err: reason, retryInMs: delayMs }, 'RabbitMQ connection lost; reconnecting');
  }

  private connectOptions(): Options.Connect {
    const { target } = this;
    return {
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      username: target.username,
      password: target.password,
      // amqplib unescapes the vhost it is given; escaping it here makes names with `%` round-trip.
      vhost: encodeURIComponent(target.vhost),
      heartbeat: target.heartbeatSeconds ?? this.options.heartbeatSeconds,
      ...(target.frameMax === undefined ? {} : { frameMax: target.frameMax }),
    };
  }

  private socketOptions(): Record<string, unknown> {
    return {
      timeout: this.options.connectTimeoutMs,
      noDelay: true,
      keepAlive: true,
      clientProperties: { connection_name: this.options.connectionName },
      ...(this.target.protocol === 'amqps' && this.target.unsafeSsl ? { rejectUnauthorized: false } : {}),
    };
  }

  private connectError(error: unknown): Error {
    if (error instanceof UpstreamUnavailableError || error instanceof UpstreamDataError) return error;
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    const code = (error as { code?: unknown } | undefined)?.code;
    // After a successful login RabbitMQ refuses connection.open only for the vhost (missing, or no access
    // for this user); amqplib reports that as an unexpected close frame without the broker's reason.
    if (
      /vhost .* not found/i.test(message) ||
      /Expected ConnectionOpenOk; got <ConnectionClose/.test(message)
    ) {
      return new UpstreamDataError(
        `vhost "${this.target.vhost}" not found at ${this.target.display} (or this user has no access to it)`,
        'not_found',
        { cause: error },
      );
    }
    const detail = typeof code === 'string' ? `${code}: ${message}` : message;
    return new UpstreamUnavailableError(
      `cannot connect to RabbitMQ at ${this.target.display}: ${detail}`,
      'unreachable',
      {
        cause: error,
      },
    );
  }

  private declareError(queueName: string, error: unknown): Error {
    if (error instanceof UpstreamUnavailableError || error instanceof UpstreamDataError) return error;
    const code = (error as { code?: unknown } | undefined)?.code;
    const where = `vhost "${this.target.vhost}" at ${this.target.display}`;
    if (code === 404) {
      return new UpstreamDataError(`queue "${queueName}" not found in ${where}`, 'not_found', {
        cause: error,
      });
    }
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    if (code === 403) {
      return new UpstreamDataError(
        `access to queue "${queueName}" in ${where} refused: ${message}`,
        'bad_response',
        {
          cause: error,
        },
      );
    }
    return new UpstreamUnavailableError(
      `RabbitMQ at ${this.target.display} did not answer for queue "${queueName}": ${message}`,
      'unreachable',
      { cause: error },
    );
  }

  private backingOffError(atMs: number): Error {
    const last = this.lastError;
    if (last instanceof UpstreamDataError) return last;
    const waitMs = Math.max(0, atMs - Date.now());
    return new UpstreamUnavailableError(
      `${last?.message ?? `not connected to RabbitMQ at ${this.target.display}`}; next reconnect attempt in ${waitMs} ms`,
      'unreachable',
      { cause: last },
    );
  }

  private timeoutError(queueName: string, timeoutMs: number): Error {
    return new UpstreamUnavailableError(
      `RabbitMQ at ${this.target.display} did not answer for queue "${queueName}" within ${timeoutMs} ms`,
      'timeout',
    );
  }
}
