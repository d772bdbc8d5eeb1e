import Redis, { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { MetadataError } from '../errors';
import { redactUrlText } from '../config/parse';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import type { StateStore } from './state-store';

/**
 * `REDIS_URL` forms: `redis://` / `rediss://` for one server, `redis+sentinel://[user:pass@]h1:26379,h2:26379/master`
 * for Sentinel, `redis+cluster://[user:pass@]h1:6379,h2:6379` for Cluster. Unset: the in-process store.
 */
export function createStore(
  redisUrl: string | undefined,
  options: { keyPrefix: string; logger: Logger },
): StateStore {
  if (redisUrl === undefined) return new MemoryStore();
  const client = createRedisClient(redisUrl);
  client.on('error', (error: Error) => options.logger.warn({ err: error }, 'redis connection error'));
  return new RedisStore(client, { keyPrefix: options.keyPrefix });
}

// Commands fail fast while Redis is away instead of queueing: the request path never waits on the store.
const COMMON = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  lazyConnect: false,
} as const;

export function createRedisClient(redisUrl: string): Redis | Cluster {
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    throw new MetadataError(
      'REDIS_URL',
      redactUrlText(redisUrl),
      'redis://, rediss://, redis+sentinel:// or redis+cluster:// URL',
    );
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const tls = url.protocol.startsWith('rediss') || url.searchParams.get('tls') === 'true' ? {} : undefined;
  const hosts = () =>
    url.host.split(',').map((entry) => {
      const [host, port] = entry.split(':');
      return { host: host ?? '127.0.0.1', port: Number(port || 0) || undefined };
    });
  switch (url.protocol) {
    case 'redis:':
    case 'rediss:':
      return new Redis(redisUrl, { ...COMMON, ...(tls ? { tls } : {}) });
    case 'redis+sentinel:':
    case 'rediss+sentinel:': {
      const name = url.pathname.replace(/^\//, '').split('/')[0];
      if (!name)
        throw new MetadataError(
          'REDIS_URL',
          redactUrlText(redisUrl),
          'a sentinel URL ending in /<master name>',
        );
      return new Redis({
        ...COMMON,
        sentinels: hosts().map((h) => ({ host: h.host, port: h.port ?? 26379 })),
        name,
        username,
        password,
        sentinelPassword: url.searchParams.get('sentinelPassword') ?? password,
        ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
      });
    }
    case 'redis+cluster:':
    case 'rediss+cluster:':
      return new Cluster(
        hosts().map((h) => ({ host: h.host, port: h.port ?? 6379 })),
        {
          enableOfflineQueue: false,
          redisOptions: { ...COMMON, username, password, ...(tls ? { tls } : {}) },
        },
      );
    default:
      throw new MetadataError(
        'REDIS_URL',
        redactUrlText(redisUrl),
        'redis://, rediss://, redis+sentinel:// or redis+cluster:// URL',
      );
  }
}
