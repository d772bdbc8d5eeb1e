import Redis, { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { MetadataError } from '../errors';
import { redactSecrets } from '../util/redact';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import type { StateStore } from './state-store';

/**
 * `REDIS_URL` forms: `redis://` / `rediss://` for one server, `redis+sentinel://[user:pass@]h1:26379,h2:26379/master`
 * for Sentinel, `redis+cluster://[user:pass@]h1:6379,h2:6379` for Cluster. Unset: the in-process store.
 */
export function createStore(
  redisUrl: string | undefined,
  options: { keyPrefix: string; logger: Logger; modelHistoryVersions?: number },
): StateStore {
  if (redisUrl === undefined) return new MemoryStore(Date.now, options.modelHistoryVersions);
  const client = createRedisClient(redisUrl);
  client.on('error', (error: Error) =>
    options.logger.warn({ err: describeRedisError(error) }, 'redis connection error'),
  );
  return new RedisStore(client, {
    keyPrefix: options.keyPrefix,
    modelHistoryVersions: options.modelHistoryVersions,
  });
}

/**
 * What of a client error is safe to log. ioredis attaches the failing command to its errors, arguments
 * included: for the AUTH it sends on connecting, that is the password from REDIS_URL.
 */
function describeRedisError(error: Error): Record<string, unknown> {
  const { code, command } = error as Error & { code?: unknown; command?: { name?: unknown } };
  return {
    type: error.name,
    message: redactSecrets(error.message),
    ...(typeof code === 'string' && { code }),
    ...(typeof command?.name === 'string' && { command: command.name }),
  };
}

// Commands fail fast while Redis is away instead of queueing: the request path never waits on the store.
// Auto-pipelining sends the commands of one event-loop turn in one write: under load, the per-read
// last-reading SETs of many calls then cost one syscall rather than one each.
const COMMON = {
  enableOfflineQueue: false,
  enableAutoPipelining: true,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  lazyConnect: false,
} as const;

export function createRedisClient(redisUrl: string): Redis | Cluster {
  const url = parseRedisUrl(redisUrl);
  if (url === undefined) {
    throw new MetadataError(
      'REDIS_URL',
      redactSecrets(redisUrl),
      'redis://, rediss://, redis+sentinel:// or redis+cluster:// URL',
    );
  }
  const { username, password } = url;
  const tls = url.protocol.startsWith('rediss') || url.searchParams.get('tls') === 'true' ? {} : undefined;
  const hosts = () => url.hosts;
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
          redactSecrets(redisUrl),
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
          enableAutoPipelining: true,
          redisOptions: { ...COMMON, username, password, ...(tls ? { tls } : {}) },
        },
      );
    default:
      throw new MetadataError(
        'REDIS_URL',
        redactSecrets(redisUrl),
        'redis://, rediss://, redis+sentinel:// or redis+cluster:// URL',
      );
  }
}

interface RedisUrlParts {
  protocol: string;
  username: string | undefined;
  password: string | undefined;
  hosts: Array<{ host: string; port: number | undefined }>;
  pathname: string;
  searchParams: URLSearchParams;
}

/**
 * Reads `scheme://[user:pass@]host[:port][,host[:port]…][/path][?query]`. WHATWG `URL` cannot: a host
 * list with ports (`h1:26379,h2:26379`) is not a valid authority, so Sentinel and Cluster URLs naming more
 * than one server would be refused.
 */
function parseRedisUrl(redisUrl: string): RedisUrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:)\/\/(?:([^/?#]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(
    redisUrl.trim(),
  );
  if (!match) return undefined;
  const [, protocol = '', userInfo, hostList = '', pathname = '', query = ''] = match;
  const decode = (text: string | undefined): string | undefined => {
    if (text === undefined || text === '') return undefined;
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const colon = userInfo === undefined ? -1 : userInfo.indexOf(':');
  const hosts: RedisUrlParts['hosts'] = [];
  for (const entry of hostList.split(',')) {
    // `[::1]:6379` for IPv6, `host:port` or a bare host otherwise.
    const parts = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(entry.trim());
    if (!parts) return undefined;
    const host = (parts[1] ?? '').replace(/^\[|\]$/g, '');
    hosts.push({ host: host === '' ? '127.0.0.1' : host, port: Number(parts[2] || 0) || undefined });
  }
  return {
    protocol: protocol.toLowerCase(),
    username: decode(colon < 0 ? userInfo : userInfo?.slice(0, colon)),
    password: decode(colon < 0 ? undefined : userInfo?.slice(colon + 1)),
    hosts,
    pathname,
    searchParams: new URLSearchParams(query),
  };
}
