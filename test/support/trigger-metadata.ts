import { MetadataError } from '../../src/errors';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';

/** Trigger metadata shared by the parser's tests: `src/sources/trigger-metadata.test.ts` and each `<kind>-metadata.test.ts`. */

export type Metadata = Record<string, string>;

export const RABBITMQ: Metadata = {
  source: 'rabbitmq',
  host: 'amqp://guest:guest@rabbitmq.default:5672/',
  queueName: 'celery',
  value: '10',
};
export const PROMETHEUS: Metadata = {
  source: 'prometheus',
  serverAddress: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(http_requests_total{job="api"}[2m]))',
  threshold: '100',
};
export const GPU: Metadata = {
  source: 'gpu',
  serverAddress: 'http://prometheus.monitoring:9090',
  threshold: '70',
};
export const SOURCES: Array<[string, Metadata]> = [
  ['rabbitmq', RABBITMQ],
  ['prometheus', PROMETHEUS],
  ['gpu', GPU],
];

export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** The error text a parse fails with; fails the test when it parses. */
export function errorOf(metadata: Metadata): string {
  try {
    parseTriggerMetadata(metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(MetadataError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(metadata).slice(0, 200)} to be refused`);
}

/** `omit(RABBITMQ, 'host')`: the base trigger without a key. */
export function omit(metadata: Metadata, ...keys: string[]): Metadata {
  const copy = { ...metadata };
  for (const key of keys) delete copy[key];
  return copy;
}

/** What a minimal trigger of any source gets for the common settings. */
export const COMMON_DEFAULTS = {
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
