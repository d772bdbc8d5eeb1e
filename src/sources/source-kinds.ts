import { gpuKind } from './gpu/gpu-kind';
import { prometheusKind } from './prometheus/prometheus-kind';
import { rabbitMqKind } from './rabbitmq/rabbitmq-kind';
import type { SourceConfig, SourceKind } from './source-kind';

/**
 * Every kind of source, the one list to register a new one in (docs/architecture.md, "Adding a source").
 * The order is the order error messages list the `source` values in.
 */
export const SOURCE_KINDS = [rabbitMqKind, prometheusKind, gpuKind] as const;

type ConfigOf<K> = K extends SourceKind<infer C> ? C : never;

/** A parsed trigger, of whichever registered kind. */
export type TriggerConfig = ConfigOf<(typeof SOURCE_KINDS)[number]>;
/** A `source` value: `rabbitmq`, `prometheus`, `gpu`. */
export type SourceName = TriggerConfig['source'];
export const SOURCE_NAMES: readonly SourceName[] = SOURCE_KINDS.map((kind) => kind.kind);

/** The registered kind of a `source` value. */
export function sourceKindNamed(name: SourceName): SourceKind<TriggerConfig> {
  const found = SOURCE_KINDS.find((kind) => kind.kind === name);
  if (found === undefined) throw new Error(`no source kind "${name}" is registered`);
  // The list holds one kind per name: the one found reads configs whose `source` is `name`.
  return found as unknown as SourceKind<TriggerConfig>;
}

/** The registered kind that reads `config`. */
export function sourceKindOf<C extends TriggerConfig>(config: C): SourceKind<C> {
  return sourceKindNamed(config.source) as unknown as SourceKind<C>;
}

export type { SourceConfig, SourceKind };
