import type { RabbitMqTriggerConfig } from './rabbitmq-metadata';
import { MetadataError } from '../../errors';
import type { Reading, Source } from '../source';
import type { SourceDeps } from '../source-deps';
import type { AmqpLease } from './amqp-connection-pool';
import { readManagementQueueStats } from './management-api';
import {
  resolveAmqpTarget,
  resolveManagementQueueEndpoint,
  type ManagementQueueEndpoint,
} from './rabbitmq-url';

/**
 * A RabbitMQ queue, read the way KEDA's rabbitmq scaler reads it:
 * - `amqp(s)://` host: `QueueLength` = ready messages, from a passive declare on the pooled connection's
 *   dedicated channel (about a millisecond, cheap enough for sub-second push polling);
 * - `http(s)://` host: the management API, `QueueLength` = `messages` (ready + unacknowledged) or
 *   `messages_ready` with `excludeUnacknowledged`, and `MessageRate` = publish rate per second.
 *
 * A missing queue is an `UpstreamDataError` ('not_found'), an unreachable broker an
 * `UpstreamUnavailableError`; neither ever reads as 0.
 */
export function createRabbitMqSource(config: RabbitMqTriggerConfig, deps: SourceDeps): Source {
  if (config.protocol === 'amqp') {
    // The metadata parser refuses these combinations already; this guards callers that build configs.
    if (config.mode === 'MessageRate') {
      throw new MetadataError(
        'mode',
        config.mode,
        'QueueLength with an amqp host (MessageRate needs an http(s):// host)',
      );
    }
    if (config.excludeUnacknowledged) {
      throw new MetadataError(
        'excludeUnacknowledged',
        'true',
        'false with an amqp host (it needs an http(s):// host)',
      );
    }
    return new AmqpQueueSource(config, deps);
  }
  return new ManagementQueueSource(config, deps);
}

class AmqpQueueSource implements Source {
  readonly kind = 'rabbitmq';
  private readonly lease: AmqpLease;

  constructor(
    private readonly config: RabbitMqTriggerConfig,
    deps: SourceDeps,
  ) {
    const target = resolveAmqpTarget(config.host, config.vhostName, config.unsafeSsl);
    this.lease = deps.amqp.acquire(target);
    deps.logger.debug(
      { source: this.kind, broker: target.display, queue: config.queueName, metric: config.metricName },
      'rabbitmq source created (amqp)',
    );
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const info = await this.lease.checkQueue(this.config.queueName, {
      timeoutMs: this.config.timeoutMs,
      signal,
    });
    return { value: info.messageCount, atMs: Date.now() };
  }

  close(): Promise<void> {
    return this.lease.release();
  }
}

class ManagementQueueSource implements Source {
  readonly kind = 'rabbitmq';
  private readonly endpoint: ManagementQueueEndpoint;

  constructor(
    private readonly config: RabbitMqTriggerConfig,
    deps: SourceDeps,
  ) {
    this.endpoint = resolveManagementQueueEndpoint(config.host, config.vhostName, config.queueName);
    deps.logger.debug(
      { source: this.kind, api: this.endpoint.display, queue: config.queueName, metric: config.metricName },
      'rabbitmq source created (management API)',
    );
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const stats = await readManagementQueueStats(this.endpoint, {
      timeoutMs: this.config.timeoutMs,
      unsafeSsl: this.config.unsafeSsl,
      signal,
    });
    const value =
      this.config.mode === 'MessageRate'
        ? stats.publishRate
        : this.config.excludeUnacknowledged
          ? stats.messagesReady
          : stats.messages;
    return { value, atMs: Date.now() };
  }
}
