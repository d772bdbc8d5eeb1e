import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../../src/store/create-store';
import { KEY_VERSION, storeKeys } from '../../src/store/keys';
import { RedisStore } from '../../src/store/redis-store';
import type { HistorySpec } from '../../src/store/state-store';
import { describeStateStore } from '../../src/store/state-store.conformance';

/**
 * RedisStore against the real Redis (127.0.0.1:6379 unless TEST_REDIS_URL / TEST_REDIS_PORT say
 * otherwise). Every store gets its own key prefix under one prefix for this run, and every key under it
 * is deleted afterwards with SCAN + DEL, so runs never see each other's data.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? `redis://127.0.0.1:${process.env.TEST_REDIS_PORT ?? 6379}`;
const RUN_PREFIX = `kps-test-${randomUUID()}`;
const MINUTE = 60_000;
const DAY = 86_400_000;
const SPEC: HistorySpec = { stepMs: MINUTE, retentionMs: 14 * DAY };

let storeCount = 0;

/** A client configured as the scaler configures it (no offline queue), once it is ready. */
async function connect(): Promise<Redis> {
  const client = createRedisClient(REDIS_URL) as Redis;
  if (client.status !== 'ready') await once(client, 'ready');
  return client;
}

async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

async function deleteKeys(client: Redis, pattern: string): Promise<void> {
  const keys = await scanKeys(client, pattern);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
}

/** A fresh store with its own prefix, and a separate admin client to inspect and clean its keys. */
async function freshStore(): Promise<{
  store: RedisStore;
  admin: Redis;
  prefix: string;
  cleanup(): Promise<void>;
}> {
  const prefix = `${RUN_PREFIX}:${++storeCount}`;
  const admin = await connect();
  const store = new RedisStore(await connect(), { keyPrefix: prefix });
  return {
    store,
    admin,
    prefix,
    cleanup: async () => {
      await deleteKeys(admin, `${prefix}:*`);
      await store.close();
      await admin.quit();
    },
  };
}

afterAll(async () => {
  // Each test cleans up its own prefix; this catches whatever a failed test left behind.
  const admin = await connect();
  try {
    await deleteKeys(admin, `${RUN_PREFIX}:*`);
    expect(await scanKeys(admin, `${RUN_PREFIX}:*`)).toEqual([]);
  } finally {
    await admin.quit();
  }
});

describeStateStore('RedisStore', async () => {
  const { store, cleanup } = await freshStore();
  return { store, cleanup };
});

describe('RedisStore on Redis', () => {
  let subject: Awaited<ReturnType<typeof freshStore>>;

  beforeEach(async () => {
    subject = await freshStore();
  });

  afterEach(async () => {
    await subject.cleanup();
  });

  const midnight = () => Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
  const historyKeys = () => scanKeys(subject.admin, `${subject.prefix}:*:hist:*`);

  it('says what it is', () => {
    expect(subject.store.kind).toBe('redis');
  });

  it('gives history chunk keys a TTL that ends one retention after the chunk’s day', async () => {
    const day = midnight();
    await subject.store.appendSample('sig', SPEC, day + 5 * MINUTE, 1);
    await subject.store.writeSamples('sig', SPEC, { startMs: day + DAY, stepMs: MINUTE, values: [1, 2, 3] });
    const keys = await historyKeys();
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const ttl = await subject.admin.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2 * DAY + SPEC.retentionMs);
    }
    const [firstDay] = keys.sort();
    const expiresAt = Date.now() + (await subject.admin.pttl(firstDay!));
    expect(Math.abs(expiresAt - (day + DAY + SPEC.retentionMs))).toBeLessThan(5_000);
  });

  it('keeps one key per signal and day, not one per point', async () => {
    const day = midnight();
    // A full day sampled point by point, as the request path does.
    const appends: Array<Promise<void>> = [];
    for (let i = 0; i < 1440; i += 3)
      appends.push(subject.store.appendSample('sig', SPEC, day + i * MINUTE, i));
    await Promise.all(appends);
    expect(await historyKeys()).toHaveLength(1);
    // Three more days from a backfill: one key each.
    const values = Array.from({ length: 3 * 1440 }, (_, i) => i);
    await subject.store.writeSamples('sig', SPEC, { startMs: day + DAY, stepMs: MINUTE, values });
    expect(await historyKeys()).toHaveLength(4);
    // Four bytes a sample: a full day at one minute is 5760 bytes.
    const full = (await historyKeys()).sort()[1]!;
    expect(await subject.admin.strlen(full)).toBe(1440 * 4);
    // Another signal gets its own keys.
    await subject.store.appendSample('other', SPEC, day, 1);
    expect(await historyKeys()).toHaveLength(5);
  });

  it('grows a chunk only as far as its last written slot', async () => {
    await subject.store.appendSample('sig', SPEC, midnight() + 10 * MINUTE, 1);
    const [key] = await historyKeys();
    expect(await subject.admin.strlen(key!)).toBe(11 * 4);
  });

  it('puts every key of a signal under one hash tag, so a Redis Cluster keeps them in one slot', async () => {
    const signal = 'a1b2c3d4e5f60718';
    await subject.store.setLastReading(signal, { value: 1, atMs: Date.now() });
    await subject.store.appendSample(signal, SPEC, midnight(), 1);
    await subject.store.appendSample(signal, SPEC, midnight() + DAY, 1);
    await subject.store.appendSample(signal, { stepMs: 5 * MINUTE, retentionMs: DAY }, Date.now(), 1);
    await subject.store.saveModel(signal, { m: 1 }, { keepPrevious: true, nowMs: Date.now() });
    await subject.store.tryLock(signal, 10_000);
    await subject.store.appendSample('another-signal', SPEC, midnight(), 1);

    const keys = await scanKeys(subject.admin, `${subject.prefix}:*`);
    const mine = keys.filter((key) => key.includes(signal));
    expect(mine).toHaveLength(6);
    for (const key of keys) {
      // Redis hashes only the part between the first "{" and the next "}".
      const tag = /\{([^}]+)\}/.exec(key)?.[1];
      expect(tag).toBe(key.includes(signal) ? signal : 'another-signal');
      expect(key.startsWith(`${subject.prefix}:${KEY_VERSION}:{`)).toBe(true);
    }
  });

  it('gives every key it writes an expiry', async () => {
    await subject.store.setLastReading('sig', { value: 1, atMs: Date.now() });
    await subject.store.appendSample('sig', SPEC, midnight(), 1);
    await subject.store.saveModel('sig', { m: 1 }, { keepPrevious: true, nowMs: Date.now() });
    await subject.store.tryLock('sig', 10_000);
    const keys = await scanKeys(subject.admin, `${subject.prefix}:*`);
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(await subject.admin.pttl(key)).toBeGreaterThan(0);
  });

  it('keeps the models a release without version history saved: they are listed, rolled back to and pinned', async () => {
    const key = storeKeys(subject.prefix).models('old-sig');
    const record = (version: number) =>
      `{"version":${version},"savedAtMs":${version * 10},"model":{"m":${version}}}`;
    await subject.admin.hset(key, {
      version: '2',
      current: record(2),
      currentVersion: '2',
      previous: record(1),
      previousVersion: '1',
    });

    const history = await subject.store.modelHistory('old-sig');
    expect(history).toMatchObject({ currentVersion: 2, previousVersion: 1, pinnedVersion: undefined });
    expect(history.versions.map((kept) => [kept.version, kept.model, kept.promotedBy])).toEqual([
      [2, { m: 2 }, undefined],
      [1, { m: 1 }, undefined],
    ]);

    expect(await subject.store.rollbackModel('old-sig', { nowMs: 100 })).toMatchObject({ version: 1 });
    const saved = await subject.store.saveModel('old-sig', { m: 3 }, { keepPrevious: true, nowMs: 200 });
    expect(saved.version).toBe(3);
    expect(await subject.store.pinModel('old-sig', { version: 2, nowMs: 300 })).toMatchObject({
      model: { m: 2 },
    });
    const after = await subject.store.modelHistory('old-sig');
    expect(after).toMatchObject({ currentVersion: 2, previousVersion: 3, pinnedVersion: 2 });
    expect(after.versions.map((kept) => kept.version)).toEqual([3, 2, 1]);
    expect((await subject.store.getModels('old-sig')).current?.model).toEqual({ m: 2 });
  });

  it('shares state between replicas: what one writes, another reads; a lock one holds, another cannot take', async () => {
    const other = new RedisStore(await connect(), { keyPrefix: subject.prefix });
    try {
      await subject.store.setLastReading('trigger', { value: 7, atMs: 1 });
      expect(await other.getLastReading('trigger')).toEqual({ value: 7, atMs: 1 });

      await subject.store.appendSample('sig', SPEC, midnight(), 1);
      await other.appendSample('sig', SPEC, midnight(), 2);
      expect((await subject.store.readHistory('sig', SPEC, midnight(), midnight() + MINUTE)).values).toEqual([
        2,
      ]);

      const saved = await subject.store.saveModel('sig', { m: 1 }, { keepPrevious: true, nowMs: 5 });
      expect((await other.getModels('sig')).current).toEqual(saved);
      expect((await other.saveModel('sig', { m: 2 }, { keepPrevious: true, nowMs: 6 })).version).toBe(2);

      const token = await subject.store.tryLock('train:sig', 10_000);
      expect(await other.tryLock('train:sig', 10_000)).toBeUndefined();
      expect(await other.releaseLock('train:sig', 'guess')).toBe(false);
      expect(await subject.store.releaseLock('train:sig', token!)).toBe(true);
      expect(await other.tryLock('train:sig', 10_000)).toEqual(expect.any(String));
    } finally {
      await other.close();
    }
  });

  it('does not see data written under another prefix', async () => {
    const neighbour = await freshStore();
    try {
      await neighbour.store.setLastReading('trigger', { value: 1, atMs: 1 });
      await neighbour.store.saveModel('sig', { m: 1 }, { keepPrevious: true, nowMs: 1 });
      await neighbour.store.tryLock('train:sig', 10_000);
      expect(await subject.store.getLastReading('trigger')).toBeUndefined();
      expect(await subject.store.getModels('sig')).toEqual({ current: undefined, previous: undefined });
      expect(await subject.store.tryLock('train:sig', 10_000)).toEqual(expect.any(String));
    } finally {
      await neighbour.cleanup();
    }
  });

  it('reads a long range with one round trip per call, not one per day', async () => {
    const day = midnight() - 10 * DAY;
    const values = Array.from({ length: 14 * 1440 }, (_, i) => i % 1000);
    await subject.store.writeSamples('sig', SPEC, { startMs: day, stepMs: MINUTE, values });
    const started = performance.now();
    const series = await subject.store.readHistory('sig', SPEC, day, day + values.length * MINUTE);
    expect(performance.now() - started).toBeLessThan(500);
    expect(series.values).toEqual(values);
  });
});
