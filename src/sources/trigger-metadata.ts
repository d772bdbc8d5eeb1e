import {
  COMMON_KEYS,
  metadataReader,
  parseCommonSettings,
  type MetadataWarning,
} from '../config/trigger-config';
import { parseEnum } from '../config/parse';
import { MetadataError } from '../errors';
import { SOURCE_NAMES, sourceKindNamed, type TriggerConfig } from './source-kinds';

export type { TriggerConfig, SourceName } from './source-kinds';
export type { GpuTriggerConfig } from './gpu/gpu-metadata';
export type { HttpQueryOptions } from './http-options';
export type { PrometheusTriggerConfig } from './prometheus/prometheus-metadata';
export type { RabbitMqTriggerConfig } from './rabbitmq/rabbitmq-metadata';

/**
 * Keys KEDA's external scaler reads itself (its connection to this scaler) and forwards with the rest, so
 * they are known here though nothing here reads them. KEDA's `unsafeSsl` is one: it is about KEDA's TLS to
 * the scaler, not ours to a source. `caCert`, `tlsClientCert` and `tlsClientKey` are authentication
 * parameters in KEDA, named here for users who also write them into the metadata.
 */
export const KEDA_EXTERNAL_SCALER_KEYS = [
  'scalerAddress',
  'enableTLS',
  'unsafeSsl',
  'caCert',
  'tlsClientCert',
  'tlsClientKey',
] as const;

/** A trigger's config and what in its metadata works but should change. */
export interface ParsedTrigger {
  config: TriggerConfig;
  warnings: readonly MetadataWarning[];
}

/**
 * Reads one trigger's `scalerMetadata`: the `source`, the common keys, then that source's own keys (its
 * kind in `source-kinds.ts`). Throws `MetadataError` naming the first bad key. A key no part reads is a
 * warning, not an error: a misspelt optional key (`leadtime`) would otherwise silently take its default.
 */
export function readTriggerMetadata(metadata: Readonly<Record<string, string>>): ParsedTrigger {
  const sourceRaw = metadata.source;
  if (sourceRaw === undefined || sourceRaw.trim() === '') {
    throw new MetadataError('source', undefined, `one of ${SOURCE_NAMES.join(', ')}`);
  }
  const source = parseEnum('source', sourceRaw, SOURCE_NAMES);
  const read = metadataReader(metadata);
  const common = parseCommonSettings(read);
  const kind = sourceKindNamed(source);
  const config = kind.parse(read, common);
  const asksOwnPrometheus = config.startupTimeServerAddress === undefined;
  if (config.startupTimeQuery !== undefined && asksOwnPrometheus && !('serverAddress' in config)) {
    throw new MetadataError(
      'startupTimeServerAddress',
      undefined,
      `the http(s):// address of the Prometheus that answers startupTimeQuery (a ${source} trigger has no Prometheus of its own)`,
    );
  }
  const known = new Set<string>([...COMMON_KEYS, ...KEDA_EXTERNAL_SCALER_KEYS, ...kind.keys]);
  for (const key of Object.keys(metadata)) {
    if (!known.has(key)) {
      read.warn(key, `not a key of source ${source}: ignored (docs/metadata.md lists the keys)`);
    }
  }
  return { config, warnings: read.warnings };
}

/** `readTriggerMetadata` without the warnings, for callers that have nobody to tell (the simulator). */
export function parseTriggerMetadata(metadata: Readonly<Record<string, string>>): TriggerConfig {
  return readTriggerMetadata(metadata).config;
}
