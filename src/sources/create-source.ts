import type { Source } from './source';
import type { SourceDeps } from './source-deps';
import { sourceKindOf, type TriggerConfig } from './source-kinds';

/** The object that reads a trigger's signal, built by the kind registered for its `source`. */
export function createSource(config: TriggerConfig, deps: SourceDeps): Source {
  return sourceKindOf(config).create(config, deps);
}
