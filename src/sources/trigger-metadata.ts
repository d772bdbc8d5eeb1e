import { metadataReader, parseCommonSettings } from '../config/trigger-config';
import { parseEnum } from '../config/parse';
import { MetadataError } from '../errors';
import { SOURCE_NAMES, sourceKindNamed, type TriggerConfig } from './source-kinds';

export type { TriggerConfig, SourceName } from './source-kinds';
export type { GpuTriggerConfig } from './gpu/gpu-metadata';
export type { HttpQueryOptions } from './http-options';
export type { PrometheusTriggerConfig } from './prometheus/prometheus-metadata';
export type { RabbitMqTriggerConfig } from './rabbitmq/rabbitmq-metadata';

/**
 * Reads one trigger's `scalerMetadata`: the `source`, the common keys, then that source's own keys (its
 * kind in `source-kinds.ts`). Throws `MetadataError` naming the first bad key. Keys it does not know are
 * ignored: KEDA passes `scalerAddress` and users keep their own notes there.
 */
export function parseTriggerMetadata(metadata: Readonly<Record<string, string>>): TriggerConfig {
  const sourceRaw = metadata.source;
  if (sourceRaw === undefined || sourceRaw.trim() === '') {
    throw new MetadataError('source', undefined, `one of ${SOURCE_NAMES.join(', ')}`);
  }
  const source = parseEnum('source', sourceRaw, SOURCE_NAMES);
  const read = metadataReader(metadata);
  const common = parseCommonSettings(read);
  return sourceKindNamed(source).parse(read, common);
}
