import { parseTriggerMetadata } from '../sources/trigger-metadata';
import { resourceKindOf } from './resource-kind';

const prometheus = (query: string) =>
  parseTriggerMetadata({
    source: 'prometheus',
    serverAddress: 'http://prometheus:9090',
    query,
    threshold: '1',
  });

describe('resourceKindOf', () => {
  it.each([
    ['sum(rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"web-.*"}[5m]))', 'cpu'],
    ['sum(container_memory_working_set_bytes{namespace="shop",container="web"})', 'memory'],
    ['max(container_memory_rss{pod=~"web-.*"})', 'memory'],
    // A ratio or a percentage has no Kubernetes unit.
    [
      'sum(rate(container_cpu_usage_seconds_total[5m])) / sum(kube_pod_container_resource_requests{resource="cpu"})',
      undefined,
    ],
    ['sum(rate(http_requests_total[1m]))', undefined],
    ['sum(container_memory_working_set_bytes) + sum(rate(container_cpu_usage_seconds_total[5m]))', undefined],
  ])('infers from %s', (query, resource) => {
    expect(resourceKindOf(null, prometheus(query))).toEqual({ resource, inferred: true });
  });

  it('lets the resource parameter decide', () => {
    const config = prometheus('sum(app_cores)');
    expect(resourceKindOf('cpu', config)).toEqual({ resource: 'cpu', inferred: false });
    expect(resourceKindOf('Memory', config)).toEqual({ resource: 'memory', inferred: false });
    expect(resourceKindOf('none', prometheus('sum(container_memory_rss)'))).toEqual({
      resource: undefined,
      inferred: false,
    });
    expect(resourceKindOf('gpu', config)).toEqual({
      error: 'resource "gpu" is invalid: expected cpu (cores), memory (bytes) or none',
    });
  });

  it('recognises nothing on RabbitMQ triggers', () => {
    const config = parseTriggerMetadata({
      source: 'rabbitmq',
      host: 'amqp://guest:guest@localhost:5672/',
      queueName: 'q',
      value: '5',
    });
    expect(resourceKindOf(null, config)).toEqual({ resource: undefined, inferred: true });
  });
});
