import { randomUUID } from 'node:crypto';
import type { RegularSeries } from '../forecast/types';
import { BYTES_PER_SAMPLE, decodeSamples, encodeSample, locate, slotsPerChunk } from './history-encoding';
import {
  DEFAULT_MODEL_HISTORY_VERSIONS,
  ModelPinnedError,
  type HistorySpec,
  type ModelHistory,
  type ModelPromoter,
  type ModelRecord,
  type ModelSlots,
  type ModelVersionRecord,
  type StateStore,
  type StoredReading,
} from './state-store';

interface Chunk {
  bytes: Buffer;
  expiresAtMs: number;
}

/**
 * The default store: one replica, nothing shared, nothing kept across restarts. It uses the same chunk
 * encoding as Redis so both behave alike in the conformance suite.
 */
export class MemoryStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly readings = new Map<string, StoredReading>();
  private readonly chunks = new Map<string, Chunk>();
  private readonly models = new Map<string, KeptModels>();
  private readonly versions = new Map<string, number>();
  private readonly locks = new Map<string, { token: string; expiresAtMs: number }>();

  /**
   * @param historyVersions how many versions of each model are kept (the current, previous and pinned
   *   ones are kept even when older)
   */
  constructor(
    private readonly clock: () => number = Date.now,
    private readonly historyVersions: number = DEFAULT_MODEL_HISTORY_VERSIONS,
  ) {}

  async getLastReading(triggerKey: string): Promise<StoredReading | undefined> {
    const reading = this.readings.get(triggerKey);
    return reading && { ...reading };
  }

  async setLastReading(triggerKey: string, reading: StoredReading): Promise<void> {
    this.readings.set(triggerKey, { ...reading });
  }

  async appendSample(signalId: string, spec: HistorySpec, atMs: number, value: number): Promise<void> {
    const { chunk, slot } = locate(spec.stepMs, atMs);
    this.writeBytes(signalId, spec, chunk, slot, encodeSample(value));
  }

  async writeSamples(signalId: string, spec: HistorySpec, series: RegularSeries): Promise<void> {
    // As RedisStore does: a series at another step would land in the wrong slots.
    if (series.stepMs !== spec.stepMs) {
      throw new Error(`series step ${series.stepMs} ms differs from history step ${spec.stepMs} ms`);
    }
    for (let i = 0; i < series.values.length; i++) {
      // Gaps in a backfill never blank out samples already stored.
      if (!Number.isFinite(series.values[i] as number)) continue;
      const { chunk, slot } = locate(spec.stepMs, series.startMs + i * series.stepMs);
      this.writeBytes(signalId, spec, chunk, slot, encodeSample(series.values[i] as number));
    }
  }

  async readHistory(
    signalId: string,
    spec: HistorySpec,
    fromMs: number,
    toMs: number,
  ): Promise<RegularSeries> {
    this.evictExpired();
    const first = locate(spec.stepMs, fromMs);
    const count = Math.max(0, Math.ceil((toMs - first.slotStartMs) / spec.stepMs));
    const values: number[] = [];
    const perChunk = slotsPerChunk(spec.stepMs);
    let { chunk, slot } = first;
    while (values.length < count) {
      const take = Math.min(perChunk - slot, count - values.length);
      decodeSamples(this.chunks.get(chunkKey(signalId, spec.stepMs, chunk))?.bytes, slot, take, values);
      chunk += 1;
      slot = 0;
    }
    return { startMs: first.slotStartMs, stepMs: spec.stepMs, values };
  }

  async getModels<M>(signalId: string): Promise<ModelSlots<M>> {
    const kept = this.models.get(signalId);
    return structuredClone({
      current: recordOf(kept, kept?.current) as ModelRecord<M> | undefined,
      previous: recordOf(kept, kept?.previous) as ModelRecord<M> | undefined,
    });
  }

  async currentModelVersion(signalId: string): Promise<number | undefined> {
    return this.models.get(signalId)?.current;
  }

  async pinnedModelVersion(signalId: string): Promise<number | undefined> {
    return this.models.get(signalId)?.pinned;
  }

  async saveModel<M>(
    signalId: string,
    model: M,
    options: { keepPrevious: boolean; nowMs: number; promotedBy?: ModelPromoter },
  ): Promise<ModelRecord<M>> {
    const kept = this.keptModels(signalId);
    if (kept.pinned !== undefined) throw new ModelPinnedError(kept.pinned);
    const version = (this.versions.get(signalId) ?? 0) + 1;
    this.versions.set(signalId, version);
    const record: ModelRecord<M> = { version, savedAtMs: options.nowMs, model: structuredClone(model) };
    kept.versions.set(version, {
      ...record,
      promotedBy: options.promotedBy ?? 'trainer',
      promotedAtMs: options.nowMs,
    });
    if (options.keepPrevious) kept.previous = kept.current;
    kept.current = version;
    this.trim(kept);
    return structuredClone(record);
  }

  async rollbackModel<M>(
    signalId: string,
    options: { version?: number; nowMs?: number } = {},
  ): Promise<ModelRecord<M> | undefined> {
    const kept = this.models.get(signalId);
    if (kept?.pinned !== undefined) throw new ModelPinnedError(kept.pinned);
    const target = options.version ?? kept?.previous;
    if (!kept || target === undefined || !kept.versions.has(target)) return undefined;
    this.promote(kept, target, options.nowMs ?? this.clock());
    return structuredClone(recordOf(kept, target) as ModelRecord<M>);
  }

  async modelHistory<M>(signalId: string): Promise<ModelHistory<M>> {
    const kept = this.models.get(signalId);
    return structuredClone({
      currentVersion: kept?.current,
      previousVersion: kept?.previous,
      pinnedVersion: kept?.pinned,
      versions: kept
        ? ([...kept.versions.values()].sort((a, b) => b.version - a.version) as Array<ModelVersionRecord<M>>)
        : [],
    });
  }

  async pinModel<M>(
    signalId: string,
    options: { version?: number; nowMs: number },
  ): Promise<ModelRecord<M> | undefined> {
    const kept = this.models.get(signalId);
    const target = options.version ?? kept?.current;
    if (!kept || target === undefined || !kept.versions.has(target)) return undefined;
    this.promote(kept, target, options.nowMs);
    kept.pinned = target;
    return structuredClone(recordOf(kept, target) as ModelRecord<M>);
  }

  async unpinModel(signalId: string): Promise<number | undefined> {
    const kept = this.models.get(signalId);
    const pinned = kept?.pinned;
    if (kept) kept.pinned = undefined;
    return pinned;
  }

  async tryLock(name: string, ttlMs: number): Promise<string | undefined> {
    const held = this.locks.get(name);
    const now = this.clock();
    if (held && held.expiresAtMs > now) return undefined;
    const token = randomUUID();
    this.locks.set(name, { token, expiresAtMs: now + ttlMs });
    return token;
  }

  async releaseLock(name: string, token: string): Promise<boolean> {
    const held = this.locks.get(name);
    if (!held || held.token !== token) return false;
    this.locks.delete(name);
    // An expired lock is no longer held, as in Redis where its key is gone.
    return held.expiresAtMs > this.clock();
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.chunks.clear();
  }

  private keptModels(signalId: string): KeptModels {
    let kept = this.models.get(signalId);
    if (!kept) {
      kept = { versions: new Map(), current: undefined, previous: undefined, pinned: undefined };
      this.models.set(signalId, kept);
    }
    return kept;
  }

  /** An operator makes `version` current; the old current becomes the one a rollback restores. */
  private promote(kept: KeptModels, version: number, nowMs: number): void {
    if (version === kept.current) return;
    kept.previous = kept.current;
    kept.current = version;
    const entry = kept.versions.get(version) as ModelVersionRecord;
    entry.promotedBy = 'operator';
    entry.promotedAtMs = nowMs;
  }

  private trim(kept: KeptModels): void {
    const held = new Set([kept.current, kept.previous, kept.pinned]);
    const newestFirst = [...kept.versions.keys()].sort((a, b) => b - a);
    for (const version of newestFirst.slice(this.historyVersions)) {
      if (!held.has(version)) kept.versions.delete(version);
    }
  }

  private writeBytes(signalId: string, spec: HistorySpec, chunk: number, slot: number, bytes: Buffer): void {
    const key = chunkKey(signalId, spec.stepMs, chunk);
    const size = slotsPerChunk(spec.stepMs) * BYTES_PER_SAMPLE;
    let entry = this.chunks.get(key);
    if (!entry) {
      // Zero bytes decode as gaps, exactly like Redis's padding.
      entry = { bytes: Buffer.alloc(size), expiresAtMs: 0 };
      this.chunks.set(key, entry);
    }
    bytes.copy(entry.bytes, slot * BYTES_PER_SAMPLE);
    entry.expiresAtMs = (chunk + 1) * slotsPerChunk(spec.stepMs) * spec.stepMs + spec.retentionMs;
  }

  private evictExpired(): void {
    const now = this.clock();
    for (const [key, entry] of this.chunks) {
      if (entry.expiresAtMs <= now) this.chunks.delete(key);
    }
  }
}

/** Version numbers of what is current, previous and pinned, over the kept versions. */
interface KeptModels {
  versions: Map<number, ModelVersionRecord>;
  current: number | undefined;
  previous: number | undefined;
  pinned: number | undefined;
}

function recordOf(kept: KeptModels | undefined, version: number | undefined): ModelRecord | undefined {
  const entry = version === undefined ? undefined : kept?.versions.get(version);
  return entry && { version: entry.version, savedAtMs: entry.savedAtMs, model: entry.model };
}

function chunkKey(signalId: string, stepMs: number, chunk: number): string {
  return `${signalId}:${stepMs}:${chunk}`;
}
