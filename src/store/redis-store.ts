import { randomUUID } from 'node:crypto';
import type { Redis, Cluster } from 'ioredis';
import type { RegularSeries } from '../forecast/types';
import {
  BYTES_PER_SAMPLE,
  decodeSamples,
  encodeSample,
  encodeSamples,
  finiteRuns,
  locate,
  slotsPerChunk,
} from './history-encoding';
import { storeKeys, type StoreKeys } from './keys';
import type { HistorySpec, ModelRecord, ModelSlots, StateStore, StoredReading } from './state-store';

// One command rather than MULTI: the sample and the chunk's expiry still land together, and a plain command
// joins the auto-pipeline, so the samples of many triggers written in one event-loop turn cost one write.
const APPEND_SAMPLE = `redis.call('setrange', KEYS[1], ARGV[1], ARGV[2]) return redis.call('pexpireat', KEYS[1], ARGV[3])`;

const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

// Current and previous move together so a reader never sees a half-done swap. The model JSON is spliced
// in as text: decoding it with cjson would turn empty arrays into objects and round floats to 14 digits.
const SAVE_MODEL = `
local version = redis.call('hincrby', KEYS[1], 'version', 1)
local record = '{"version":' .. version .. ',"savedAtMs":' .. ARGV[2] .. ',"model":' .. ARGV[1] .. '}'
local current = redis.call('hget', KEYS[1], 'current')
if ARGV[3] == '1' and current then
  redis.call('hset', KEYS[1], 'previous', current, 'previousVersion', redis.call('hget', KEYS[1], 'currentVersion') or '')
end
redis.call('hset', KEYS[1], 'current', record, 'currentVersion', version)
return record`;

const ROLLBACK_MODEL = `
local current = redis.call('hget', KEYS[1], 'current')
local previous = redis.call('hget', KEYS[1], 'previous')
if not previous then return false end
local currentVersion = redis.call('hget', KEYS[1], 'currentVersion') or ''
redis.call('hset', KEYS[1], 'current', previous, 'currentVersion', redis.call('hget', KEYS[1], 'previousVersion') or '')
if current then
  redis.call('hset', KEYS[1], 'previous', current, 'previousVersion', currentVersion)
else
  redis.call('hdel', KEYS[1], 'previous', 'previousVersion')
end
return previous`;

export interface RedisStoreOptions {
  /** Prefix of every key, so several installations can share one Redis. @default "kps" */
  keyPrefix?: string;
  /** How long a last reading is kept. @default 1 day */
  readingTtlMs?: number;
  /** How long an unused model is kept. @default 30 days */
  modelTtlMs?: number;
}

/**
 * The shared store. History lives in day-long binary chunks (4 bytes a sample, SETRANGE per point, one
 * key per signal and day with a TTL) so memory is bounded by `historyWindow` and no key holds one point.
 */
export class RedisStore implements StateStore {
  readonly kind = 'redis' as const;
  private readonly keys: StoreKeys;
  private readonly readingTtlMs: number;
  private readonly modelTtlMs: number;

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisStoreOptions = {},
  ) {
    this.keys = storeKeys(options.keyPrefix ?? 'kps');
    this.readingTtlMs = options.readingTtlMs ?? 86_400_000;
    this.modelTtlMs = options.modelTtlMs ?? 30 * 86_400_000;
  }

  async getLastReading(triggerKey: string): Promise<StoredReading | undefined> {
    const raw = await this.redis.get(this.keys.lastReading(triggerKey));
    if (raw === null) return undefined;
    const parsed = JSON.parse(raw) as StoredReading;
    return Number.isFinite(parsed.value) && Number.isFinite(parsed.atMs) ? parsed : undefined;
  }

  async setLastReading(triggerKey: string, reading: StoredReading): Promise<void> {
    await this.redis.set(this.keys.lastReading(triggerKey), JSON.stringify(reading), 'PX', this.readingTtlMs);
  }

  async appendSample(signalId: string, spec: HistorySpec, atMs: number, value: number): Promise<void> {
    const { chunk, slot } = locate(spec.stepMs, atMs);
    const key = this.keys.historyChunk(signalId, spec.stepMs, chunk);
    await this.redis.eval(
      APPEND_SAMPLE,
      1,
      key,
      slot * BYTES_PER_SAMPLE,
      encodeSample(value),
      this.chunkExpiry(spec, chunk),
    );
  }

  async writeSamples(signalId: string, spec: HistorySpec, series: RegularSeries): Promise<void> {
    if (series.stepMs !== spec.stepMs) {
      throw new Error(`series step ${series.stepMs} ms differs from history step ${spec.stepMs} ms`);
    }
    const perChunk = slotsPerChunk(spec.stepMs);
    const pipeline = this.redis.multi();
    // Only runs of real values are written, so a backfill never blanks out samples already stored.
    for (const [runStart, runEnd] of finiteRuns(series.values)) {
      let i = runStart;
      while (i < runEnd) {
        const { chunk, slot } = locate(spec.stepMs, series.startMs + i * series.stepMs);
        const take = Math.min(perChunk - slot, runEnd - i);
        const key = this.keys.historyChunk(signalId, spec.stepMs, chunk);
        pipeline.setrange(key, slot * BYTES_PER_SAMPLE, encodeSamples(series.values.slice(i, i + take)));
        pipeline.pexpireat(key, this.chunkExpiry(spec, chunk));
        i += take;
      }
    }
    await pipeline.exec();
  }

  async readHistory(
    signalId: string,
    spec: HistorySpec,
    fromMs: number,
    toMs: number,
  ): Promise<RegularSeries> {
    const first = locate(spec.stepMs, fromMs);
    const count = Math.max(0, Math.ceil((toMs - first.slotStartMs) / spec.stepMs));
    const perChunk = slotsPerChunk(spec.stepMs);
    const lastChunk =
      count === 0
        ? first.chunk - 1
        : locate(spec.stepMs, first.slotStartMs + (count - 1) * spec.stepMs).chunk;
    const chunkKeys: string[] = [];
    for (let c = first.chunk; c <= lastChunk; c++)
      chunkKeys.push(this.keys.historyChunk(signalId, spec.stepMs, c));
    const buffers = chunkKeys.length === 0 ? [] : await this.redis.mgetBuffer(...chunkKeys);
    const values: number[] = [];
    let slot = first.slot;
    for (const buffer of buffers) {
      const take = Math.min(perChunk - slot, count - values.length);
      decodeSamples(buffer, slot, take, values);
      slot = 0;
    }
    return { startMs: first.slotStartMs, stepMs: spec.stepMs, values };
  }

  async getModels<M>(signalId: string): Promise<ModelSlots<M>> {
    const [current, previous] = await this.redis.hmget(this.keys.models(signalId), 'current', 'previous');
    return {
      current: current ? (JSON.parse(current) as ModelRecord<M>) : undefined,
      previous: previous ? (JSON.parse(previous) as ModelRecord<M>) : undefined,
    };
  }

  async currentModelVersion(signalId: string): Promise<number | undefined> {
    const key = this.keys.models(signalId);
    const version = await this.redis.hget(key, 'currentVersion');
    if (version !== null && version !== '') return Number(version);
    // Saved before the version had a field of its own: read it from the record.
    return (await this.getModels<unknown>(signalId)).current?.version;
  }

  async saveModel<M>(
    signalId: string,
    model: M,
    options: { keepPrevious: boolean; nowMs: number },
  ): Promise<ModelRecord<M>> {
    const key = this.keys.models(signalId);
    const raw = (await this.redis.eval(
      SAVE_MODEL,
      1,
      key,
      JSON.stringify(model),
      String(Math.round(options.nowMs)),
      options.keepPrevious ? '1' : '0',
    )) as string;
    await this.redis.pexpire(key, this.modelTtlMs);
    return JSON.parse(raw) as ModelRecord<M>;
  }

  async rollbackModel<M>(signalId: string): Promise<ModelRecord<M> | undefined> {
    const raw = (await this.redis.eval(ROLLBACK_MODEL, 1, this.keys.models(signalId))) as string | null;
    return raw ? (JSON.parse(raw) as ModelRecord<M>) : undefined;
  }

  async tryLock(name: string, ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    try {
      const result = await this.redis.set(this.keys.lock(name), token, 'PX', ttlMs, 'NX');
      return result === 'OK' ? token : undefined;
    } catch {
      // Redis away: the lock is not taken, and whoever wanted it tries again later, as when it is held.
      return undefined;
    }
  }

  async releaseLock(name: string, token: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_LOCK, 1, this.keys.lock(name), token)) === 1;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private chunkExpiry(spec: HistorySpec, chunk: number): number {
    return (chunk + 1) * slotsPerChunk(spec.stepMs) * spec.stepMs + spec.retentionMs;
  }
}
