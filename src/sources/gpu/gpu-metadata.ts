import { parseLabelSelector } from '../../config/label-selector';
import { parseEnum } from '../../config/parse';
import {
  parseTarget,
  withIdentity,
  type CommonSettings,
  type CommonTriggerConfig,
  type MetadataReader,
} from '../../config/trigger-config';
import {
  dataHeaders,
  dataSelectors,
  HTTP_QUERY_KEYS,
  parseHttpOptions,
  type HttpQueryOptions,
  THRESHOLD_KEYS,
} from '../http-options';

export interface GpuTriggerConfig extends CommonTriggerConfig, HttpQueryOptions {
  source: 'gpu';
  /** @default utilization */
  metric: 'utilization' | 'memory' | 'temperature';
  /** Canonical PromQL label matchers, without braces. @default "" */
  selector: string;
  /** @default avg */
  aggregation: 'avg' | 'max' | 'sum';
}

export const GPU_KEYS = [
  ...HTTP_QUERY_KEYS,
  'metric',
  'selector',
  'aggregation',
  'threshold',
  'activationThreshold',
] as const;

export function parseGpuMetadata(read: MetadataReader, common: CommonSettings): GpuTriggerConfig {
  const http = parseHttpOptions(read);
  const metric = parseEnum('metric', read.get('metric') ?? 'utilization', [
    'utilization',
    'memory',
    'temperature',
  ] as const);
  const aggregation = parseEnum('aggregation', read.get('aggregation') ?? 'avg', [
    'avg',
    'max',
    'sum',
  ] as const);
  const selector = parseLabelSelector('selector', read.metadata.selector ?? '');
  const config: GpuTriggerConfig = {
    source: 'gpu',
    ...common,
    ...http,
    metric,
    selector,
    aggregation,
    ...parseTarget(read, THRESHOLD_KEYS),
    metricName: '',
    signalId: '',
  };
  const extra = [
    ...(http.queryParameters.length > 0 ? [http.queryParameters] : []),
    ...dataHeaders(http),
    ...dataSelectors(http),
  ];
  return withIdentity(
    config,
    [config.source, http.serverAddressRedacted, metric, selector, aggregation, ...extra],
    metric,
  );
}
