import { parseTriggerMetadata } from './trigger-metadata';

/**
 * `metricName` and `signalId` name the HPA's metric and key the learned history in Redis: a trigger must
 * keep both across restarts, upgrades and refactors. Literal values, one or more triggers per source.
 */
const PINNED: Array<[string, Record<string, string>, string, string]> = [
  [
    'rabbitmq over amqp',
    {
      source: 'rabbitmq',
      host: 'amqp://guest:guest@rabbitmq.default:5672/',
      queueName: 'celery',
      value: '10',
    },
    'rabbitmq-celery-f6d64eac',
    'f6d64eac725e2858',
  ],
  [
    'rabbitmq over the management API',
    {
      source: 'rabbitmq',
      host: 'https://user:pw@rabbit.example:15671/',
      vhostName: 'orders',
      queueName: 'Orders.Created',
      mode: 'MessageRate',
      excludeUnacknowledged: 'true',
      value: '5',
      activationValue: '1',
    },
    'rabbitmq-orders-created-8f04aa98',
    '8f04aa9841a0bdf8',
  ],
  [
    'prometheus',
    {
      source: 'prometheus',
      serverAddress: 'http://prometheus.monitoring:9090',
      query: 'sum(rate(http_requests_total{job="api"}[2m]))',
      threshold: '100',
    },
    'prometheus-query-a07ec543',
    'a07ec5436960b1a2',
  ],
  [
    'prometheus with a tenant header and query parameters',
    {
      source: 'prometheus',
      serverAddress: 'https://thanos.example/',
      query: 'up',
      threshold: '1',
      customHeaders: 'X-Scope-OrgID=team-a,Authorization=Bearer abc',
      queryParameters: 'dedup=true',
    },
    'prometheus-query-248d7af2',
    '248d7af25cd85ac7',
  ],
  [
    'gpu',
    { source: 'gpu', serverAddress: 'http://prometheus.monitoring:9090', threshold: '70' },
    'gpu-utilization-9d0724c9',
    '9d0724c942321939',
  ],
  [
    'gpu with a selector, aggregation and query parameters',
    {
      source: 'gpu',
      serverAddress: 'http://prometheus.monitoring:9090',
      metric: 'memory',
      selector: 'namespace="llm",pod=~"vllm-.*"',
      aggregation: 'max',
      queryParameters: 'timeout=5s',
      threshold: '80',
      activationThreshold: '10',
    },
    'gpu-memory-024f72f2',
    '024f72f2600aeb83',
  ],
];

describe('trigger identity', () => {
  it.each(PINNED)('%s keeps its metricName and signalId', (_name, metadata, metricName, signalId) => {
    const config = parseTriggerMetadata(metadata);
    expect(config.metricName).toBe(metricName);
    expect(config.signalId).toBe(signalId);
  });
});
