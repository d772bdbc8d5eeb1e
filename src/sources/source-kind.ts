import type { CommonSettings, CommonTriggerConfig, MetadataReader } from '../config/trigger-config';
import type { Source } from './source';
import type { SourceDeps } from './source-deps';

/** The config of one kind of source: the common settings plus its own, tagged with its `source` name. */
export type SourceConfig = CommonTriggerConfig & { source: string };

/**
 * Everything that differs from one `source` to another: its keys, how they are read, the object that
 * reads the signal, and how often a push stream polls it. Registered in `source-kinds.ts`.
 */
export interface SourceKind<C extends SourceConfig> {
  /** The `source` value that selects this kind. */
  kind: C['source'];
  /** The keys this kind reads besides the common ones (`COMMON_KEYS`). */
  keys: readonly string[];
  /**
   * Reads this kind's keys into a config. The literal starts with `source`, then the common settings:
   * configs of one kind share one V8 hidden class (`config-shape.test.ts`). Sets the identity with
   * `withIdentity`. Throws `MetadataError` naming the first bad key.
   */
  parse(read: MetadataReader, common: CommonSettings): C;
  create(config: C, deps: SourceDeps): Source;
  /**
   * How often a push stream (StreamIsActive) polls the source: `fast` (`PUSH_POLL_INTERVAL`) for a
   * source cheap to read, `slow` (`PUSH_POLL_INTERVAL_SLOW`) for a query on a shared server.
   */
  pushPolling: 'fast' | 'slow';
}
