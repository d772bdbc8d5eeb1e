import {
  DAY,
  errorOf,
  GPU,
  MINUTE,
  omit,
  PROMETHEUS,
  RABBITMQ,
  SOURCES,
  type Metadata,
} from '../../test/support/trigger-metadata';
import {
  parseTriggerMetadata,
  readTriggerMetadata,
  type PrometheusTriggerConfig,
  type RabbitMqTriggerConfig,
  type TriggerConfig,
} from './trigger-metadata';

/**
 * Table-driven, as KEDA's prometheus_scaler_test.go: each row is a metadata map and either the parsed
 * settings it must give or the exact error text it must be refused with. The keys every source reads and
 * what holds across sources; each source's own keys are tested beside it (`<kind>/<kind>-metadata.test.ts`).
 */

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
    it.each(SOURCES)('%s: empty optional values mean "use the default"', (_name, base) => {
      const blank: Metadata = { ...base };
      for (const key of [
        'predictive',
        'leadTime',
        'startupTime',
        'startupTimeQuery',
        'startupTimeServerAddress',
        'cooldownPeriod',
        'horizon',
        'seasonality',
        'quantile',
        'shortfallTarget',
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
      [{}, { leadTimeMs: 15 * MINUTE, startupTimeMs: 2 * MINUTE, cooldownPeriodMs: 5 * MINUTE }],
      [{ startupTime: '90s' }, { startupTimeMs: 90_000 }],
      [{ startupTime: '0s' }, { startupTimeMs: 0 }],
      [{ startupTime: '15m' }, { startupTimeMs: 15 * MINUTE, leadTimeMs: 15 * MINUTE }],
      [{ startupTime: '10m', leadTime: '10m', horizon: '10m30s' }, { startupTimeMs: 10 * MINUTE }],
      [{ startupTime: '120000' }, { startupTimeMs: 2 * MINUTE }],
      // Unset, the start-up time shrinks to fit a short lead or horizon instead of refusing the trigger.
      [{ leadTime: '0s' }, { startupTimeMs: 0 }],
      [{ leadTime: '1m' }, { startupTimeMs: MINUTE }],
      [{ horizon: '1m', leadTime: '1m' }, { startupTimeMs: 30_000 }],
      [{}, { startupTimeQuery: undefined, startupTimeServerAddress: undefined }],
      [
        { startupTimeQuery: 'vector(90)', startupTimeServerAddress: 'https://prometheus.monitoring:9090/' },
        { startupTimeQuery: 'vector(90)', startupTimeServerAddress: 'https://prometheus.monitoring:9090' },
      ],
      [{ cooldownPeriod: '300s' }, { cooldownPeriodMs: 5 * MINUTE }],
      [{ cooldownPeriod: '0s' }, { cooldownPeriodMs: 0 }],
      [{ cooldownPeriod: '1h' }, { cooldownPeriodMs: 60 * MINUTE }],
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
      [{}, { shortfallTarget: undefined }],
      [{ shortfallTarget: '0.05' }, { shortfallTarget: 0.05, quantile: 0.9 }],
      [
        { shortfallTarget: '0.001', quantile: '0.95' },
        { shortfallTarget: 0.001, quantile: 0.95 },
      ],
      [{ shortfallTarget: '0.5' }, { shortfallTarget: 0.5 }],
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
      [{ valueScale: '1000' }, { valueScale: 1000 }],
      [{ valueScale: '1' }, { valueScale: 1 }],
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
        { startupTime: '20m' },
        'metadata key "startupTime" has invalid value "20m": expected a duration no longer than leadTime (15m)',
      ],
      [
        { startupTime: '6m', leadTime: '5m' },
        'metadata key "startupTime" has invalid value "6m": expected a duration no longer than leadTime (5m)',
      ],
      [
        { startupTime: '1m', leadTime: '0s' },
        'metadata key "startupTime" has invalid value "1m": expected a duration no longer than leadTime (0s)',
      ],
      [
        { startupTime: '10m', leadTime: '10m', horizon: '10m' },
        'metadata key "horizon" has invalid value "10m": expected a duration at least startupTime (10m) plus KEDA\'s polling interval (30s)',
      ],
      [
        { startupTime: '30m', leadTime: '30m' },
        'metadata key "startupTime" has invalid value "30m": expected a duration no longer than horizon (30m) minus KEDA\'s polling interval (30s)',
      ],
      [
        { startupTime: 'soon' },
        'metadata key "startupTime" has invalid value "soon": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
      ],
      [
        { startupTime: '-1m' },
        'metadata key "startupTime" has invalid value "-1m": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
      ],
      [
        { cooldownPeriod: '300' },
        'metadata key "cooldownPeriod" has invalid value "300": expected a duration with a unit, such as 300s (the ScaledObject\'s cooldownPeriod counts seconds)',
      ],
      [
        { cooldownPeriod: '8d' },
        'metadata key "cooldownPeriod" has invalid value "8d": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 7d',
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
        { shortfallTarget: '0' },
        'metadata key "shortfallTarget" has invalid value "0": expected a decimal number at least 0.001 and at most 0.5',
      ],
      [
        { shortfallTarget: '0.6' },
        'metadata key "shortfallTarget" has invalid value "0.6": expected a decimal number at least 0.001 and at most 0.5',
      ],
      [
        { startupTimeServerAddress: 'http://prometheus.monitoring:9090' },
        'metadata key "startupTimeQuery" is required: expected a PromQL query for startupTimeServerAddress to answer',
      ],
      [
        { startupTimeQuery: 'vector(90)', startupTimeServerAddress: 'prometheus:9090' },
        'metadata key "startupTimeServerAddress" has invalid value "prometheus:9090": expected an absolute URL with scheme http or https',
      ],
      [
        { shortfallTarget: '5%' },
        'metadata key "shortfallTarget" has invalid value "5%": expected a decimal number at least 0.001 and at most 0.5',
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
        { valueScale: '0.5' },
        'metadata key "valueScale" has invalid value "0.5": expected a decimal number at least 1 and at most 1000000',
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

  describe('startupTimeQuery', () => {
    it('asks the trigger’s own Prometheus unless told another', () => {
      expect(parseTriggerMetadata({ ...PROMETHEUS, startupTimeQuery: 'vector(90)' })).toMatchObject({
        startupTimeQuery: 'vector(90)',
        startupTimeServerAddress: undefined,
      });
      expect(() => parseTriggerMetadata({ ...GPU, startupTimeQuery: 'vector(90)' })).not.toThrow();
    });

    it('needs startupTimeServerAddress on a rabbitmq trigger, which has no Prometheus of its own', () => {
      expect(errorOf({ ...RABBITMQ, startupTimeQuery: 'vector(90)' })).toBe(
        'metadata key "startupTimeServerAddress" is required: expected the http(s):// address of the Prometheus that answers startupTimeQuery (a rabbitmq trigger has no Prometheus of its own)',
      );
    });

    it('keeps the signal, and so the learned history, when it changes', () => {
      const plain = parseTriggerMetadata(PROMETHEUS);
      const measured = parseTriggerMetadata({ ...PROMETHEUS, startupTimeQuery: 'vector(90)' });
      expect(measured.signalId).toBe(plain.signalId);
      expect(measured.metricName).toBe(plain.metricName);
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

    it.each(SOURCES)('%s: each unknown key is a warning that names it', (name, base) => {
      const { warnings } = readTriggerMetadata({ ...base, leadtime: '10m', owner: 'team-ml' });
      expect(warnings.map((w) => w.key)).toEqual(['leadtime', 'owner']);
      expect(warnings[0]?.message).toBe(
        `not a key of source ${name}: ignored (docs/metadata.md lists the keys)`,
      );
    });

    it.each(SOURCES)('%s: its own keys and KEDA external-scaler keys give no warning', (_name, base) => {
      const { warnings } = readTriggerMetadata({
        ...base,
        scalerAddress: 'keda-predictive-scaler.keda:9090',
        enableTLS: 'true',
        unsafeSsl: 'false',
        leadTime: '10m',
        quantile: '0.95',
      });
      expect(warnings).toEqual([]);
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
