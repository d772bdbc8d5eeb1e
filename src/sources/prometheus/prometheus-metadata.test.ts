import type { PrometheusTriggerConfig } from './prometheus-metadata';
import { parseTriggerMetadata } from '../trigger-metadata';
import {
  COMMON_DEFAULTS,
  errorOf,
  omit,
  PROMETHEUS,
  type Metadata,
} from '../../../test/support/trigger-metadata';

/** The prometheus keys, read through the top-level parser (the common keys: `../trigger-metadata.test.ts`). */
describe('parseTriggerMetadata', () => {
  describe('defaults for a minimal trigger', () => {
    it('prometheus', () => {
      const config = parseTriggerMetadata(PROMETHEUS) as PrometheusTriggerConfig;
      expect(config).toMatchObject({
        ...COMMON_DEFAULTS,
        timeoutMs: 3_000,
        source: 'prometheus',
        serverAddress: 'http://prometheus.monitoring:9090',
        serverAddressRedacted: 'http://prometheus.monitoring:9090',
        query: 'sum(rate(http_requests_total{job="api"}[2m]))',
        ignoreNullValues: true,
        customHeaders: [],
        credentialHeaders: [],
        queryParameters: [],
        namespace: undefined,
        authModes: [],
        tls: { caFile: undefined, certFile: undefined, keyFile: undefined },
        sourceUnsafeSsl: false,
        target: 100,
      });
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
      [{ sourceUnsafeSsl: 'true' }, { sourceUnsafeSsl: true }],
      [{ timeout: '3000' }, { timeoutMs: 3000 }],
    ])('accepts %j', (extra, expected) => {
      expect(parseTriggerMetadata({ ...PROMETHEUS, ...extra })).toMatchObject(expected);
    });

    it.each<[string, Metadata, string]>([
      [
        'no serverAddress',
        omit(PROMETHEUS, 'serverAddress'),
        'metadata key "serverAddress" is required: expected the http(s):// address of the Prometheus server (or serverAddressFromEnv)',
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
        'sourceUnsafeSsl not a boolean',
        { ...PROMETHEUS, sourceUnsafeSsl: 'on' },
        'metadata key "sourceUnsafeSsl" has invalid value "on": expected true or false',
      ],
    ])('refuses %s', (_name, metadata, message) => {
      expect(() => parseTriggerMetadata(metadata)).toThrow(message);
      expect(errorOf(metadata)).toBe(message);
    });
  });
});
