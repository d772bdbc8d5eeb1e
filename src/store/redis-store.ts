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

// One command rather than MULTI: the sample and the chunk's expiry still land together, and a plain command
// joins the auto-pipeline, so the samples of many triggers written in one event-loop turn cost one write.
const APPEND_SAMPLE = `redis.call('setrange', KEYS[1], ARGV[1], ARGV[2]) return redis.call('pexpireat', KEYS[1], ARGV[3])`;

const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A model's hash holds `current` and `previous` (record JSON, as earlier releases wrote and still read
 * them), the `version` counter, and the kept versions: `v:<n>` (record JSON), `m:<n>` (who promoted it,
 * when) and `pinned`. Every change runs as one script, so a reader never sees a half-done promotion.
 * Record JSON is spliced in as text: decoding it with cjson would turn empty arrays into objects and
 * round floats to 14 digits.
 */
const MODEL_SLOTS = `
local key = KEYS[1]
local function versionOf(record) return tonumber(string.match(record, '^{"version":(%d+)')) end
local function slotVersion(field)
  local record = redis.call('hget', key, field)
  if record then return versionOf(record) end
  return nil
end
-- A store written before versions were kept has its models only in the current and previous fields.
local function keepSlot(field)
  local record = redis.call('hget', key, field)
  if not record then return end
  local version = versionOf(record)
  if version and redis.call('hexists', key, 'v:' .. version) == 0 then
    redis.call('hset', key, 'v:' .. version, record)
  end
end
local function setSlot(field, version)
  if version then
    redis.call('hset', key, field, redis.call('hget', key, 'v:' .. version), field .. 'Version', version)
  else
    redis.call('hdel', key, field, field .. 'Version')
  end
end
local function promote(version, now)
  local current = slotVersion('current')
  if current == version then return end
  setSlot('previous', current)
  setSlot('current', version)
  redis.call('hset', key, 'm:' .. version, '{"promotedBy":"operator","promotedAtMs":' .. now .. '}')
end
local function trim(limit)
  local held = {}
  for _, field in ipairs({'current', 'previous'}) do
    local version = slotVersion(field)
    if version then held[version] = true end
  end
  local pinned = redis.call('hget', key, 'pinned')
  if pinned then held[tonumber(pinned)] = true end
  local versions = {}
  for _, field in ipairs(redis.call('hkeys', key)) do
    local version = string.match(field, '^v:(%d+)$')
    if version then table.insert(versions, tonumber(version)) end
  end
  table.sort(versions, function(a, b) return a > b end)
  for i = limit + 1, #versions do
    if not held[versions[i]] then redis.call('hdel', key, 'v:' .. versions[i], 'm:' .. versions[i]) end
  end
end
keepSlot('current')
keepSlot('previous')
`;

/** ARGV: model JSON, now, keepPrevious ('1'/'0'), promoter, versions kept, ttl. */
const SAVE_MODEL = `${MODEL_SLOTS}
local pinned = redis.call('hget', key, 'pinned')
if pinned then return '!pinned:' .. pinned end
local version = redis.call('hincrby', key, 'version', 1)
local record = '{"version":' .. version .. ',"savedAtMs":' .. ARGV[2] .. ',"model":' .. ARGV[1] .. '}'
local current = slotVersion('current')
redis.call('hset', key, 'v:' .. version, record,
  'm:' .. version, '{"promotedBy":"' .. ARGV[4] .. '","promotedAtMs":' .. ARGV[2] .. '}')
if ARGV[3] == '1' and current then setSlot('previous', current) end
redis.call('hset', key, 'current', record, 'currentVersion', version)
trim(tonumber(ARGV[5]))
redis.call('pexpire', key, ARGV[6])
return record`;

/** ARGV: version ('' for the previous one), now. */
const ROLLBACK_MODEL = `${MODEL_SLOTS}
local pinned = redis.call('hget', key, 'pinned')
if pinned then return '!pinned:' .. pinned end
local target = tonumber(ARGV[1]) or slotVersion('previous')
if not target then return false end
local record = redis.call('hget', key, 'v:' .. target)
if not record then return false end
promote(target, ARGV[2])
return record`;

/** ARGV: version ('' for the current one), now, ttl. */
const PIN_MODEL = `${MODEL_SLOTS}
local target = tonumber(ARGV[1]) or slotVersion('current')
if not target then return false end
local record = redis.call('hget', key, 'v:' .. target)
if not record then return false end
promote(target, ARGV[2])
redis.call('hset', key, 'pinned', target)
redis.call('pexpire', key, ARGV[3])
return record`;

const UNPIN_MODEL = `
local pinned = redis.call('hget', KEYS[1], 'pinned')
if not pinned then return false end
redis.call('hdel', KEYS[1], 'pinned')
return pinned`;

const PINNED_REPLY = /^!pinned:(\d+)$/;

export interface RedisStoreOptions {
  /** Prefix of every key, so several installations can share one Redis. @default "kps" */
  keyPrefix?: string;
  /** How long a last reading is kept. @default 1 day */
  readingTtlMs?: number;
  /** How long an unused model is kept. @default 30 days */
  modelTtlMs?: number;
  /** How many versions of each model are kept (and the current, previous and pinned ones). @default 20 */
  modelHistoryVersions?: number;
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
  private readonly modelHistoryVersions: number;

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisStoreOptions = {},
  ) {
    this.keys = storeKeys(options.keyPrefix ?? 'kps');
    this.readingTtlMs = options.readingTtlMs ?? 86_400_000;
    this.modelTtlMs = options.modelTtlMs ?? 30 * 86_400_000;
    this.modelHistoryVersions = options.modelHistoryVersions ?? DEFAULT_MODEL_HISTORY_VERSIONS;
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

  async pinnedModelVersion(signalId: string): Promise<number | undefined> {
    const pinned = await this.redis.hget(this.keys.models(signalId), 'pinned');
    return pinned === null ? undefined : Number(pinned);
  }

  async saveModel<M>(
    signalId: string,
    model: M,
    options: { keepPrevious: boolean; nowMs: number; promotedBy?: ModelPromoter },
  ): Promise<ModelRecord<M>> {
    const raw = (await this.redis.eval(
      SAVE_MODEL,
      1,
      this.keys.models(signalId),
      JSON.stringify(model),
      String(Math.round(options.nowMs)),
      options.keepPrevious ? '1' : '0',
      options.promotedBy ?? 'trainer',
      this.modelHistoryVersions,
      this.modelTtlMs,
    )) as string;
    return parseRecord<M>(raw);
  }

  async rollbackModel<M>(
    signalId: string,
    options: { version?: number; nowMs?: number } = {},
  ): Promise<ModelRecord<M> | undefined> {
    const raw = (await this.redis.eval(
      ROLLBACK_MODEL,
      1,
      this.keys.models(signalId),
      options.version === undefined ? '' : String(options.version),
      String(Math.round(options.nowMs ?? Date.now())),
    )) as string | null;
    return raw ? parseRecord<M>(raw) : undefined;
  }

  async modelHistory<M>(signalId: string): Promise<ModelHistory<M>> {
    const fields = await this.redis.hgetall(this.keys.models(signalId));
    const byVersion = new Map<number, ModelVersionRecord<M>>();
    for (const [field, value] of Object.entries(fields)) {
      const version = /^v:(\d+)$/.exec(field)?.[1];
      if (version === undefined) continue;
      const promotion = fields[`m:${version}`];
      const { promotedBy, promotedAtMs } = promotion
        ? (JSON.parse(promotion) as { promotedBy: ModelPromoter; promotedAtMs: number })
        : { promotedBy: undefined, promotedAtMs: undefined };
      byVersion.set(Number(version), { ...parseRecord<M>(value), promotedBy, promotedAtMs });
    }
    const slot = (field: 'current' | 'previous'): number | undefined => {
      const raw = fields[field];
      if (raw === undefined) return undefined;
      const record = parseRecord<M>(raw);
      // Written by a release that kept no versions: the slot is the only copy.
      if (!byVersion.has(record.version))
        byVersion.set(record.version, { ...record, promotedBy: undefined, promotedAtMs: undefined });
      return record.version;
    };
    const currentVersion = slot('current');
    const previousVersion = slot('previous');
    return {
      currentVersion,
      previousVersion,
      pinnedVersion: fields.pinned === undefined ? undefined : Number(fields.pinned),
      versions: [...byVersion.values()].sort((a, b) => b.version - a.version),
    };
  }

  async pinModel<M>(
    signalId: string,
    options: { version?: number; nowMs: number },
  ): Promise<ModelRecord<M> | undefined> {
    const raw = (await this.redis.eval(
      PIN_MODEL,
      1,
      this.keys.models(signalId),
      options.version === undefined ? '' : String(options.version),
      String(Math.round(options.nowMs)),
      this.modelTtlMs,
    )) as string | null;
    return raw ? parseRecord<M>(raw) : undefined;
  }

  async unpinModel(signalId: string): Promise<number | undefined> {
    const pinned = (await this.redis.eval(UNPIN_MODEL, 1, this.keys.models(signalId))) as string | null;
    return pinned === null ? undefined : Number(pinned);
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

/** A record from a model script, or the pin that refused the change. */
function parseRecord<M>(raw: string): ModelRecord<M> {
  const pinned = PINNED_REPLY.exec(raw)?.[1];
  if (pinned !== undefined) throw new ModelPinnedError(Number(pinned));
  return JSON.parse(raw) as ModelRecord<M>;
}
