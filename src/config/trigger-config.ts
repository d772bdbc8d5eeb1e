import { createHash } from 'node:crypto';
import { MetadataError } from '../errors';
import { parseBusinessHours, parseTimezone, type BusinessHoursWindow } from './business-hours';
import {
  parseBoolean,
  parseDuration,
  parseEnum,
  parseKeyValueList,
  parseNumber,
  parseUrl,
  redactUrlText,
} from './parse';
import { parseLabelSelector } from './label-selector';

/** `predictive` key: use the forecast, ignore it, or compute and export it without using it. */
export type PredictiveMode = 'true' | 'false' | 'shadow';
export type Seasonality = 'auto' | 'daily' | 'weekly' | 'daily,weekly' | 'none';

/** Settings every trigger has, whatever its source. */
export interface CommonTriggerConfig {
  /** Stable lowercase `[a-z0-9-]` name returned by GetMetricSpec: source plus a hash of the signal. */
  metricName: string;
  /** Identity of the learned signal (hash of the source settings): history and models are keyed by it. */
  signalId: string;
  /** Target per replica (`value` for rabbitmq, `threshold` otherwise). Always > 0. */
  target: number;
  /** Activation level (`activationValue` / `activationThreshold`). @default 0 */
  activationTarget: number;
  /** Source read timeout. @default 5s (rabbitmq: 5s) */
  timeoutMs: number;
  /** How long the last good value may be served when the source fails. @default 30s */
  maxStalenessMs: number;
  /** One history point per interval. @default 1m */
  sampleIntervalMs: number;
  /** @default true */
  predictive: PredictiveMode;
  /** @default 15m */
  leadTimeMs: number;
  /** @default 30m */
  horizonMs: number;
  /** @default auto */
  seasonality: Seasonality;
  /** @default 14d */
  historyWindowMs: number;
  /** @default 0.9 */
  quantile: number;
  /** @default 3.5 */
  anomalyThreshold: number;
  /** @default none */
  businessHours: BusinessHoursWindow[] | undefined;
  /** @default 1 */
  businessHoursMultiplier: number;
  /** @default UTC */
  timezone: string;
}

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

export interface HttpQueryOptions {
  serverAddress: string;
  serverAddressRedacted: string;
  /** @default none */
  customHeaders: Array<[string, string]>;
  /** @default none */
  queryParameters: Array<[string, string]>;
  /** @default false */
  unsafeSsl: boolean;
}

export interface PrometheusTriggerConfig extends CommonTriggerConfig, HttpQueryOptions {
  source: 'prometheus';
  query: string;
  /** An empty result reads as 0 when true, as KEDA's prometheus scaler does. @default true */
  ignoreNullValues: boolean;
}

export interface GpuTriggerConfig extends CommonTriggerConfig, HttpQueryOptions {
  source: 'gpu';
  /** @default utilization */
  metric: 'utilization' | 'memory' | 'temperature';
  /** Canonical PromQL label matchers, without braces. @default "" */
  selector: string;
  /** @default avg */
  aggregation: 'avg' | 'max' | 'sum';
}

export type TriggerConfig = RabbitMqTriggerConfig | PrometheusTriggerConfig | GpuTriggerConfig;
export type SourceKind = TriggerConfig['source'];
export const SOURCE_KINDS: readonly SourceKind[] = ['rabbitmq', 'prometheus', 'gpu'];

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const MINUTE = 60_000;
const DAY = 86_400_000;

/** The keys each source reads, for documentation and for the metadata reference check. */
export const COMMON_KEYS = [
  'source',
  'timeout',
  'maxStaleness',
  'sampleInterval',
  'predictive',
  'leadTime',
  'horizon',
  'seasonality',
  'historyWindow',
  'quantile',
  'anomalyThreshold',
  'businessHours',
  'businessHoursMultiplier',
  'timezone',
] as const;

/**
 * Reads one trigger's `scalerMetadata`. Throws `MetadataError` naming the first bad key. Keys it does not
 * know are ignored: KEDA passes `scalerAddress` and users keep their own notes there.
 */
export function parseTriggerMetadata(metadata: Readonly<Record<string, string>>): TriggerConfig {
  const get = (key: string): string | undefined => {
    const value = metadata[key];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const require = (key: string, expected: string): string => {
    const value = get(key);
    if (value === undefined) throw new MetadataError(key, undefined, expected);
    return value;
  };
  const fromEnv = (key: string): string | undefined => get(key) ?? get(`${key}FromEnv`);

  const sourceRaw = metadata.source;
  if (sourceRaw === undefined || sourceRaw.trim() === '') {
    throw new MetadataError('source', undefined, 'one of rabbitmq, prometheus, gpu');
  }
  const source = parseEnum('source', sourceRaw, SOURCE_KINDS);

  const optDuration = (key: string, fallback: number, minMs: number, maxMs: number): number => {
    const raw = get(key);
    return raw === undefined ? fallback : parseDuration(key, raw, { minMs, maxMs });
  };
  const optNumber = (key: string, fallback: number, bounds: Parameters<typeof parseNumber>[2]): number => {
    const raw = get(key);
    return raw === undefined ? fallback : parseNumber(key, raw, bounds);
  };
  const optBoolean = (key: string, fallback: boolean): boolean => {
    const raw = get(key);
    return raw === undefined ? fallback : parseBoolean(key, raw);
  };

  const horizonMs = optDuration('horizon', 30 * MINUTE, MINUTE, 7 * DAY);
  const leadTimeMs = optDuration('leadTime', 15 * MINUTE, 0, 7 * DAY);
  // Blame the key the user set: with leadTime left at its default, a short horizon is the mistake.
  if (leadTimeMs > horizonMs && get('leadTime') === undefined) {
    throw new MetadataError('horizon', get('horizon'), `a duration at least as long as leadTime (15m)`);
  }
  if (leadTimeMs > horizonMs) {
    throw new MetadataError(
      'leadTime',
      get('leadTime'),
      `a duration no longer than horizon (${get('horizon') ?? '30m'})`,
    );
  }
  const sampleIntervalMs = optDuration('sampleInterval', MINUTE, 1_000, 60 * MINUTE);
  const historyWindowMs = optDuration('historyWindow', 14 * DAY, 60 * MINUTE, 60 * DAY);
  if (historyWindowMs / sampleIntervalMs > 100_000) {
    const blamed = get('historyWindow') === undefined ? 'sampleInterval' : 'historyWindow';
    throw new MetadataError(
      blamed,
      get(blamed),
      'at most 100000 samples of sampleInterval (raise sampleInterval or shorten historyWindow)',
    );
  }

  const timezone =
    get('timezone') === undefined ? 'UTC' : parseTimezone('timezone', metadata.timezone as string);
  const businessHoursRaw = get('businessHours');
  const common = {
    timeoutMs: optDuration('timeout', 5_000, 1, 120_000),
    maxStalenessMs: optDuration('maxStaleness', 30_000, 0, 60 * MINUTE),
    sampleIntervalMs,
    predictive: parseEnum('predictive', get('predictive') ?? 'true', ['true', 'false', 'shadow'] as const),
    leadTimeMs,
    horizonMs,
    seasonality: parseSeasonality(get('seasonality') ?? 'auto'),
    historyWindowMs,
    quantile: optNumber('quantile', 0.9, { min: 0.5, max: 0.999 }),
    anomalyThreshold: optNumber('anomalyThreshold', 3.5, { min: 2, max: 5 }),
    businessHours:
      businessHoursRaw === undefined ? undefined : parseBusinessHours('businessHours', businessHoursRaw),
    businessHoursMultiplier: optNumber('businessHoursMultiplier', 1, { exclusiveMin: 0, max: 100 }),
    timezone,
  };

  // Each config literal starts with a plain property, not a spread: V8 (Node 20) gives every object made
  // as `{ ...a, b }` a hidden class of its own, so 10,000 triggers made 10,000 classes, and every read of
  // a config field on the request path missed its inline cache. `config-shape.test.ts` holds this.
  switch (source) {
    case 'rabbitmq': {
      const hostRaw = fromEnv('host');
      if (hostRaw === undefined) {
        throw new MetadataError('host', undefined, 'an amqp(s):// or http(s):// URL (or hostFromEnv)');
      }
      const hostKey = get('host') === undefined ? 'hostFromEnv' : 'host';
      const url = parseUrl(hostKey, hostRaw, ['amqp:', 'amqps:', 'http:', 'https:']);
      const queueName = require('queueName', 'the name of the queue to watch');
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
      const excludeUnacknowledged = optBoolean('excludeUnacknowledged', false);
      if (excludeUnacknowledged && protocol !== 'http') {
        throw new MetadataError(
          'excludeUnacknowledged',
          'true',
          'false with an amqp host (it needs the management API: an http(s):// host)',
        );
      }
      const vhostName = get('vhostName');
      const config: RabbitMqTriggerConfig = {
        source,
        ...common,
        host: hostRaw.trim(),
        hostRedacted: redactUrlText(url.href),
        protocol,
        queueName,
        mode,
        vhostName,
        excludeUnacknowledged,
        unsafeSsl: optBoolean('unsafeSsl', false),
        target: parseNumber(
          'value',
          require('value', 'a decimal number greater than 0 (messages per replica)'),
          {
            exclusiveMin: 0,
          },
        ),
        activationTarget: optNumber('activationValue', 0, { min: 0 }),
        metricName: '',
        signalId: '',
      };
      // Not url.origin: it is "null" for amqp URLs, which would give two brokers' queues one identity.
      const identity = [
        source,
        `${url.protocol}//${url.host}`,
        vhostName ?? url.pathname,
        queueName,
        mode,
        excludeUnacknowledged,
      ];
      return withIdentity(config, identity, queueName);
    }
    case 'prometheus': {
      const http = parseHttpOptions(get, require);
      const query = require('query', 'a PromQL instant query that returns one series');
      if (query.length > 10_000)
        throw new MetadataError('query', query, 'a PromQL query of at most 10000 characters');
      const config: PrometheusTriggerConfig = {
        source,
        ...common,
        ...http,
        query,
        ignoreNullValues: optBoolean('ignoreNullValues', true),
        target: parseNumber(
          'threshold',
          require('threshold', 'a decimal number greater than 0 (value per replica)'),
          {
            exclusiveMin: 0,
          },
        ),
        activationTarget: optNumber('activationThreshold', 0, { min: 0 }),
        metricName: '',
        signalId: '',
      };
      return withIdentity(
        config,
        [source, http.serverAddressRedacted, query, http.queryParameters, ...dataHeaders(http)],
        'query',
      );
    }
    case 'gpu': {
      const http = parseHttpOptions(get, require);
      const metric = parseEnum('metric', get('metric') ?? 'utilization', [
        'utilization',
        'memory',
        'temperature',
      ] as const);
      const aggregation = parseEnum('aggregation', get('aggregation') ?? 'avg', [
        'avg',
        'max',
        'sum',
      ] as const);
      const selector = parseLabelSelector('selector', metadata.selector ?? '');
      const config: GpuTriggerConfig = {
        source,
        ...common,
        ...http,
        metric,
        selector,
        aggregation,
        target: parseNumber(
          'threshold',
          require('threshold', 'a decimal number greater than 0 (value per replica)'),
          {
            exclusiveMin: 0,
          },
        ),
        activationTarget: optNumber('activationThreshold', 0, { min: 0 }),
        metricName: '',
        signalId: '',
      };
      const extra =
        http.queryParameters.length > 0 ? [http.queryParameters, ...dataHeaders(http)] : dataHeaders(http);
      return withIdentity(
        config,
        [source, http.serverAddressRedacted, metric, selector, aggregation, ...extra],
        metric,
      );
    }
  }
}

const SEASONALITIES: readonly Seasonality[] = ['auto', 'daily', 'weekly', 'daily,weekly', 'none'];

/** `weekly, daily` means the same as `daily,weekly`; an error shows the value as it was given. */
function parseSeasonality(raw: string): Seasonality {
  const normalised = raw
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .sort()
    .join(',');
  const found = SEASONALITIES.find((option) => option === normalised);
  if (found === undefined) throw new MetadataError('seasonality', raw, `one of ${SEASONALITIES.join(', ')}`);
  return found;
}

function parseHttpOptions(
  get: (key: string) => string | undefined,
  require: (key: string, expected: string) => string,
): HttpQueryOptions {
  const raw = require('serverAddress', 'the http(s):// address of the Prometheus server');
  const url = parseUrl('serverAddress', raw, ['http:', 'https:']);
  const serverAddress = raw.trim().replace(/\/+$/, '');
  const headers = get('customHeaders');
  const params = get('queryParameters');
  const unsafe = get('unsafeSsl');
  return {
    serverAddress,
    // From the parsed URL: `http:/user:pass@host` is accepted by URL parsing but has no `//` to redact after.
    serverAddressRedacted: redactUrlText(url.href).replace(/\/+$/, ''),
    customHeaders:
      headers === undefined ? [] : parseKeyValueList('customHeaders', headers, { httpHeaderValues: true }),
    queryParameters: params === undefined ? [] : parseKeyValueList('queryParameters', params),
    unsafeSsl: unsafe === undefined ? false : parseBoolean('unsafeSsl', unsafe),
  };
}

/**
 * Headers that select other data (a tenant's `X-Scope-OrgID`) are part of a signal's identity; credentials
 * are not, so rotating a token keeps the learned history. Empty when there are none, so identities without
 * such headers stay what they were.
 */
function dataHeaders(http: HttpQueryOptions): unknown[] {
  const headers = http.customHeaders
    .filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase()))
    .map(([name, value]) => [name.toLowerCase(), value]);
  return headers.length > 0 ? [headers] : [];
}

/**
 * The metric name is readable (source and a hint such as the queue name) and unique (hash of the signal's
 * identity). KEDA prefixes it with `s<index>-` itself.
 */
function withIdentity<T extends TriggerConfig>(config: T, identity: unknown[], hint: string): T {
  const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
  const slug = hint
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  config.signalId = hash.slice(0, 16);
  config.metricName = [config.source, slug, hash.slice(0, 8)].filter((part) => part !== '').join('-');
  return config;
}
