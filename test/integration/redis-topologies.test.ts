import { randomUUID } from 'node:crypto';
import Redis, { Cluster } from 'ioredis';
import pino from 'pino';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';
import { modelKey } from '../../src/forecast/lifecycle/model-key';
import { createRedisClient, createStore } from '../../src/store/create-store';
import { storeKeys } from '../../src/store/keys';
import type { StateStore } from '../../src/store/state-store';
import { describeStateStore } from '../../src/store/state-store.conformance';
import { freePort, waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import {
  startOwnCluster,
  startOwnSentinel,
  type OwnCluster,
  type OwnSentinel,
} from '../support/redis-server';
import { kedaRef, startTestScaler } from '../support/scaler';

/**
 * The `redis+sentinel://` and `redis+cluster://` forms of REDIS_URL against real servers of the test's
 * own: one master watched by one Sentinel, and a cluster of three masters. The store passes the same
 * conformance suite as on a single Redis (history, models, locks), keys that are read or written together
 * share a hash slot, and a scaler pointed at either URL answers KEDA and keeps its state there.
 */

const MINUTE = 60_000;
const logger = pino({ level: 'silent' });

/** Polls the store until it answers: with no offline queue, commands fail until the client is connected. */
async function ready(store: StateStore): Promise<void> {
  await waitFor('the store to answer', async () => {
    await store.ping();
    return true;
  });
}

async function deleteEverywhere(client: Redis | Cluster, pattern: string): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (const key of keys) await node.del(key);
      cursor = next;
    } while (cursor !== '0');
  }
}

describe('Redis Sentinel (redis+sentinel://)', () => {
  let sentinel: OwnSentinel;
  beforeAll(async () => {
    sentinel = await startOwnSentinel();
  }, 60_000);
  afterAll(async () => {
    await sentinel?.destroy();
  });

  describeStateStore('RedisStore through Sentinel', async () => {
    const prefix = `kps-test-sentinel-${randomUUID()}`;
    const store = createStore(sentinel.url, { keyPrefix: prefix, logger });
    await ready(store);
    return {
      store,
      cleanup: async () => {
        const admin = new Redis(sentinel.master.port, '127.0.0.1');
        await deleteEverywhere(admin, `${prefix}:*`);
        admin.disconnect();
        await store.close();
      },
    };
  });

  it('finds the master through the Sentinel', async () => {
    const client = createRedisClient(sentinel.url) as Redis;
    try {
      await waitFor('the client to be ready', async () => (client.status === 'ready' ? true : undefined));
      const role = (await client.call('ROLE')) as unknown[];
      expect(role[0]).toBe('master');
      expect(await client.info('server')).toContain(`tcp_port:${sentinel.master.port}`);
    } finally {
      client.disconnect();
    }
  });

  it('takes a list of Sentinels and skips one that does not answer', async () => {
    const closed = await freePort();
    const url = `redis+sentinel://127.0.0.1:${closed},127.0.0.1:${sentinel.sentinel.port}/${sentinel.masterName}`;
    const store = createStore(url, { keyPrefix: `kps-test-sentinels-${randomUUID()}`, logger });
    try {
      await ready(store);
      await store.setLastReading('t', { value: 4, atMs: 1 });
      expect(await store.getLastReading('t')).toEqual({ value: 4, atMs: 1 });
    } finally {
      const admin = new Redis(sentinel.master.port, '127.0.0.1');
      await deleteEverywhere(admin, 'kps-test-sentinels-*');
      admin.disconnect();
      await store.close();
    }
  });

  it('serves a scaler that keeps its last readings on the master', async () => {
    await endToEnd(sentinel.url, () => new Redis(sentinel.master.port, '127.0.0.1'));
  }, 60_000);
});

describe('Redis Cluster (redis+cluster://)', () => {
  let cluster: OwnCluster;
  beforeAll(async () => {
    cluster = await startOwnCluster(3);
  }, 90_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  const admin = (): Cluster => new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));

  describeStateStore('RedisStore on a three-master cluster', async () => {
    const prefix = `kps-test-cluster-${randomUUID()}`;
    const store = createStore(cluster.url, { keyPrefix: prefix, logger });
    await ready(store);
    return {
      store,
      cleanup: async () => {
        const client = admin();
        await deleteEverywhere(client, `${prefix}:*`);
        client.disconnect();
        await store.close();
      },
    };
  });

  it('spreads signals over the masters but keeps each signal’s keys in one hash slot', async () => {
    const client = admin();
    try {
      await waitFor('the cluster client', async () => (client.status === 'ready' ? true : undefined));
      const keys = storeKeys('kps');
      const slotOf = async (key: string): Promise<number> => (await client.cluster('KEYSLOT', key)) as number;
      const slots = new Set<number>();
      for (let i = 0; i < 50; i++) {
        const signal = `signal-${i}`;
        // Everything read or written together: the day chunks a history read spans (MGET), those a
        // backfill writes (MULTI), and the model slots (one Lua script over the hash).
        const together = [
          keys.historyChunk(signal, MINUTE, 20_000),
          keys.historyChunk(signal, MINUTE, 20_001),
          keys.historyChunk(signal, 5 * MINUTE, 20_000),
          keys.models(signal),
        ];
        const own = new Set(await Promise.all(together.map(slotOf)));
        expect(own.size).toBe(1);
        slots.add([...own][0]!);
      }
      // Fifty signals do not all land on one master: the cluster carries the load.
      const owners = new Set<string>();
      const shards = (await client.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
      for (const slot of slots) {
        const owner = shards.find(([from, to]) => slot >= from && slot <= to);
        owners.add(String(owner?.[2][1]));
      }
      expect(owners.size).toBe(3);
    } finally {
      client.disconnect();
    }
  });

  it('reads a history spanning several days, and saves a model, through the cluster', async () => {
    const prefix = `kps-test-cluster-${randomUUID()}`;
    const store = createStore(cluster.url, { keyPrefix: prefix, logger });
    try {
      await ready(store);
      const config = parseTriggerMetadata({
        source: 'prometheus',
        serverAddress: 'http://prom:9090',
        query: 'up',
        threshold: '1',
      });
      const spec = { stepMs: MINUTE, retentionMs: 14 * 86_400_000 };
      const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000;
      const values = Array.from({ length: 3 * 1440 }, (_, i) => i % 97);
      await store.writeSamples(config.signalId, spec, { startMs: day, stepMs: MINUTE, values });
      const read = await store.readHistory(config.signalId, spec, day, day + 3 * 1440 * MINUTE);
      expect(read.values).toEqual(values);
      const record = await store.saveModel(
        modelKey(config),
        { method: 'test', weights: [1, 2] },
        {
          keepPrevious: true,
          nowMs: Date.now(),
        },
      );
      expect((await store.getModels(modelKey(config))).current).toEqual(record);
    } finally {
      const client = admin();
      await deleteEverywhere(client, `${prefix}:*`);
      client.disconnect();
      await store.close();
    }
  });

  it('serves a scaler that keeps its last readings in the cluster', async () => {
    await endToEnd(cluster.url, admin);
  }, 60_000);
});

/** A scaler on `redisUrl`: ready, answers KEDA from a real Prometheus, and writes its state to Redis. */
async function endToEnd(redisUrl: string, inspect: () => Redis | Cluster): Promise<void> {
  const prefix = `kps-test-topology-${randomUUID()}`;
  const prometheus: TestPrometheus = await startPrometheus();
  const scaler = await startTestScaler({
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    EVALUATION_TTL: '0s',
  });
  const client = inspect();
  try {
    await waitFor(
      'readyz',
      async () =>
        (await fetch(`http://127.0.0.1:${scaler.httpPort}/readyz`)).status === 200 ? true : undefined,
      { timeoutMs: 20_000 },
    );
    const body = (await (await fetch(`http://127.0.0.1:${scaler.httpPort}/readyz`)).json()) as {
      detail: string;
    };
    expect(body.detail).toBe('store: redis');
    const ref = kedaRef({
      source: 'prometheus',
      serverAddress: prometheus.url,
      query: 'vector(9)',
      threshold: '3',
    });
    expect((await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat).toBe(9);
    expect((await scaler.client.isActive(ref)).result).toBe(true);
    const found = await waitFor('the last reading and a history sample in Redis', async () => {
      const keys: string[] = [];
      const nodes = client instanceof Cluster ? client.nodes('master') : [client];
      for (const node of nodes) keys.push(...(await node.keys(`${prefix}:*`)));
      return keys.some((k) => k.endsWith(':last')) && keys.some((k) => k.includes(':hist:'))
        ? keys
        : undefined;
    });
    expect(found.length).toBeGreaterThanOrEqual(2);
  } finally {
    await scaler.stop();
    await prometheus.stop();
    await deleteEverywhere(client, `${prefix}:*`);
    client.disconnect();
  }
}
