import { MetadataError } from '../errors';
import {
  parseTriggerMetadata,
  type GpuTriggerConfig,
  type PrometheusTriggerConfig,
  type RabbitMqTriggerConfig,
  type TriggerConfig,
} from './trigger-metadata';

/**
 * Table-driven, as KEDA's prometheus_scaler_test.go: each row is a metadata map and either the parsed
 * settings it must give or the exact error text it must be refused with.
 */

type Metadata = Record<string, string>;

const RABBITMQ: Metadata = {
  source: 'rabbitmq',
  host: 'amqp://guest:guest@rabbitmq.default:5672/',
  queueName: 'celery',
  value: '10',
};
const PROMETHEUS: Metadata = {
  source: 'prometheus',
  serverAddress: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(http_requests_total{job="api"}[2m]))',
  threshold: '100',
};
const GPU: Metadata = {
  source: 'gpu',
  serverAddress: 'http://prometheus.monitoring:9090',
  threshold: '70',
};
const SOURCES: Array<[string, Metadata]> = [
  ['rabbitmq', RABBITMQ],
  ['prometheus', PROMETHEUS],
  ['gpu', GPU],
];

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The error text a parse fails with; fails the test when it parses. */
function errorOf(metadata: Metadata): string {
  try {
    parseTriggerMetadata(metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(MetadataError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(metadata).slice(0, 200)} to be refused`);
}

/** `omit(RABBITMQ, 'host')`: the base trigger without a key. */
function omit(metadata: Metadata, ...keys: string[]): Metadata {
  const copy = { ...metadata };
  for (const key of keys) delete copy[key];
  return copy;
}

describe('parseTriggerMetadata', () => {
  describe('source', () => {
    it.each<[string, Metadata, string]>([
      [
        'missing',
        omit(PROMETHEUS, 'source'),
        'metadata key "source" is required: expected one of rabbitmq, prometheus, gpu',
      ],
      [
        'empty',
        { ...PROMETHEUS, source: '' },
        'metadata key "source" is required: expected one of rabbitmq, prometheus, gpu',
      ],
      [
        'blank',
        { ...PROMETHEUS, source: '   ' },
        'metadata key "source" is required: expected one of rabbitmq, prometheus, gpu',
      ],
      [
        'unknown',
        { ...PROMETHEUS, source: 'kafka' },
        'metadata key "source" has invalid value "kafka": expected one of rabbitmq, prometheus, gpu',
      ],
      [
        'a KEDA trigger type that is not a source',
        { ...PROMETHEUS, source: 'external' },
        'metadata key "source" has invalid value "external": expected one of rabbitmq, prometheus, gpu',
      ],
    ])('refuses %s', (_name, metadata, message) => {
      expect(errorOf(metadata)).toBe(message);
    });

    it.each([
      ['rabbitmq', RABBITMQ],
      ['RabbitMQ', RABBITMQ],
      ['prometheus', PROMETHEUS],
      [' Prometheus ', PROMETHEUS],
      ['gpu', GPU],
      ['GPU', GPU],
    ])('accepts %j, case-insensitively', (source, base) => {
      expect(parseTriggerMetadata({ ...base, source }).source).toBe(base.source);
    });
  });

  describe('defaults for a minimal trigger', () => {
    const COMMON_DEFAULTS = {
      predictive: 'true',
      leadTimeMs: 15 * MINUTE,
      horizonMs: 30 * MINUTE,
      seasonality: 'auto',
      historyWindowMs: 14 * DAY,
      quantile: 0.9,
      anomalyThreshold: 3.5,
      businessHours: undefined,
      businessHoursMultiplier: 1,
      timezone: 'UTC',
      timeoutMs: 5_000,
      maxStalenessMs: 30_000,
      sampleIntervalMs: MINUTE,
      activationTarget: 0,
    };

    it('rabbitmq', () => {
      const config = parseTriggerMetadata(RABBITMQ) as RabbitMqTriggerConfig;
      expect(config).toMatchObject({
        ...COMMON_DEFAULTS,
        source: 'rabbitmq',
        host: 'amqp://guest:guest@rabbitmq.default:5672/',
        hostRedacted: 'amqp://***@rabbitmq.default:5672/',
        protocol: 'amqp',
        queueName: 'celery',
        mode: 'QueueLength',
        vhostName: undefined,
        excludeUnacknowledged: false,
        unsafeSsl: false,
        target: 10,
      });
    });

    it('prometheus', () => {
      const config = parseTriggerMetadata(PROMETHEUS) as PrometheusTriggerConfig;
      expect(config).toMatchObject({
        ...COMMON_DEFAULTS,
        source: 'prometheus',
        serverAddress: 'http://prometheus.monitoring:9090',
        serverAddressRedacted: 'http://prometheus.monitoring:9090',
        query: 'sum(rate(http_requests_total{job="api"}[2m]))',
        ignoreNullValues: true,
        customHeaders: [],
        queryParameters: [],
        unsafeSsl: false,
        target: 100,
      });
    });

    it('gpu', () => {
      const config = parseTriggerMetadata(GPU) as GpuTriggerConfig;
      expect(config).toMatchObject({
        ...COMMON_DEFAULTS,
        source: 'gpu',
        serverAddress: 'http://prometheus.monitoring:9090',
        metric: 'utilization',
        selector: '',
        aggregation: 'avg',
        customHeaders: [],
        queryParameters: [],
        unsafeSsl: false,
        target: 70,
      });
    });

    it.each(SOURCES)('%s: empty optional values mean "use the default"', (_name, base) => {
      const blank: Metadata = { ...base };
      for (const key of [
        'predictive',
        'leadTime',
        'horizon',
        'seasonality',
        'quantile',
        'timezone',
        'timeout',
      ]) {
        blank[key] = '';
      }
      expect(parseTriggerMetadata(blank)).toEqual(parseTriggerMetadata(base));
    });
  });

  describe('keys every source reads', () => {
    const GOOD: Array<[Metadata, Partial<TriggerConfig>]> = [
      [{ predictive: 'true' }, { predictive: 'true' }],
      [{ predictive: 'false' }, { predictive: 'false' }],
      [{ predictive: 'shadow' }, { predictive: 'shadow' }],
      [{ predictive: 'Shadow' }, { predictive: 'shadow' }],
      [{ leadTime: '0s' }, { leadTimeMs: 0 }],
      [{ leadTime: '10m' }, { leadTimeMs: 10 * MINUTE }],
      [
        { leadTime: '1h30m', horizon: '2h' },
        { leadTimeMs: 90 * MINUTE, horizonMs: 120 * MINUTE },
      ],
      [{ leadTime: '30m' }, { leadTimeMs: 30 * MINUTE, horizonMs: 30 * MINUTE }],
      [{ leadTime: '600000' }, { leadTimeMs: 10 * MINUTE }],
      [{ horizon: '1m', leadTime: '1m' }, { horizonMs: MINUTE }],
      [{ horizon: '7d' }, { horizonMs: 7 * DAY }],
      [{ horizon: '1.5h' }, { horizonMs: 90 * MINUTE }],
      [{ seasonality: 'auto' }, { seasonality: 'auto' }],
      [{ seasonality: 'daily' }, { seasonality: 'daily' }],
      [{ seasonality: 'weekly' }, { seasonality: 'weekly' }],
      [{ seasonality: 'daily,weekly' }, { seasonality: 'daily,weekly' }],
      [{ seasonality: 'weekly, daily' }, { seasonality: 'daily,weekly' }],
      [{ seasonality: ' Weekly ,DAILY ' }, { seasonality: 'daily,weekly' }],
      [{ seasonality: 'none' }, { seasonality: 'none' }],
      [{ historyWindow: '7d' }, { historyWindowMs: 7 * DAY }],
      [{ historyWindow: '1h' }, { historyWindowMs: 60 * MINUTE }],
      [
        { historyWindow: '60d', sampleInterval: '5m' },
        { historyWindowMs: 60 * DAY, sampleIntervalMs: 5 * MINUTE },
      ],
      [{ quantile: '0.5' }, { quantile: 0.5 }],
      [{ quantile: '0.95' }, { quantile: 0.95 }],
      [{ quantile: '0.999' }, { quantile: 0.999 }],
      [{ anomalyThreshold: '2' }, { anomalyThreshold: 2 }],
      [{ anomalyThreshold: '5' }, { anomalyThreshold: 5 }],
      [{ anomalyThreshold: '4.25' }, { anomalyThreshold: 4.25 }],
      [
        { businessHours: 'Mon-Fri 08:00-18:00' },
        { businessHours: [{ days: [1, 2, 3, 4, 5], startMinute: 480, endMinute: 1080 }] },
      ],
      [
        { businessHours: 'Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00' },
        {
          businessHours: [
            { days: [1, 2, 3, 4, 5], startMinute: 480, endMinute: 720 },
            { days: [1, 2, 3, 4, 5], startMinute: 780, endMinute: 1080 },
            { days: [6], startMinute: 600, endMinute: 840 },
          ],
        },
      ],
      [{ businessHoursMultiplier: '1.5' }, { businessHoursMultiplier: 1.5 }],
      [{ businessHoursMultiplier: '0.5' }, { businessHoursMultiplier: 0.5 }],
      [{ businessHoursMultiplier: '100' }, { businessHoursMultiplier: 100 }],
      [{ timezone: 'Europe/Berlin' }, { timezone: 'Europe/Berlin' }],
      [{ timezone: 'America/New_York' }, { timezone: 'America/New_York' }],
      [{ timezone: 'UTC' }, { timezone: 'UTC' }],
      [{ timeout: '250' }, { timeoutMs: 250 }],
      [{ timeout: '10s' }, { timeoutMs: 10_000 }],
      [{ timeout: '2m' }, { timeoutMs: 120_000 }],
      [{ timeout: '1' }, { timeoutMs: 1 }],
      [{ maxStaleness: '0s' }, { maxStalenessMs: 0 }],
      [{ maxStaleness: '0' }, { maxStalenessMs: 0 }],
      [{ maxStaleness: '2m' }, { maxStalenessMs: 2 * MINUTE }],
      [{ maxStaleness: '1h' }, { maxStalenessMs: 60 * MINUTE }],
      [{ sampleInterval: '30s' }, { sampleIntervalMs: 30_000 }],
      [{ sampleInterval: '15s', historyWindow: '7d' }, { sampleIntervalMs: 15_000 }],
      [{ sampleInterval: '1h' }, { sampleIntervalMs: 60 * MINUTE }],
    ];

    const BAD: Array<[Metadata, string]> = [
      [
        { predictive: 'yes' },
        'metadata key "predictive" has invalid value "yes": expected one of true, false, shadow',
      ],
      [
        { predictive: '1' },
        'metadata key "predictive" has invalid value "1": expected one of true, false, shadow',
      ],
      [
        { leadTime: '15x' },
        'metadata key "leadTime" has invalid value "15x": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
      ],
      [
        { leadTime: '-5m' },
        'metadata key "leadTime" has invalid value "-5m": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
      ],
      [
        { leadTime: '1w' },
        'metadata key "leadTime" has invalid value "1w": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
      ],
      [
        { leadTime: '15 m' },
        'metadata key "leadTime" has invalid value "15 m": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
      ],
      [
        { leadTime: 'PT15M' },
        'metadata key "leadTime" has invalid value "PT15M": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
      ],
      [
        { leadTime: '45m' },
        'metadata key "leadTime" has invalid value "45m": expected a duration no longer than horizon (30m)',
      ],
      [
        { leadTime: '2h', horizon: '1h' },
        'metadata key "leadTime" has invalid value "2h": expected a duration no longer than horizon (1h)',
      ],
      [
        { horizon: '10m' },
        'metadata key "horizon" has invalid value "10m": expected a duration at least as long as leadTime (15m)',
      ],
      [
        { horizon: '30s' },
        'metadata key "horizon" has invalid value "30s": expected a duration such as 30s, 15m, 2h or 14d between 1m and 7d',
      ],
      [
        { horizon: '8d' },
        'metadata key "horizon" has invalid value "8d": expected a duration such as 30s, 15m, 2h or 14d between 1m and 7d',
      ],
      [
        { horizon: 'soon' },
        'metadata key "horizon" has invalid value "soon": expected a duration such as 30s, 15m, 2h or 14d between 1m and 7d',
      ],
      [
        { seasonality: 'hourly' },
        'metadata key "seasonality" has invalid value "hourly": expected one of auto, daily, weekly, daily,weekly, none',
      ],
      [
        { seasonality: 'Weekly, Hourly' },
        'metadata key "seasonality" has invalid value "Weekly, Hourly": expected one of auto, daily, weekly, daily,weekly, none',
      ],
      [
        { seasonality: 'auto,daily' },
        'metadata key "seasonality" has invalid value "auto,daily": expected one of auto, daily, weekly, daily,weekly, none',
      ],
      [
        { seasonality: 'daily,daily' },
        'metadata key "seasonality" has invalid value "daily,daily": expected one of auto, daily, weekly, daily,weekly, none',
      ],
      [
        { historyWindow: '30m' },
        'metadata key "historyWindow" has invalid value "30m": expected a duration such as 30s, 15m, 2h or 14d between 1h and 60d',
      ],
      [
        { historyWindow: '61d' },
        'metadata key "historyWindow" has invalid value "61d": expected a duration such as 30s, 15m, 2h or 14d between 1h and 60d',
      ],
      [
        { historyWindow: '60d', sampleInterval: '30s' },
        'metadata key "historyWindow" has invalid value "60d": expected at most 100000 samples of sampleInterval (raise sampleInterval or shorten historyWindow)',
      ],
      [
        { sampleInterval: '1s' },
        'metadata key "sampleInterval" has invalid value "1s": expected at most 100000 samples of sampleInterval (raise sampleInterval or shorten historyWindow)',
      ],
      [
        { sampleInterval: '500ms' },
        'metadata key "sampleInterval" has invalid value "500ms": expected a duration such as 30s, 15m, 2h or 14d between 1s and 1h',
      ],
      [
        { sampleInterval: '2h' },
        'metadata key "sampleInterval" has invalid value "2h": expected a duration such as 30s, 15m, 2h or 14d between 1s and 1h',
      ],
      [
        { quantile: '0.4' },
        'metadata key "quantile" has invalid value "0.4": expected a decimal number at least 0.5 and at most 0.999',
      ],
      [
        { quantile: '1' },
        'metadata key "quantile" has invalid value "1": expected a decimal number at least 0.5 and at most 0.999',
      ],
      [
        { quantile: '90%' },
        'metadata key "quantile" has invalid value "90%": expected a decimal number at least 0.5 and at most 0.999',
      ],
      [
        { quantile: 'p90' },
        'metadata key "quantile" has invalid value "p90": expected a decimal number at least 0.5 and at most 0.999',
      ],
      [
        { anomalyThreshold: '1.9' },
        'metadata key "anomalyThreshold" has invalid value "1.9": expected a decimal number at least 2 and at most 5',
      ],
      [
        { anomalyThreshold: '6' },
        'metadata key "anomalyThreshold" has invalid value "6": expected a decimal number at least 2 and at most 5',
      ],
      [
        { anomalyThreshold: 'NaN' },
        'metadata key "anomalyThreshold" has invalid value "NaN": expected a decimal number at least 2 and at most 5',
      ],
      [
        { businessHours: '08:00-18:00' },
        'metadata key "businessHours" has invalid value "08:00-18:00": expected windows like "Mon-Fri 08:00-18:00", several joined by ";" (e.g. "Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00")',
      ],
      [
        { businessHours: 'Mon-Fri 8am-6pm' },
        'metadata key "businessHours" has invalid value "Mon-Fri 8am-6pm": expected windows like "Mon-Fri 08:00-18:00", several joined by ";" (e.g. "Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00")',
      ],
      [
        { businessHours: 'Mon-Fri 08:00-25:00' },
        'metadata key "businessHours" has invalid value "Mon-Fri 08:00-25:00": expected windows like "Mon-Fri 08:00-18:00", several joined by ";" (e.g. "Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00")',
      ],
      [
        { businessHours: 'Funday 08:00-18:00' },
        'metadata key "businessHours" has invalid value "Funday 08:00-18:00": expected windows like "Mon-Fri 08:00-18:00", several joined by ";" (e.g. "Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00")',
      ],
      [
        { businessHoursMultiplier: '0' },
        'metadata key "businessHoursMultiplier" has invalid value "0": expected a decimal number greater than 0 and at most 100',
      ],
      [
        { businessHoursMultiplier: '101' },
        'metadata key "businessHoursMultiplier" has invalid value "101": expected a decimal number greater than 0 and at most 100',
      ],
      [
        { businessHoursMultiplier: '2x' },
        'metadata key "businessHoursMultiplier" has invalid value "2x": expected a decimal number greater than 0 and at most 100',
      ],
      [
        { timezone: 'Mars/Olympus_Mons' },
        'metadata key "timezone" has invalid value "Mars/Olympus_Mons": expected an IANA time zone such as UTC or Europe/Berlin',
      ],
      [
        { timezone: 'CEST+2' },
        'metadata key "timezone" has invalid value "CEST+2": expected an IANA time zone such as UTC or Europe/Berlin',
      ],
      [
        { timeout: '0' },
        'metadata key "timeout" has invalid value "0": expected a duration such as 30s, 15m, 2h or 14d between 1ms and 2m',
      ],
      [
        { timeout: '121s' },
        'metadata key "timeout" has invalid value "121s": expected a duration such as 30s, 15m, 2h or 14d between 1ms and 2m',
      ],
      [
        { timeout: '5 seconds' },
        'metadata key "timeout" has invalid value "5 seconds": expected a duration such as 30s, 15m, 2h or 14d between 1ms and 2m',
      ],
      [
        { maxStaleness: '2h' },
        'metadata key "maxStaleness" has invalid value "2h": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 1h',
      ],
      [
        { maxStaleness: 'forever' },
        'metadata key "maxStaleness" has invalid value "forever": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 1h',
      ],
    ];

    describe.each(SOURCES)('%s', (_source, base) => {
      it.each(GOOD)('accepts %j', (extra, expected) => {
        expect(parseTriggerMetadata({ ...base, ...extra })).toMatchObject(expected);
      });

      it.each(BAD)('refuses %j', (extra, message) => {
        expect(() => parseTriggerMetadata({ ...base, ...extra })).toThrow(message);
        expect(errorOf({ ...base, ...extra })).toBe(message);
      });
    });
  });

  describe('rabbitmq', () => {
    it.each<[Metadata, Partial<RabbitMqTriggerConfig>]>([
      [{ host: 'amqp://rabbitmq:5672' }, { protocol: 'amqp', host: 'amqp://rabbitmq:5672' }],
      [
        { host: 'amqps://user:pw@rabbitmq:5671/prod' },
        { protocol: 'amqp', hostRedacted: 'amqps://***@rabbitmq:5671/prod' },
      ],
      [
        { host: 'http://guest:guest@rabbitmq:15672/' },
        { protocol: 'http', hostRedacted: 'http://***@rabbitmq:15672/' },
      ],
      [{ host: 'https://rabbitmq.example.com/%2F' }, { protocol: 'http' }],
      [{ host: '  amqp://rabbitmq:5672  ' }, { host: 'amqp://rabbitmq:5672' }],
      [{ queueName: 'tasks.high-priority' }, { queueName: 'tasks.high-priority' }],
      [{ queueName: 'q'.repeat(255) }, { queueName: 'q'.repeat(255) }],
      [{ mode: 'QueueLength' }, { mode: 'QueueLength' }],
      [{ mode: 'queuelength' }, { mode: 'QueueLength' }],
      [
        { mode: 'MessageRate', host: 'http://rabbitmq:15672' },
        { mode: 'MessageRate', protocol: 'http' },
      ],
      [{ value: '0.5' }, { target: 0.5 }],
      [{ value: '1e3' }, { target: 1000 }],
      [{ activationValue: '0' }, { activationTarget: 0 }],
      [{ activationValue: '3.5' }, { activationTarget: 3.5 }],
      [{ vhostName: 'orders' }, { vhostName: 'orders' }],
      [{ vhostName: '/' }, { vhostName: '/' }],
      [{ excludeUnacknowledged: 'false' }, { excludeUnacknowledged: false }],
      [{ excludeUnacknowledged: 'true', host: 'http://rabbitmq:15672' }, { excludeUnacknowledged: true }],
      [{ excludeUnacknowledged: 'TRUE', host: 'https://rabbitmq' }, { excludeUnacknowledged: true }],
      [{ unsafeSsl: 'true', host: 'amqps://rabbitmq' }, { unsafeSsl: true }],
      [{ unsafeSsl: 'false' }, { unsafeSsl: false }],
      [{ timeout: '1000' }, { timeoutMs: 1000 }],
      [{ timeout: '3s' }, { timeoutMs: 3000 }],
    ])('accepts %j', (extra, expected) => {
      expect(parseTriggerMetadata({ ...RABBITMQ, ...extra })).toMatchObject(expected);
    });

    it.each<[string, Metadata, string]>([
      [
        'no host',
        omit(RABBITMQ, 'host'),
        'metadata key "host" is required: expected an amqp(s):// or http(s):// URL (or hostFromEnv)',
      ],
      [
        'a blank host',
        { ...RABBITMQ, host: ' ' },
        'metadata key "host" is required: expected an amqp(s):// or http(s):// URL (or hostFromEnv)',
      ],
      [
        'a host without a scheme',
        { ...RABBITMQ, host: 'rabbitmq:5672' },
        'metadata key "host" has invalid value "rabbitmq:5672": expected an absolute URL with scheme amqp or amqps or http or https',
      ],
      [
        'a host with another scheme',
        { ...RABBITMQ, host: 'redis://rabbitmq:6379' },
        'metadata key "host" has invalid value "redis://rabbitmq:6379": expected an absolute URL with scheme amqp or amqps or http or https',
      ],
      [
        'a host URL without a host name',
        { ...RABBITMQ, host: 'amqp://' },
        'metadata key "host" has invalid value "amqp://": expected an absolute URL with scheme amqp or amqps or http or https',
      ],
      [
        'a host with a bad port',
        { ...RABBITMQ, host: 'amqp://rabbitmq:99999' },
        'metadata key "host" has invalid value "amqp://rabbitmq:99999": expected an absolute URL with scheme amqp or amqps or http or https',
      ],
      [
        'a bad hostFromEnv, named as such',
        { ...omit(RABBITMQ, 'host'), hostFromEnv: 'not a url' },
        'metadata key "hostFromEnv" has invalid value "not a url": expected an absolute URL with scheme amqp or amqps or http or https',
      ],
      [
        'no queueName',
        omit(RABBITMQ, 'queueName'),
        'metadata key "queueName" is required: expected the name of the queue to watch',
      ],
      [
        'a queueName over 255 characters',
        { ...RABBITMQ, queueName: 'q'.repeat(256) },
        `metadata key "queueName" has invalid value "${'q'.repeat(200)}…(256 chars)": expected at most 255 characters`,
      ],
      [
        'an unknown mode',
        { ...RABBITMQ, mode: 'Rate' },
        'metadata key "mode" has invalid value "Rate": expected one of QueueLength, MessageRate',
      ],
      [
        'MessageRate over amqp',
        { ...RABBITMQ, mode: 'MessageRate' },
        'metadata key "mode" has invalid value "MessageRate": expected QueueLength with an amqp host (MessageRate needs the management API: an http(s):// host)',
      ],
      [
        'no value',
        omit(RABBITMQ, 'value'),
        'metadata key "value" is required: expected a decimal number greater than 0 (messages per replica)',
      ],
      [
        'value 0',
        { ...RABBITMQ, value: '0' },
        'metadata key "value" has invalid value "0": expected a decimal number greater than 0',
      ],
      [
        'a negative value',
        { ...RABBITMQ, value: '-5' },
        'metadata key "value" has invalid value "-5": expected a decimal number greater than 0',
      ],
      [
        'a value in words',
        { ...RABBITMQ, value: 'ten' },
        'metadata key "value" has invalid value "ten": expected a decimal number greater than 0',
      ],
      [
        'a hexadecimal value',
        { ...RABBITMQ, value: '0x10' },
        'metadata key "value" has invalid value "0x10": expected a decimal number greater than 0',
      ],
      [
        'a value that overflows',
        { ...RABBITMQ, value: '1e400' },
        'metadata key "value" has invalid value "1e400": expected a decimal number greater than 0',
      ],
      [
        'a KEDA-style threshold key instead of value',
        { ...omit(RABBITMQ, 'value'), threshold: '10' },
        'metadata key "value" is required: expected a decimal number greater than 0 (messages per replica)',
      ],
      [
        'a negative activationValue',
        { ...RABBITMQ, activationValue: '-1' },
        'metadata key "activationValue" has invalid value "-1": expected a decimal number at least 0',
      ],
      [
        'excludeUnacknowledged not a boolean',
        { ...RABBITMQ, excludeUnacknowledged: 'yes' },
        'metadata key "excludeUnacknowledged" has invalid value "yes": expected true or false',
      ],
      [
        'excludeUnacknowledged over amqp',
        { ...RABBITMQ, excludeUnacknowledged: 'true' },
        'metadata key "excludeUnacknowledged" has invalid value "true": expected false with an amqp host (it needs the management API: an http(s):// host)',
      ],
      [
        'unsafeSsl not a boolean',
        { ...RABBITMQ, unsafeSsl: 'maybe' },
        'metadata key "unsafeSsl" has invalid value "maybe": expected true or false',
      ],
    ])('refuses %s', (_name, metadata, message) => {
      expect(() => parseTriggerMetadata(metadata)).toThrow(message);
      expect(errorOf(metadata)).toBe(message);
    });

    it('reads hostFromEnv (the value KEDA resolved from the container environment) when host is not set', () => {
      const config = parseTriggerMetadata({
        ...omit(RABBITMQ, 'host'),
        hostFromEnv: 'amqp://user:secret@broker:5672/',
      }) as RabbitMqTriggerConfig;
      expect(config.host).toBe('amqp://user:secret@broker:5672/');
      expect(config.hostRedacted).toBe('amqp://***@broker:5672/');
      expect(config.protocol).toBe('amqp');
    });

    it('prefers host over hostFromEnv when both are set', () => {
      const config = parseTriggerMetadata({
        ...RABBITMQ,
        hostFromEnv: 'http://other:15672',
      }) as RabbitMqTriggerConfig;
      expect(config.host).toBe(RABBITMQ.host);
    });

    it('gives the same signal whether the URL arrives as host or hostFromEnv', () => {
      const direct = parseTriggerMetadata(RABBITMQ);
      const fromEnv = parseTriggerMetadata({
        ...omit(RABBITMQ, 'host'),
        hostFromEnv: RABBITMQ.host as string,
      });
      expect(fromEnv.metricName).toBe(direct.metricName);
      expect(fromEnv.signalId).toBe(direct.signalId);
    });
  });

  describe('prometheus', () => {
    it.each<[Metadata, Partial<PrometheusTriggerConfig>]>([
      [
        { serverAddress: 'https://prometheus.example.com/' },
        { serverAddress: 'https://prometheus.example.com' },
      ],
      [
        { serverAddress: 'http://thanos-query:9090/prefix//' },
        { serverAddress: 'http://thanos-query:9090/prefix' },
      ],
      [
        { serverAddress: 'http://user:pa%40ss@prometheus:9090' },
        {
          serverAddress: 'http://user:pa%40ss@prometheus:9090',
          serverAddressRedacted: 'http://***@prometheus:9090',
        },
      ],
      [{ query: 'up' }, { query: 'up' }],
      [{ query: 'q'.repeat(10_000) }, { query: 'q'.repeat(10_000) }],
      [{ threshold: '2.5' }, { target: 2.5 }],
      [{ threshold: '+7' }, { target: 7 }],
      [{ activationThreshold: '0' }, { activationTarget: 0 }],
      [{ activationThreshold: '1.25' }, { activationTarget: 1.25 }],
      [{ ignoreNullValues: 'false' }, { ignoreNullValues: false }],
      [{ ignoreNullValues: 'True' }, { ignoreNullValues: true }],
      [
        { customHeaders: 'X-Scope-OrgID=tenant-a,Authorization=Bearer abc=' },
        {
          customHeaders: [
            ['X-Scope-OrgID', 'tenant-a'],
            ['Authorization', 'Bearer abc='],
          ],
        },
      ],
      [{ customHeaders: ' X-A = 1 ' }, { customHeaders: [['X-A', '1']] }],
      [{ customHeaders: 'X-Empty=' }, { customHeaders: [['X-Empty', '']] }],
      [
        { queryParameters: 'dedup=false,partial_response=true' },
        {
          queryParameters: [
            ['dedup', 'false'],
            ['partial_response', 'true'],
          ],
        },
      ],
      [{ unsafeSsl: 'true' }, { unsafeSsl: true }],
      [{ timeout: '3000' }, { timeoutMs: 3000 }],
    ])('accepts %j', (extra, expected) => {
      expect(parseTriggerMetadata({ ...PROMETHEUS, ...extra })).toMatchObject(expected);
    });

    it.each<[string, Metadata, string]>([
      [
        'no serverAddress',
        omit(PROMETHEUS, 'serverAddress'),
        'metadata key "serverAddress" is required: expected the http(s):// address of the Prometheus server',
      ],
      [
        'a serverAddress without a scheme',
        { ...PROMETHEUS, serverAddress: 'prometheus:9090' },
        'metadata key "serverAddress" has invalid value "prometheus:9090": expected an absolute URL with scheme http or https',
      ],
      [
        'an amqp serverAddress',
        { ...PROMETHEUS, serverAddress: 'amqp://prometheus:9090' },
        'metadata key "serverAddress" has invalid value "amqp://prometheus:9090": expected an absolute URL with scheme http or https',
      ],
      [
        'a relative serverAddress',
        { ...PROMETHEUS, serverAddress: '/api/v1' },
        'metadata key "serverAddress" has invalid value "/api/v1": expected an absolute URL with scheme http or https',
      ],
      [
        'no query',
        omit(PROMETHEUS, 'query'),
        'metadata key "query" is required: expected a PromQL instant query that returns one series',
      ],
      [
        'a query over 10000 characters',
        { ...PROMETHEUS, query: 'q'.repeat(10_001) },
        `metadata key "query" has invalid value "${'q'.repeat(200)}…(10001 chars)": expected a PromQL query of at most 10000 characters`,
      ],
      [
        'no threshold',
        omit(PROMETHEUS, 'threshold'),
        'metadata key "threshold" is required: expected a decimal number greater than 0 (value per replica)',
      ],
      [
        'threshold 0',
        { ...PROMETHEUS, threshold: '0' },
        'metadata key "threshold" has invalid value "0": expected a decimal number greater than 0',
      ],
      [
        'threshold Infinity',
        { ...PROMETHEUS, threshold: 'Infinity' },
        'metadata key "threshold" has invalid value "Infinity": expected a decimal number greater than 0',
      ],
      [
        'a threshold with a unit',
        { ...PROMETHEUS, threshold: '100m' },
        'metadata key "threshold" has invalid value "100m": expected a decimal number greater than 0',
      ],
      [
        'a negative activationThreshold',
        { ...PROMETHEUS, activationThreshold: '-0.1' },
        'metadata key "activationThreshold" has invalid value "-0.1": expected a decimal number at least 0',
      ],
      [
        'ignoreNullValues not a boolean',
        { ...PROMETHEUS, ignoreNullValues: 'no' },
        'metadata key "ignoreNullValues" has invalid value "no": expected true or false',
      ],
      [
        'a customHeaders item without "="',
        { ...PROMETHEUS, customHeaders: 'X-Scope-OrgID' },
        'metadata key "customHeaders" has invalid value "***": expected a comma-separated list of name=value pairs',
      ],
      [
        'customHeaders written with a colon (the token stays hidden)',
        { ...PROMETHEUS, customHeaders: 'Authorization: Bearer s3cr3t-t0ken' },
        'metadata key "customHeaders" has invalid value "Authorization:***": expected a comma-separated list of name=value pairs',
      ],
      [
        'a customHeaders item without a name (the values stay hidden)',
        { ...PROMETHEUS, customHeaders: 'X-A=one,=two' },
        'metadata key "customHeaders" has invalid value "X-A=***,=***": expected a comma-separated list of name=value pairs',
      ],
      [
        'a header name with a space',
        { ...PROMETHEUS, customHeaders: 'X A=1' },
        'metadata key "customHeaders" has invalid value "X A=***": expected a comma-separated list of name=value pairs',
      ],
      [
        'a header value with a line break (header injection)',
        { ...PROMETHEUS, customHeaders: 'X-A=1\r\nX-Evil: 1' },
        'metadata key "customHeaders" has invalid value "X-A=***": expected a comma-separated list of name=value pairs',
      ],
      [
        'a queryParameters item without "="',
        { ...PROMETHEUS, queryParameters: 'dedup' },
        'metadata key "queryParameters" has invalid value "***": expected a comma-separated list of name=value pairs',
      ],
      [
        'unsafeSsl not a boolean',
        { ...PROMETHEUS, unsafeSsl: 'on' },
        'metadata key "unsafeSsl" has invalid value "on": expected true or false',
      ],
    ])('refuses %s', (_name, metadata, message) => {
      expect(() => parseTriggerMetadata(metadata)).toThrow(message);
      expect(errorOf(metadata)).toBe(message);
    });
  });

  describe('gpu', () => {
    it.each<[Metadata, Partial<GpuTriggerConfig>]>([
      [{ metric: 'utilization' }, { metric: 'utilization' }],
      [{ metric: 'memory' }, { metric: 'memory' }],
      [{ metric: 'temperature' }, { metric: 'temperature' }],
      [{ metric: 'Memory' }, { metric: 'memory' }],
      [{ aggregation: 'avg' }, { aggregation: 'avg' }],
      [{ aggregation: 'max' }, { aggregation: 'max' }],
      [{ aggregation: 'sum' }, { aggregation: 'sum' }],
      [{ selector: '' }, { selector: '' }],
      [{ selector: 'gpu="0"' }, { selector: 'gpu="0"' }],
      [{ selector: '{gpu="0"}' }, { selector: 'gpu="0"' }],
      [
        { selector: 'namespace = "ml", pod =~ "vllm-.*", gpu!="7", Hostname!~"node-[0-3]"' },
        { selector: 'namespace="ml",pod=~"vllm-.*",gpu!="7",Hostname!~"node-[0-3]"' },
      ],
      [
        { selector: 'modelName="NVIDIA A100 \\"80GB\\""' },
        { selector: 'modelName="NVIDIA A100 \\"80GB\\""' },
      ],
      [{ threshold: '80' }, { target: 80 }],
      [{ activationThreshold: '5' }, { activationTarget: 5 }],
      [{ unsafeSsl: 'true' }, { unsafeSsl: true }],
      [
        { serverAddress: 'https://mimir.example.com/prometheus' },
        { serverAddress: 'https://mimir.example.com/prometheus' },
      ],
    ])('accepts %j', (extra, expected) => {
      expect(parseTriggerMetadata({ ...GPU, ...extra })).toMatchObject(expected);
    });

    const SELECTOR_EXPECTED =
      'PromQL label matchers such as gpu="0",namespace="ml",pod=~"vllm-.*" (name, one of = != =~ !~, a double-quoted value)';
    it.each<[string, Metadata, string]>([
      [
        'an unknown metric',
        { ...GPU, metric: 'power' },
        'metadata key "metric" has invalid value "power": expected one of utilization, memory, temperature',
      ],
      [
        'a raw DCGM metric name',
        { ...GPU, metric: 'DCGM_FI_DEV_GPU_UTIL' },
        'metadata key "metric" has invalid value "DCGM_FI_DEV_GPU_UTIL": expected one of utilization, memory, temperature',
      ],
      [
        'an unknown aggregation',
        { ...GPU, aggregation: 'median' },
        'metadata key "aggregation" has invalid value "median": expected one of avg, max, sum',
      ],
      [
        'no threshold',
        omit(GPU, 'threshold'),
        'metadata key "threshold" is required: expected a decimal number greater than 0 (value per replica)',
      ],
      [
        'no serverAddress',
        omit(GPU, 'serverAddress'),
        'metadata key "serverAddress" is required: expected the http(s):// address of the Prometheus server',
      ],
      [
        'a selector that closes the braces and adds an "or"',
        { ...GPU, selector: 'gpu="0"} or vector(1) #' },
        `metadata key "selector" has invalid value "gpu=\\"0\\"} or vector(1) #": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a selector that turns the query into a range vector',
        { ...GPU, selector: 'gpu="0"}[5m]' },
        `metadata key "selector" has invalid value "gpu=\\"0\\"}[5m]": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a braced selector followed by more PromQL',
        { ...GPU, selector: '{gpu="0"} or {gpu="1"}' },
        `metadata key "selector" has invalid value "{gpu=\\"0\\"} or {gpu=\\"1\\"}": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'an unbalanced quote',
        { ...GPU, selector: 'gpu="0' },
        `metadata key "selector" has invalid value "gpu=\\"0": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'an escaped closing quote leaving the value open',
        { ...GPU, selector: 'gpu="0\\"' },
        `metadata key "selector" has invalid value "gpu=\\"0\\\\\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'single quotes',
        { ...GPU, selector: "gpu='0'" },
        `metadata key "selector" has invalid value "gpu='0'": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a missing comma between matchers',
        { ...GPU, selector: 'gpu="0" pod="a"' },
        `metadata key "selector" has invalid value "gpu=\\"0\\" pod=\\"a\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a function call',
        { ...GPU, selector: 'absent(up)' },
        `metadata key "selector" has invalid value "absent(up)": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a label name starting with a digit',
        { ...GPU, selector: '0gpu="0"' },
        `metadata key "selector" has invalid value "0gpu=\\"0\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'an unknown operator',
        { ...GPU, selector: 'gpu=="0"' },
        `metadata key "selector" has invalid value "gpu==\\"0\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a line break inside a value',
        { ...GPU, selector: 'gpu="0\n"' },
        `metadata key "selector" has invalid value "gpu=\\"0\\n\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'more than 20 matchers',
        { ...GPU, selector: Array.from({ length: 21 }, (_, i) => `l${i}="v"`).join(',') },
        `metadata key "selector" has invalid value ${JSON.stringify(
          Array.from({ length: 21 }, (_, i) => `l${i}="v"`).join(','),
        )}: expected at most 20 label matchers`,
      ],
    ])('refuses %s', (_name, metadata, message) => {
      expect(() => parseTriggerMetadata(metadata)).toThrow(message);
      expect(errorOf(metadata)).toBe(message);
    });
  });

  describe('keys KEDA and users add', () => {
    it.each(SOURCES)('%s: scalerAddress and unknown keys are ignored', (_name, base) => {
      const plain = parseTriggerMetadata(base);
      const withExtras = parseTriggerMetadata({
        ...base,
        scalerAddress: 'keda-predictive-scaler.keda:9090',
        owner: 'team-ml',
        useCachedMetrics: 'true',
        metricType: 'AverageValue',
        'some.annotation/with-odd-chars': '{"not":"parsed"}',
        huge: 'x'.repeat(1_000_000),
      });
      expect(withExtras).toEqual(plain);
    });
  });

  describe('metric names', () => {
    const NAME = /^[a-z0-9-]+$/;

    it.each<[string, Metadata, RegExp]>([
      ['rabbitmq', RABBITMQ, /^rabbitmq-celery-[0-9a-f]{8}$/],
      [
        'rabbitmq with an odd queue name',
        { ...RABBITMQ, queueName: 'Tasks.HIGH_priority::v2' },
        /^rabbitmq-tasks-high-priority-v2-[0-9a-f]{8}$/,
      ],
      [
        'rabbitmq with a non-ASCII queue name',
        { ...RABBITMQ, queueName: 'Очередь' },
        /^rabbitmq-[0-9a-f]{8}$/,
      ],
      [
        'rabbitmq with a long queue name',
        { ...RABBITMQ, queueName: 'a'.repeat(255) },
        /^rabbitmq-a{32}-[0-9a-f]{8}$/,
      ],
      ['prometheus', PROMETHEUS, /^prometheus-query-[0-9a-f]{8}$/],
      ['gpu', GPU, /^gpu-utilization-[0-9a-f]{8}$/],
      ['gpu memory', { ...GPU, metric: 'memory' }, /^gpu-memory-[0-9a-f]{8}$/],
    ])('%s: lowercase [a-z0-9-], source first', (_name, metadata, pattern) => {
      const { metricName, signalId } = parseTriggerMetadata(metadata);
      expect(metricName).toMatch(NAME);
      expect(metricName).toMatch(pattern);
      expect(metricName.length).toBeLessThanOrEqual(64);
      expect(signalId).toMatch(/^[0-9a-f]{16}$/);
    });

    it.each(SOURCES)('%s: the same metadata gives the same name, whatever the key order', (_name, base) => {
      const reversed = Object.fromEntries(Object.entries(base).reverse());
      expect(parseTriggerMetadata(reversed).metricName).toBe(parseTriggerMetadata(base).metricName);
      expect(parseTriggerMetadata({ ...base }).signalId).toBe(parseTriggerMetadata(base).signalId);
    });

    it('is pinned for a given trigger, so it survives restarts and upgrades', () => {
      // A changed hash renames the metric under the HPA and throws away learned history: change with care.
      expect(parseTriggerMetadata(PROMETHEUS).metricName).toBe('prometheus-query-a07ec543');
      expect(parseTriggerMetadata(RABBITMQ).metricName).toBe('rabbitmq-celery-f6d64eac');
      expect(parseTriggerMetadata(GPU).metricName).toBe('gpu-utilization-9d0724c9');
      expect(
        parseTriggerMetadata({
          source: 'prometheus',
          serverAddress: 'http://p:9090',
          query: 'up',
          threshold: '1',
        }).metricName,
      ).toBe(
        parseTriggerMetadata({
          source: 'PROMETHEUS',
          serverAddress: 'http://p:9090/',
          query: 'up',
          threshold: '1',
        }).metricName,
      );
    });

    // Rows: base trigger, a change that is a different signal.
    it.each<[string, Metadata, Metadata]>([
      ['prometheus query', PROMETHEUS, { query: 'sum(rate(http_requests_total{job="web"}[2m]))' }],
      ['prometheus server', PROMETHEUS, { serverAddress: 'http://other-prometheus:9090' }],
      ['prometheus queryParameters', PROMETHEUS, { queryParameters: 'tenant=b' }],
      ['prometheus tenant header', PROMETHEUS, { customHeaders: 'X-Scope-OrgID=tenant-b' }],
      ['rabbitmq queue', RABBITMQ, { queueName: 'other' }],
      ['rabbitmq broker host', RABBITMQ, { host: 'amqp://guest:guest@other-broker:5672/' }],
      ['rabbitmq broker port', RABBITMQ, { host: 'amqp://guest:guest@rabbitmq.default:5673/' }],
      ['rabbitmq vhost', RABBITMQ, { vhostName: 'orders' }],
      ['rabbitmq mode', { ...RABBITMQ, host: 'http://rabbitmq:15672' }, { mode: 'MessageRate' }],
      ['gpu metric', GPU, { metric: 'temperature' }],
      ['gpu selector', GPU, { selector: 'gpu="1"' }],
      ['gpu aggregation', GPU, { aggregation: 'max' }],
      ['gpu server', GPU, { serverAddress: 'http://other:9090' }],
      ['gpu tenant header', GPU, { customHeaders: 'X-Scope-OrgID=tenant-b' }],
    ])('a different %s gives a different name and signal', (_name, base, change) => {
      const a = parseTriggerMetadata(base);
      const b = parseTriggerMetadata({ ...base, ...change });
      expect(b.metricName).not.toBe(a.metricName);
      expect(b.signalId).not.toBe(a.signalId);
    });

    // Rows: base trigger, a change that is the same signal (history and model carry over).
    it.each<[string, Metadata, Metadata]>([
      ['rabbitmq password', RABBITMQ, { host: 'amqp://guest:rotated@rabbitmq.default:5672/' }],
      [
        'prometheus password',
        { ...PROMETHEUS, serverAddress: 'http://u:first@prometheus.monitoring:9090' },
        { serverAddress: 'http://u:rotated@prometheus.monitoring:9090' },
      ],
      ['prometheus Authorization header', PROMETHEUS, { customHeaders: 'Authorization=Bearer rotated' }],
      [
        'prediction settings',
        PROMETHEUS,
        { leadTime: '5m', horizon: '1h', quantile: '0.95', predictive: 'shadow' },
      ],
      ['threshold', PROMETHEUS, { threshold: '7', activationThreshold: '1' }],
      ['timeout and staleness', GPU, { timeout: '2s', maxStaleness: '0s' }],
      ['business hours', RABBITMQ, { businessHours: 'Mon-Fri 09:00-17:00', businessHoursMultiplier: '2' }],
      [
        'gpu selector spacing and braces',
        { ...GPU, selector: 'gpu="0",pod=~"a.*"' },
        { selector: '{ gpu = "0" , pod =~ "a.*" }' },
      ],
    ])('a different %s keeps the name and signal', (_name, base, change) => {
      const a = parseTriggerMetadata(base);
      const b = parseTriggerMetadata({ ...base, ...change });
      expect(b.metricName).toBe(a.metricName);
      expect(b.signalId).toBe(a.signalId);
    });

    it('keeps credentials out of names and ids', () => {
      const config = parseTriggerMetadata({
        ...RABBITMQ,
        host: 'amqp://admin:hunter2@broker:5672/',
        queueName: 'hunter2-jobs',
      });
      expect(config.metricName).toMatch(/^rabbitmq-hunter2-jobs-[0-9a-f]{8}$/);
      const other = parseTriggerMetadata({
        ...RABBITMQ,
        host: 'amqp://admin:other@broker:5672/',
        queueName: 'hunter2-jobs',
      });
      expect(other.signalId).toBe(config.signalId);
    });
  });

  describe('credentials never appear in errors', () => {
    const SECRET = 's3cr3t';
    it.each<[string, Metadata]>([
      ['an ftp host', { ...RABBITMQ, host: `ftp://admin:${SECRET}@rabbitmq:21` }],
      ['a host URL without a host name', { ...RABBITMQ, host: `amqp://admin:${SECRET}@` }],
      ['a host with a bad port', { ...RABBITMQ, host: `amqp://admin:${SECRET}@rabbitmq:99999/` }],
      ['a password with an unescaped "/"', { ...RABBITMQ, host: `amqp://admin:ab/${SECRET}@rabbitmq:5672/` }],
      ['a password with an unescaped "@"', { ...RABBITMQ, host: `amqp://admin:a@${SECRET}@rabbitmq:99999/` }],
      ['a host without a scheme', { ...RABBITMQ, host: `admin:${SECRET}@rabbitmq:5672` }],
      ['a bad hostFromEnv', { ...omit(RABBITMQ, 'host'), hostFromEnv: `amqp://admin:${SECRET}@` }],
      [
        'a serverAddress with another scheme',
        { ...PROMETHEUS, serverAddress: `ftp://admin:${SECRET}@prometheus` },
      ],
      ['a serverAddress without a host', { ...PROMETHEUS, serverAddress: `http://admin:${SECRET}@` }],
      ['a bad customHeaders list', { ...PROMETHEUS, customHeaders: `Authorization=Bearer ${SECRET},bad` }],
      [
        'a customHeaders list with a colon',
        { ...PROMETHEUS, customHeaders: `Authorization: Bearer ${SECRET}` },
      ],
      ['a bad queryParameters list', { ...PROMETHEUS, queryParameters: `token=${SECRET},=x` }],
      ['a bad GPU serverAddress', { ...GPU, serverAddress: `amqp://admin:${SECRET}@x` }],
    ])('%s', (_name, metadata) => {
      const message = errorOf(metadata);
      expect(message).not.toContain(SECRET);
      expect(message).toMatch(
        /^metadata key "(host|hostFromEnv|serverAddress|customHeaders|queryParameters)" has invalid value/,
      );
    });

    it('a later error on a trigger with credentials does not echo them', () => {
      const message = errorOf({ ...RABBITMQ, host: `amqp://admin:${SECRET}@rabbitmq:5672/`, value: 'many' });
      expect(message).toBe(
        'metadata key "value" has invalid value "many": expected a decimal number greater than 0',
      );
    });

    it('redacts credentials in the address kept for logs, even in URL forms without "//"', () => {
      const rabbit = parseTriggerMetadata({
        ...RABBITMQ,
        host: `http:admin:${SECRET}@rabbitmq:15672/`,
      }) as RabbitMqTriggerConfig;
      expect(rabbit.hostRedacted).toBe('http://***@rabbitmq:15672/');
      const prom = parseTriggerMetadata({
        ...PROMETHEUS,
        serverAddress: `http:/admin:${SECRET}@prometheus:9090/`,
      }) as PrometheusTriggerConfig;
      expect(prom.serverAddressRedacted).toBe('http://***@prometheus:9090');
    });
  });

  describe('huge values', () => {
    it.each<[string, Metadata, string]>([
      [
        'a duration with too many digits',
        { ...PROMETHEUS, leadTime: '9'.repeat(400) + 'd' },
        `metadata key "leadTime" has invalid value "${'9'.repeat(200)}…(401 chars)": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d`,
      ],
      [
        'a bare integer duration past 2^53',
        { ...PROMETHEUS, timeout: '123456789012345678901234567890' },
        'metadata key "timeout" has invalid value "123456789012345678901234567890": expected a duration such as 30s, 15m, 2h or 14d between 1ms and 2m',
      ],
      [
        'a threshold past the largest double',
        { ...GPU, threshold: '1' + '0'.repeat(400) },
        `metadata key "threshold" has invalid value "1${'0'.repeat(199)}…(401 chars)": expected a decimal number greater than 0`,
      ],
      [
        'a business-hours schedule of a megabyte',
        { ...PROMETHEUS, businessHours: 'Mon' + ' '.repeat(1_000_000) + 'x' },
        `metadata key "businessHours" has invalid value "Mon${' '.repeat(197)}…(1000004 chars)": expected windows like "Mon-Fri 08:00-18:00", several joined by ";" (e.g. "Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00"), at most 1000 characters`,
      ],
    ])('refuses %s, quoting at most 200 characters of it', (_name, metadata, message) => {
      expect(errorOf(metadata)).toBe(message);
    });

    it('parses megabyte-sized metadata quickly', () => {
      const started = performance.now();
      errorOf({ ...GPU, selector: 'gpu="0",'.repeat(100_000) });
      errorOf({ ...PROMETHEUS, businessHours: 'Mon' + ' '.repeat(990) + 'x' });
      errorOf({ ...PROMETHEUS, customHeaders: 'a=b,'.repeat(100_000) + ' ' });
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('accepts the largest finite threshold (KEDA clamps what it cannot represent)', () => {
      expect(parseTriggerMetadata({ ...PROMETHEUS, threshold: '1.7976931348623157e308' }).target).toBe(
        Number.MAX_VALUE,
      );
    });
  });
});
