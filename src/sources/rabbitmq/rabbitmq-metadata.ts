import { parseEnum, parseNumber, parseUrl } from '../../config/parse';
import { redactSecrets } from '../../util/redact';
import {
  parseTarget,
  withIdentity,
  type CommonSettings,
  type CommonTriggerConfig,
  type MetadataReader,
} from '../../config/trigger-config';
import { MetadataError } from '../../errors';

/** KEDA's rabbitmq modes: what the trigger's value is. All but `QueueLength` need the management API. */
export const RABBITMQ_MODES = [
  'QueueLength',
  'MessageRate',
  'DeliverGetRate',
  'PublishedToDeliveredRatio',
  'ExpectedQueueConsumptionTime',
] as const;
export type RabbitMqMode = (typeof RABBITMQ_MODES)[number];

/** How the queues a `useRegex` pattern matches combine into one, as KEDA's `operation`. */
export const RABBITMQ_OPERATIONS = ['sum', 'avg', 'max'] as const;
export type RabbitMqOperation = (typeof RABBITMQ_OPERATIONS)[number];

/** The management API refuses a larger `page_size` (RabbitMQ's `MAX_PAGE_SIZE`). */
const MAX_PAGE_SIZE = 500;
/** A regex may name several queues, so it may be longer than one queue name. */
const MAX_QUEUE_REGEX_LENGTH = 1_000;

export interface RabbitMqTriggerConfig extends CommonTriggerConfig {
  source: 'rabbitmq';
  /**
   * Broker URL: `amqp(s)://` or management `http(s)://`, with `usernameFromEnv`/`passwordFromEnv` already
   * written into it. Holds credentials: never log it, use `hostRedacted`.
   */
  host: string;
  hostRedacted: string;
  /** From `protocol`, or from the host's scheme when it is `auto`. */
  protocol: 'amqp' | 'http';
  /** A queue name, or with `useRegex` a regular expression the management API matches queue names with. */
  queueName: string;
  /** @default QueueLength */
  mode: RabbitMqMode;
  /** @default the URL's vhost, else "/" */
  vhostName: string | undefined;
  /** @default false */
  excludeUnacknowledged: boolean;
  /** @default false */
  useRegex: boolean;
  /** @default sum */
  operation: RabbitMqOperation;
  /** How many matching queues one management API page holds; more is an error. @default 100 */
  pageSize: number;
  /** Accept any certificate from the broker (`amqps://`, `https://`). @default false */
  sourceUnsafeSsl: boolean;
}

export const RABBITMQ_KEYS = [
  'host',
  'hostFromEnv',
  'protocol',
  'usernameFromEnv',
  'passwordFromEnv',
  'queueName',
  'useRegex',
  'operation',
  'pageSize',
  'mode',
  'queueLength',
  'vhostName',
  'excludeUnacknowledged',
  'sourceUnsafeSsl',
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
  const protocol = parseProtocol(read, url);
  const host = withCredentials(read, url, hostRaw.trim());

  const useRegex = read.boolean('useRegex', false);
  if (useRegex && protocol !== 'http') {
    throw new MetadataError(
      'useRegex',
      get('useRegex'),
      'false with an amqp host (the management API matches the regex against queue names: an http(s):// host)',
    );
  }
  const queueName = read.require(
    'queueName',
    useRegex ? 'a regular expression matching queue names' : 'the name of the queue to watch',
  );
  const maxLength = useRegex ? MAX_QUEUE_REGEX_LENGTH : 255;
  if (queueName.length > maxLength) {
    throw new MetadataError('queueName', queueName, `at most ${maxLength} characters`);
  }
  const operation = parseEnum('operation', get('operation') ?? 'sum', RABBITMQ_OPERATIONS);
  const pageSize = parsePageSize(read);
  if (!useRegex) {
    for (const key of ['operation', 'pageSize'] as const) {
      if (get(key) !== undefined) read.warn(key, `${key} applies only with useRegex: "true"; ignored`);
    }
  }

  const { mode, target, activationTarget } = parseModeAndTarget(read);
  if (mode !== 'QueueLength' && protocol !== 'http') {
    throw new MetadataError(
      'mode',
      mode,
      `QueueLength with an amqp host (${mode} needs the management API: an http(s):// host)`,
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
  const sourceUnsafeSsl = read.boolean('sourceUnsafeSsl', false);
  if (read.boolean('unsafeSsl', false) && get('sourceUnsafeSsl') === undefined) {
    read.warn(
      'unsafeSsl',
      "unsafeSsl is KEDA's own TLS to this scaler; use sourceUnsafeSsl for TLS to the source (the broker's certificate is verified)",
    );
  }
  const vhostName = get('vhostName');
  const config: RabbitMqTriggerConfig = {
    source: 'rabbitmq',
    ...common,
    host,
    hostRedacted: redactSecrets(url.href),
    protocol,
    queueName,
    mode,
    vhostName,
    excludeUnacknowledged,
    useRegex,
    operation,
    pageSize,
    sourceUnsafeSsl,
    target,
    activationTarget,
    metricName: '',
    signalId: '',
  };
  // Not url.origin: it is "null" for amqp URLs, which would give two brokers' queues one identity.
  const identity: unknown[] = [
    config.source,
    `${url.protocol}//${url.host}`,
    vhostName ?? url.pathname,
    queueName,
    mode,
    excludeUnacknowledged,
  ];
  // Appended only when set, so the signals of existing triggers keep their names and history.
  if (useRegex) identity.push('regex', operation);
  return withIdentity(config, identity, queueName);
}

/**
 * `protocol` as in KEDA: `auto` takes it from the host's scheme. KEDA uses the host as given with the
 * protocol named, so a host of the other scheme can only fail there (at connection or on every poll);
 * here it is refused at once.
 */
function parseProtocol(read: MetadataReader, url: URL): 'amqp' | 'http' {
  const fromScheme = url.protocol.startsWith('amqp') ? 'amqp' : 'http';
  const raw = read.get('protocol');
  const named = parseEnum('protocol', raw ?? 'auto', ['auto', 'amqp', 'http'] as const);
  if (named !== 'auto' && named !== fromScheme) {
    throw new MetadataError(
      'protocol',
      raw,
      `auto or ${fromScheme} with a ${url.protocol}// host (protocol ${named} needs ${named === 'amqp' ? 'an amqp(s)://' : 'an http(s):// management'} host)`,
    );
  }
  return fromScheme;
}

/**
 * `usernameFromEnv` and `passwordFromEnv` hold the secrets themselves (KEDA resolves them from the
 * container's environment). As in KEDA, they replace any user info in the host URL. A `MetadataError`
 * here never carries their values.
 */
function withCredentials(read: MetadataReader, url: URL, host: string): string {
  const username = read.get('usernameFromEnv');
  const password = read.get('passwordFromEnv');
  if (username === undefined && password === undefined) return host;
  if (username === undefined || password === undefined) {
    const missing = username === undefined ? 'usernameFromEnv' : 'passwordFromEnv';
    const other = username === undefined ? 'passwordFromEnv' : 'usernameFromEnv';
    throw new MetadataError(missing, undefined, `a value whenever ${other} is set (they go together)`);
  }
  const withUser = new URL(url.href);
  withUser.username = encodeURIComponent(username);
  withUser.password = encodeURIComponent(password);
  return withUser.href;
}

/** KEDA bounds `pageSize` below by 1; the management API refuses pages above 500. */
function parsePageSize(read: MetadataReader): number {
  const raw = read.get('pageSize');
  if (raw === undefined) return 100;
  const expected = `an integer from 1 to ${MAX_PAGE_SIZE} (the management API's largest page)`;
  const pageSize = parseNumber('pageSize', raw, { min: 1, max: MAX_PAGE_SIZE });
  if (!Number.isInteger(pageSize)) throw new MetadataError('pageSize', raw, expected);
  return pageSize;
}

/**
 * `mode` with `value`, or KEDA's deprecated `queueLength`: the target of `QueueLength` mode, accepted
 * alone (as KEDA accepts it) with a warning, refused next to `mode` or `value` as KEDA refuses it.
 */
function parseModeAndTarget(
  read: MetadataReader,
): { mode: RabbitMqMode } & Pick<CommonTriggerConfig, 'target' | 'activationTarget'> {
  const { get } = read;
  const queueLength = get('queueLength');
  if (queueLength === undefined) {
    return {
      mode: parseEnum('mode', get('mode') ?? 'QueueLength', RABBITMQ_MODES),
      ...parseTarget(read, { target: 'value', activation: 'activationValue', unit: 'messages per replica' }),
    };
  }
  if (get('mode') !== undefined || get('value') !== undefined) {
    throw new MetadataError(
      'queueLength',
      queueLength,
      'no queueLength next to mode or value (queueLength is deprecated; use mode and value)',
    );
  }
  const target = parseNumber('queueLength', queueLength, { exclusiveMin: 0 });
  read.warn('queueLength', 'deprecated, as in KEDA; use value (with mode: QueueLength) instead');
  return {
    mode: 'QueueLength',
    target,
    activationTarget: read.number('activationValue', 0, { min: 0 }),
  };
}
