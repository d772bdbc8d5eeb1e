import {
  parseTarget,
  withIdentity,
  type CommonSettings,
  type CommonTriggerConfig,
  type MetadataReader,
} from '../../config/trigger-config';
import { MetadataError } from '../../errors';
import {
  dataHeaders,
  dataSelectors,
  HTTP_QUERY_KEYS,
  parseHttpOptions,
  type HttpQueryOptions,
  THRESHOLD_KEYS,
} from '../http-options';

export interface PrometheusTriggerConfig extends CommonTriggerConfig, HttpQueryOptions {
  source: 'prometheus';
  query: string;
  /** An empty result reads as 0 when true, as KEDA's prometheus scaler does. @default true */
  ignoreNullValues: boolean;
}

export const PROMETHEUS_KEYS = [
  ...HTTP_QUERY_KEYS,
  'query',
  'ignoreNullValues',
  'threshold',
  'activationThreshold',
] as const;

export function parsePrometheusMetadata(
  read: MetadataReader,
  common: CommonSettings,
): PrometheusTriggerConfig {
  const http = parseHttpOptions(read);
  const query = read.require('query', 'a PromQL instant query that returns one series');
  if (query.length > 10_000)
    throw new MetadataError('query', query, 'a PromQL query of at most 10000 characters');
  const config: PrometheusTriggerConfig = {
    source: 'prometheus',
    ...common,
    ...http,
    query,
    ignoreNullValues: read.boolean('ignoreNullValues', true),
    ...parseTarget(read, THRESHOLD_KEYS),
    metricName: '',
    signalId: '',
  };
  return withIdentity(
    config,
    [
      config.source,
      http.serverAddressRedacted,
      query,
      http.queryParameters,
      ...dataHeaders(http),
      ...dataSelectors(http),
    ],
    'query',
  );
}
