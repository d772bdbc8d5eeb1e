import type { TriggerConfig } from '../sources/trigger-metadata';
import type { ResourceKind } from './units';

const CPU_CORES = /\bcontainer_cpu_usage_seconds_total\b/;
const MEMORY_BYTES = /\bcontainer_memory_(working_set_bytes|rss|usage_bytes)\b/;

/**
 * Which resource a trigger's values measure, for recommendations. The `resource` query parameter decides:
 * `cpu` (values are cores), `memory` (values are bytes) or `none`. Without it, a Prometheus trigger is
 * recognised from its query when it reads cAdvisor's container CPU counter (a `rate` of it is cores) or a
 * container memory gauge (bytes), and does not divide: a `/` usually makes a ratio or a percentage, whose
 * units no recommendation can be made in. Returns an error message for a bad parameter.
 */
export function resourceKindOf(
  param: string | null,
  config: TriggerConfig,
): { resource: ResourceKind | undefined; inferred: boolean } | { error: string } {
  if (param !== null) {
    const value = param.trim().toLowerCase();
    if (value === 'cpu' || value === 'memory') return { resource: value, inferred: false };
    if (value === 'none' || value === '') return { resource: undefined, inferred: false };
    return {
      error: `resource ${JSON.stringify(param)} is invalid: expected cpu (cores), memory (bytes) or none`,
    };
  }
  if (config.source !== 'prometheus' || config.query.includes('/'))
    return { resource: undefined, inferred: true };
  const cpu = CPU_CORES.test(config.query);
  const memory = MEMORY_BYTES.test(config.query);
  if (cpu === memory) return { resource: undefined, inferred: true };
  return { resource: cpu ? 'cpu' : 'memory', inferred: true };
}
