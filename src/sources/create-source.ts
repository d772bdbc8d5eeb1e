import type { TriggerConfig } from '../config/trigger-config';
import { createGpuSource } from './gpu/gpu.source';
import { PrometheusSource } from './prometheus/prometheus.source';
import { createRabbitMqSource } from './rabbitmq/rabbitmq.source';
import type { Source } from './source';
import type { SourceDeps } from './source-deps';

/** The one place that knows which class reads which `source`. */
export function createSource(config: TriggerConfig, deps: SourceDeps): Source {
  switch (config.source) {
    case 'prometheus':
      return new PrometheusSource(config);
    case 'rabbitmq':
      return createRabbitMqSource(config, deps);
    case 'gpu':
      return createGpuSource(config, deps);
  }
}
