import type { RabbitMqTriggerConfig } from './rabbitmq-metadata';
import { parseTriggerMetadata, readTriggerMetadata } from '../trigger-metadata';
import {
  COMMON_DEFAULTS,
  errorOf,
  omit,
  RABBITMQ,
  type Metadata,
} from '../../../test/support/trigger-metadata';

/** The rabbitmq keys, read through the top-level parser (the common keys: `../trigger-metadata.test.ts`). */
describe('parseTriggerMetadata', () => {
  describe('defaults for a minimal trigger', () => {
    it('rabbitmq', () => {
      const config = parseTriggerMetadata(RABBITMQ) as RabbitMqTriggerConfig;
      expect(config).toMatchObject({
        ...COMMON_DEFAULTS,
        // KEDA's global HTTP timeout, not the common 5s.
        timeoutMs: 3_000,
        source: 'rabbitmq',
        host: 'amqp://guest:guest@rabbitmq.default:5672/',
        hostRedacted: 'amqp://***@rabbitmq.default:5672/',
        protocol: 'amqp',
        queueName: 'celery',
        mode: 'QueueLength',
        vhostName: undefined,
        excludeUnacknowledged: false,
        useRegex: false,
        operation: 'sum',
        pageSize: 100,
        sourceUnsafeSsl: false,
        target: 10,
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
      [{ unsafeSsl: 'true', host: 'amqps://rabbitmq' }, { sourceUnsafeSsl: false }],
      [{ unsafeSsl: 'false' }, { sourceUnsafeSsl: false }],
      [{ sourceUnsafeSsl: 'true', host: 'amqps://rabbitmq' }, { sourceUnsafeSsl: true }],
      [{ sourceUnsafeSsl: 'true', host: 'https://rabbitmq' }, { sourceUnsafeSsl: true }],
      [{ sourceUnsafeSsl: 'false', unsafeSsl: 'true' }, { sourceUnsafeSsl: false }],
      [{ timeout: '1000' }, { timeoutMs: 1000 }],
      [{ timeout: '3s' }, { timeoutMs: 3000 }],
      [{ timeout: '10s', host: 'http://rabbitmq:15672' }, { timeoutMs: 10_000 }],
      [{ protocol: 'auto' }, { protocol: 'amqp' }],
      [{ protocol: 'amqp' }, { protocol: 'amqp' }],
      [{ protocol: 'amqp', host: 'amqps://rabbitmq' }, { protocol: 'amqp' }],
      [{ protocol: 'http', host: 'http://rabbitmq:15672' }, { protocol: 'http' }],
      [{ protocol: 'HTTP', host: 'https://rabbitmq' }, { protocol: 'http' }],
      [{ protocol: 'auto', host: 'https://rabbitmq' }, { protocol: 'http' }],
      [
        { useRegex: 'true', queueName: '^tasks-.*$', host: 'http://rabbitmq:15672' },
        { useRegex: true, queueName: '^tasks-.*$', operation: 'sum', pageSize: 100 },
      ],
      [{ useRegex: 'false' }, { useRegex: false }],
      [{ useRegex: 'true', operation: 'max', host: 'http://rabbitmq:15672' }, { operation: 'max' }],
      [{ useRegex: 'true', operation: 'avg', host: 'http://rabbitmq:15672' }, { operation: 'avg' }],
      [{ useRegex: 'true', operation: 'SUM', host: 'http://rabbitmq:15672' }, { operation: 'sum' }],
      [{ useRegex: 'true', pageSize: '1', host: 'http://rabbitmq:15672' }, { pageSize: 1 }],
      [{ useRegex: 'true', pageSize: '500', host: 'http://rabbitmq:15672' }, { pageSize: 500 }],
      [
        { useRegex: 'true', queueName: `(${'a|'.repeat(400)}b)`, host: 'http://rabbitmq:15672' },
        { useRegex: true },
      ],
      [{ mode: 'DeliverGetRate', host: 'http://rabbitmq:15672' }, { mode: 'DeliverGetRate' }],
      [
        { mode: 'PublishedToDeliveredRatio', host: 'http://rabbitmq:15672' },
        { mode: 'PublishedToDeliveredRatio' },
      ],
      [
        { mode: 'ExpectedQueueConsumptionTime', host: 'http://rabbitmq:15672' },
        { mode: 'ExpectedQueueConsumptionTime' },
      ],
      // A blank value counts as unset, so these read as queueLength alone.
      [
        { value: '', queueLength: '25' },
        { mode: 'QueueLength', target: 25, activationTarget: 0 },
      ],
      [
        { value: '', queueLength: '25', activationValue: '2' },
        { target: 25, activationTarget: 2 },
      ],
      [
        { host: 'amqp://rabbitmq:5672/prod', usernameFromEnv: 'alice', passwordFromEnv: 's3cret' },
        { host: 'amqp://alice:s3cret@rabbitmq:5672/prod', hostRedacted: 'amqp://rabbitmq:5672/prod' },
      ],
      [
        { host: 'http://rabbitmq:15672/', usernameFromEnv: 'alice', passwordFromEnv: 'p@ss:w/rd%' },
        { host: 'http://alice:p%40ss%3Aw%2Frd%25@rabbitmq:15672/' },
      ],
      [
        { host: 'amqp://old:old@rabbitmq:5672', usernameFromEnv: 'new', passwordFromEnv: 'pw' },
        { host: 'amqp://new:pw@rabbitmq:5672' },
      ],
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
        'metadata key "mode" has invalid value "Rate": expected one of QueueLength, MessageRate, DeliverGetRate, PublishedToDeliveredRatio, ExpectedQueueConsumptionTime',
      ],
      [
        'a mode KEDA does not have',
        { ...RABBITMQ, mode: 'Unknown', host: 'http://rabbitmq:15672' },
        'metadata key "mode" has invalid value "Unknown": expected one of QueueLength, MessageRate, DeliverGetRate, PublishedToDeliveredRatio, ExpectedQueueConsumptionTime',
      ],
      [
        'DeliverGetRate over amqp',
        { ...RABBITMQ, mode: 'DeliverGetRate' },
        'metadata key "mode" has invalid value "DeliverGetRate": expected QueueLength with an amqp host (DeliverGetRate needs the management API: an http(s):// host)',
      ],
      [
        'ExpectedQueueConsumptionTime over amqp',
        { ...RABBITMQ, mode: 'ExpectedQueueConsumptionTime' },
        'metadata key "mode" has invalid value "ExpectedQueueConsumptionTime": expected QueueLength with an amqp host (ExpectedQueueConsumptionTime needs the management API: an http(s):// host)',
      ],
      [
        'an unknown protocol',
        { ...RABBITMQ, protocol: 'grpc' },
        'metadata key "protocol" has invalid value "grpc": expected one of auto, amqp, http',
      ],
      [
        'protocol http with an amqp host',
        { ...RABBITMQ, protocol: 'http' },
        'metadata key "protocol" has invalid value "http": expected auto or amqp with a amqp:// host (protocol http needs an http(s):// management host)',
      ],
      [
        'protocol amqp with an https host',
        { ...RABBITMQ, protocol: 'amqp', host: 'https://rabbitmq' },
        'metadata key "protocol" has invalid value "amqp": expected auto or http with a https:// host (protocol amqp needs an amqp(s):// host)',
      ],
      [
        'useRegex over amqp',
        { ...RABBITMQ, useRegex: 'true' },
        'metadata key "useRegex" has invalid value "true": expected false with an amqp host (the management API matches the regex against queue names: an http(s):// host)',
      ],
      [
        'useRegex not a boolean',
        { ...RABBITMQ, useRegex: 'yes', host: 'http://rabbitmq:15672' },
        'metadata key "useRegex" has invalid value "yes": expected true or false',
      ],
      [
        'an unknown operation',
        { ...RABBITMQ, useRegex: 'true', operation: 'average', host: 'http://rabbitmq:15672' },
        'metadata key "operation" has invalid value "average": expected one of sum, avg, max',
      ],
      [
        'pageSize 0',
        { ...RABBITMQ, useRegex: 'true', pageSize: '0', host: 'http://rabbitmq:15672' },
        'metadata key "pageSize" has invalid value "0": expected a decimal number at least 1 and at most 500',
      ],
      [
        'pageSize -1',
        { ...RABBITMQ, useRegex: 'true', pageSize: '-1', host: 'http://rabbitmq:15672' },
        'metadata key "pageSize" has invalid value "-1": expected a decimal number at least 1 and at most 500',
      ],
      [
        "pageSize above the management API's largest page",
        { ...RABBITMQ, useRegex: 'true', pageSize: '501', host: 'http://rabbitmq:15672' },
        'metadata key "pageSize" has invalid value "501": expected a decimal number at least 1 and at most 500',
      ],
      [
        'a fractional pageSize',
        { ...RABBITMQ, useRegex: 'true', pageSize: '2.5', host: 'http://rabbitmq:15672' },
        'metadata key "pageSize" has invalid value "2.5": expected an integer from 1 to 500 (the management API\'s largest page)',
      ],
      [
        'pageSize in words',
        { ...RABBITMQ, useRegex: 'true', pageSize: 'a', host: 'http://rabbitmq:15672' },
        'metadata key "pageSize" has invalid value "a": expected a decimal number at least 1 and at most 500',
      ],
      [
        'a regex over 1000 characters',
        { ...RABBITMQ, useRegex: 'true', queueName: 'q'.repeat(1001), host: 'http://rabbitmq:15672' },
        `metadata key "queueName" has invalid value "${'q'.repeat(200)}…(1001 chars)": expected at most 1000 characters`,
      ],
      [
        'queueLength next to value',
        { ...RABBITMQ, queueLength: '20' },
        'metadata key "queueLength" has invalid value "20": expected no queueLength next to mode or value (queueLength is deprecated; use mode and value)',
      ],
      [
        'queueLength next to mode',
        { ...omit(RABBITMQ, 'value'), queueLength: '20', mode: 'QueueLength' },
        'metadata key "queueLength" has invalid value "20": expected no queueLength next to mode or value (queueLength is deprecated; use mode and value)',
      ],
      [
        'queueLength 0',
        { ...omit(RABBITMQ, 'value'), queueLength: '0' },
        'metadata key "queueLength" has invalid value "0": expected a decimal number greater than 0',
      ],
      [
        'usernameFromEnv without passwordFromEnv',
        { ...RABBITMQ, usernameFromEnv: 'alice' },
        'metadata key "passwordFromEnv" is required: expected a value whenever usernameFromEnv is set (they go together)',
      ],
      [
        'passwordFromEnv without usernameFromEnv',
        { ...RABBITMQ, passwordFromEnv: 's3cret' },
        'metadata key "usernameFromEnv" is required: expected a value whenever passwordFromEnv is set (they go together)',
      ],
      [
        'sourceUnsafeSsl not a boolean',
        { ...RABBITMQ, sourceUnsafeSsl: 'sometimes' },
        'metadata key "sourceUnsafeSsl" has invalid value "sometimes": expected true or false',
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

    it('never puts usernameFromEnv or passwordFromEnv in an error, the redacted host or the identity', () => {
      const secret = 'pa55-Secret-Value';
      const metadata = { ...RABBITMQ, usernameFromEnv: 'alice', passwordFromEnv: secret };
      const config = parseTriggerMetadata(metadata) as RabbitMqTriggerConfig;
      expect(config.hostRedacted).not.toContain(secret);
      expect(config.hostRedacted).not.toContain('alice');
      expect(config.metricName).toBe(parseTriggerMetadata(RABBITMQ).metricName);
      expect(config.signalId).toBe(parseTriggerMetadata(RABBITMQ).signalId);
      for (const bad of [
        { ...metadata, value: 'x' },
        { ...metadata, host: 'ftp://h' },
        { ...metadata, usernameFromEnv: '' },
        { ...metadata, protocol: 'http' },
      ]) {
        expect(errorOf(bad)).not.toContain(secret);
      }
    });

    it.each<[string, Metadata, Array<{ key: string; message: string }>]>([
      [
        'queueLength, deprecated',
        { ...omit(RABBITMQ, 'value'), queueLength: '25' },
        [
          {
            key: 'queueLength',
            message: 'deprecated, as in KEDA; use value (with mode: QueueLength) instead',
          },
        ],
      ],
      [
        'unsafeSsl without sourceUnsafeSsl',
        { ...RABBITMQ, unsafeSsl: 'true' },
        [
          {
            key: 'unsafeSsl',
            message:
              "unsafeSsl is KEDA's own TLS to this scaler; use sourceUnsafeSsl for TLS to the source (the broker's certificate is verified)",
          },
        ],
      ],
      ['unsafeSsl with sourceUnsafeSsl', { ...RABBITMQ, unsafeSsl: 'true', sourceUnsafeSsl: 'true' }, []],
      ['unsafeSsl false', { ...RABBITMQ, unsafeSsl: 'false' }, []],
      [
        'operation and pageSize without useRegex',
        { ...RABBITMQ, host: 'http://rabbitmq:15672', operation: 'max', pageSize: '10' },
        [
          { key: 'operation', message: 'operation applies only with useRegex: "true"; ignored' },
          { key: 'pageSize', message: 'pageSize applies only with useRegex: "true"; ignored' },
        ],
      ],
      [
        'every new key, well used',
        {
          ...RABBITMQ,
          host: 'http://rabbitmq:15672',
          protocol: 'http',
          useRegex: 'true',
          operation: 'max',
          pageSize: '50',
          usernameFromEnv: 'u',
          passwordFromEnv: 'p',
          sourceUnsafeSsl: 'false',
          mode: 'MessageRate',
        },
        [],
      ],
    ])('warns about %s', (_what, metadata, warnings) => {
      expect(readTriggerMetadata(metadata).warnings).toEqual(warnings);
    });

    it('keeps the signal of a trigger without useRegex, and gives regex, operation and mode signals of their own', () => {
      const http = { ...RABBITMQ, host: 'http://rabbitmq:15672', queueName: 'tasks' };
      const ids = [
        http,
        { ...http, useRegex: 'true' },
        { ...http, useRegex: 'true', operation: 'max' },
        { ...http, useRegex: 'true', operation: 'avg' },
        { ...http, mode: 'DeliverGetRate' },
      ].map((metadata) => parseTriggerMetadata(metadata).signalId);
      expect(new Set(ids).size).toBe(ids.length);
      // pageSize and protocol select no other data.
      expect(parseTriggerMetadata({ ...http, useRegex: 'true', pageSize: '7' }).signalId).toBe(ids[1]);
      expect(parseTriggerMetadata({ ...http, protocol: 'http' }).signalId).toBe(ids[0]);
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
});
