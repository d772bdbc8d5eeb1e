import { createHash } from 'node:crypto';
import type { MetadataWarning } from '../config/trigger-config';
import { readTriggerMetadata, type ParsedTrigger, type TriggerConfig } from '../sources/trigger-metadata';
import { MetadataError } from '../errors';
import type { TriggerLabels } from '../metrics/scaler-metrics';

/** What a gRPC call names: a ScaledObject and one of its trigger's metadata. */
export interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}

/** A trigger as the server tracks it: its parsed config and the ScaledObject that asked. */
export interface TriggerHandle {
  /** Unique per ScaledObject and trigger config: decisions, caches and metric series are keyed by it. */
  key: string;
  /** Short hash of `key` for the shared store: the key holds the metadata, credentials included. */
  storeId: string;
  config: TriggerConfig;
  /** Unknown or deprecated keys in the trigger's metadata: logged and counted once, when first seen. */
  warnings: readonly MetadataWarning[];
  labels: TriggerLabels;
  lastSeenMs: number;
}

/** Kubernetes' own limits: a ScaledObject's name is a DNS subdomain, its namespace a DNS label. */
const MAX_NAME_CHARS = 253;
const MAX_NAMESPACE_CHARS = 63;
/**
 * Cache keys longer than this are kept as a digest. The bound on entries alone would let a caller make
 * every entry hold a megabyte-long key (a 1 MiB message of junk keys), and so exhaust memory with a few
 * hundred calls. Real trigger metadata is a few hundred characters and keeps its readable key.
 */
const MAX_KEY_CHARS = 1_024;

/** Keys a gRPC caller may not know: KEDA adds these itself and they say nothing about the signal. */
const IGNORED_KEYS = new Set(['scalerAddress', 'caCert', 'tlsClientCert', 'tlsClientKey', 'enableTLS']);

/**
 * Parses each distinct metadata map once. KEDA sends the same map on every poll, so the hot path is one
 * Map lookup on a string built from the sorted entries. Bounded, so a caller sending endless distinct
 * maps cannot grow memory without limit.
 */
export class TriggerRegistry {
  private readonly parsed = new Map<string, ParsedTrigger>();
  private readonly handles = new Map<string, TriggerHandle>();

  /** `onNewTrigger` hears of each handle once, when it is created: where its warnings are reported. */
  constructor(
    private readonly clock: () => number,
    private readonly maxEntries = 50_000,
    private readonly onNewTrigger: (handle: TriggerHandle) => void = () => {},
  ) {}

  /** Parses (or finds) the trigger config; throws `MetadataError` for bad metadata. */
  config(metadata: Record<string, string>, cacheKey = metadataKey(metadata)): TriggerConfig {
    return this.parse(metadata, cacheKey).config;
  }

  private parse(metadata: Record<string, string>, cacheKey: string): ParsedTrigger {
    let parsed = this.parsed.get(cacheKey);
    if (parsed === undefined) {
      parsed = readTriggerMetadata(metadata);
      if (this.parsed.size >= this.maxEntries) this.parsed.delete(this.parsed.keys().next().value as string);
      this.parsed.set(cacheKey, parsed);
    }
    return parsed;
  }

  /** The handle for a ScaledObject's trigger, created on first sight. */
  resolve(ref: ScaledObjectRef): TriggerHandle {
    // Both end up in metric labels and cache keys: anything longer than Kubernetes allows is not KEDA.
    if ((ref.name ?? '').length > MAX_NAME_CHARS)
      throw new MetadataError('ScaledObjectRef.name', ref.name, `at most ${MAX_NAME_CHARS} characters`);
    if ((ref.namespace ?? '').length > MAX_NAMESPACE_CHARS)
      throw new MetadataError(
        'ScaledObjectRef.namespace',
        ref.namespace,
        `at most ${MAX_NAMESPACE_CHARS} characters`,
      );
    const metadata = ref.scalerMetadata ?? {};
    const cacheKey = metadataKey(metadata);
    const { config, warnings } = this.parse(metadata, cacheKey);
    const key = `${ref.namespace}\u0002${ref.name}\u0002${cacheKey}`;
    let handle = this.handles.get(key);
    if (handle === undefined) {
      if (this.handles.size >= this.maxEntries)
        this.handles.delete(this.handles.keys().next().value as string);
      handle = {
        key,
        storeId: createHash('sha256').update(key).digest('hex').slice(0, 24),
        config,
        warnings,
        labels: { namespace: ref.namespace, scaled_object: ref.name, metric: config.metricName },
        lastSeenMs: this.clock(),
      };
      this.handles.set(key, handle);
      this.onNewTrigger(handle);
    }
    handle.lastSeenMs = this.clock();
    return handle;
  }

  /** Every tracked trigger. */
  all(): IterableIterator<TriggerHandle> {
    return this.handles.values();
  }

  /** Forgets triggers idle for longer than `idleMs` and returns them, so their metrics can go too. */
  sweep(idleMs: number): TriggerHandle[] {
    const cutoff = this.clock() - idleMs;
    const gone: TriggerHandle[] = [];
    for (const [key, handle] of this.handles) {
      if (handle.lastSeenMs < cutoff) {
        this.handles.delete(key);
        gone.push(handle);
      }
    }
    return gone;
  }
}

function metadataKey(metadata: Record<string, string>): string {
  const keys = Object.keys(metadata)
    .filter((k) => !IGNORED_KEYS.has(k))
    .sort();
  let out = '';
  for (const k of keys) out += `${k}\u0000${metadata[k]}\u0001`;
  return out.length > MAX_KEY_CHARS ? `\u0003${createHash('sha256').update(out).digest('base64')}` : out;
}
