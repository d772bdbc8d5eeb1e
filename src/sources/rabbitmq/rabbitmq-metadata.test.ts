import type { RabbitMqTriggerConfig } from './rabbitmq-metadata';
import { parseTriggerMetadata } from '../trigger-metadata';
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
});
