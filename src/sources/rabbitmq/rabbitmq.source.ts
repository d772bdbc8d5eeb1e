import type { RabbitMqTriggerConfig } from './rabbitmq-metadata';
import { MetadataError } from '../../errors';
import type { Reading, Source } from '../source';
import type { SourceDeps } from '../source-deps';
import type { AmqpLease } from './amqp-connection-pool';
import { readManagementQueueStats, readManagementQueuesStats } from './management-api';
import { measureQueue } from './rabbitmq-modes';
import {
  resolveAmqpTarget,
  resolveManagementQueueEndpoint,
  resolveManagementQueuesEndpoint,
  type ManagementQueueEndpoint,
  type ManagementQueuesEndpoint,
} from './rabbitmq-url';

/**
 * A RabbitMQ queue, read the way KEDA's rabbitmq scaler reads it:
 * - `amqp(s)://` host: `QueueLength` = ready messages, from a passive declare on the pooled connection's
 *   dedicated channel (about a millisecond, cheap enough for sub-second push polling);
 * - `http(s)://` host: the management API, for one queue or (`useRegex`) the queues whose names match,
 *   combined by `operation`; the value and activity per mode as `measureQueue` says.
 *
 * A missing queue is an `UpstreamDataError` ('not_found'), an unreachable broker an
 * `UpstreamUnavailableError`; neither ever reads as 0.
 */
export function createRabbitMqSource(config: RabbitMqTriggerConfig, deps: SourceDeps): Source {
  if (config.protocol === 'amqp') {
    // The metadata parser refuses these combinations already; this guards callers that build configs.
    if (config.mode !== 'QueueLength') {
      throw new MetadataError(
        'mode',
        config.mode,
        `QueueLength with an amqp host (${config.mode} needs an http(s):// host)`,
      );
    }
    if (config.useRegex) {
      throw new MetadataError('useRegex', 'true', 'false with an amqp host (it needs an http(s):// host)');
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
    const target = resolveAmqpTarget(config.host, config.vhostName, config.sourceUnsafeSsl);
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
  private readonly endpoint: ManagementQueueEndpoint | ManagementQueuesEndpoint;

  constructor(
    private readonly config: RabbitMqTriggerConfig,
    deps: SourceDeps,
  ) {
    this.endpoint = config.useRegex
      ? resolveManagementQueuesEndpoint(config.host, config.vhostName, config.queueName, config.pageSize)
      : resolveManagementQueueEndpoint(config.host, config.vhostName, config.queueName);
    deps.logger.debug(
      {
        source: this.kind,
        api: this.endpoint.display,
        queue: config.queueName,
        useRegex: config.useRegex,
        metric: config.metricName,
      },
      'rabbitmq source created (management API)',
    );
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const { config, endpoint } = this;
    const options = { timeoutMs: config.timeoutMs, unsafeSsl: config.sourceUnsafeSsl, signal };
    const stats =
      'pattern' in endpoint
        ? await readManagementQueuesStats(endpoint, config.operation, options)
        : await readManagementQueueStats(endpoint, options);
    const { value, activity } = measureQueue(
      config.mode,
      stats,
      config.excludeUnacknowledged,
      config.activationTarget,
    );
    return { value, atMs: Date.now(), activity };
  }
}
