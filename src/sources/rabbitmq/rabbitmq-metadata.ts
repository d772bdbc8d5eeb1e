import { parseEnum, parseUrl, redactUrlText } from '../../config/parse';
import {
  parseTarget,
  withIdentity,
  type CommonSettings,
  type CommonTriggerConfig,
  type MetadataReader,
} from '../../config/trigger-config';
import { MetadataError } from '../../errors';

export interface RabbitMqTriggerConfig extends CommonTriggerConfig {
  source: 'rabbitmq';
  /** Broker URL: `amqp(s)://` or management `http(s)://`. Holds credentials: never log it, use `hostRedacted`. */
  host: string;
  hostRedacted: string;
  protocol: 'amqp' | 'http';
  queueName: string;
  /** @default QueueLength */
  mode: 'QueueLength' | 'MessageRate';
  /** @default the URL's vhost, else "/" */
  vhostName: string | undefined;
  /** @default false */
  excludeUnacknowledged: boolean;
  /** @default false */
  unsafeSsl: boolean;
}

export const RABBITMQ_KEYS = [
  'host',
  'hostFromEnv',
  'queueName',
  'mode',
  'vhostName',
  'excludeUnacknowledged',
  'unsafeSsl',
  'value',
  'activationValue',
] as const;

export function parseRabbitMqMetadata(read: MetadataReader, common: CommonSettings): RabbitMqTriggerConfig {
  const { get } = read;
  const hostRaw = read.fromEnv('host');
  if (hostRaw === undefined) {
    throw new MetadataError('host', undefined, 'an amqp(s):// or http(s):// URL (or hostFromEnv)');
  }
  const hostKey = get('host') === undefined ? 'hostFromEnv' : 'host';
  const url = parseUrl(hostKey, hostRaw, ['amqp:', 'amqps:', 'http:', 'https:']);
  const queueName = read.require('queueName', 'the name of the queue to watch');
  if (queueName.length > 255) throw new MetadataError('queueName', queueName, 'at most 255 characters');
  const mode = parseEnum('mode', get('mode') ?? 'QueueLength', ['QueueLength', 'MessageRate'] as const);
  const protocol = url.protocol.startsWith('amqp') ? 'amqp' : 'http';
  if (mode === 'MessageRate' && protocol !== 'http') {
    throw new MetadataError(
      'mode',
      'MessageRate',
      'QueueLength with an amqp host (MessageRate needs the management API: an http(s):// host)',
    );
  }
  const excludeUnacknowledged = read.boolean('excludeUnacknowledged', false);
  if (excludeUnacknowledged && protocol !== 'http') {
    throw new MetadataError(
      'excludeUnacknowledged',
      'true',
      'false with an amqp host (it needs the management API: an http(s):// host)',
    );
  }
  const vhostName = get('vhostName');
  const config: RabbitMqTriggerConfig = {
    source: 'rabbitmq',
    ...common,
    host: hostRaw.trim(),
    hostRedacted: redactUrlText(url.href),
    protocol,
    queueName,
    mode,
    vhostName,
    excludeUnacknowledged,
    unsafeSsl: read.boolean('unsafeSsl', false),
    ...parseTarget(read, { target: 'value', activation: 'activationValue', unit: 'messages per replica' }),
    metricName: '',
    signalId: '',
  };
  // Not url.origin: it is "null" for amqp URLs, which would give two brokers' queues one identity.
  const identity = [
    config.source,
    `${url.protocol}//${url.host}`,
    vhostName ?? url.pathname,
    queueName,
    mode,
    excludeUnacknowledged,
  ];
  return withIdentity(config, identity, queueName);
}
