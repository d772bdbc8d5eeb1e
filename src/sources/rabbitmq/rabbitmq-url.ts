/**
 * Turns a trigger's `host` (and `vhostName`) into what the AMQP client and the management API client
 * need, the way KEDA's rabbitmq scaler reads the same keys. Pure functions: no I/O, no logging.
 */
import { redactSecrets } from '../../util/redact';

/** Everything needed to open one AMQP connection. Holds credentials: log `display`, never the rest. */
export interface AmqpTarget {
  protocol: 'amqp' | 'amqps';
  hostname: string;
  port: number;
  username: string;
  password: string;
  /** Decoded virtual host name, `/` by default. */
  vhost: string;
  /** From the URL's `heartbeat` query parameter, in seconds. */
  heartbeatSeconds: number | undefined;
  /** From the URL's `frameMax` query parameter, in bytes. */
  frameMax: number | undefined;
  /** `amqps` only: accept any server certificate. */
  unsafeSsl: boolean;
  /** Pool key: one connection per distinct key. Contains the credentials, so it never leaves the pool. */
  key: string;
  /** Safe to log and to put in error messages: scheme, host, port and vhost, no credentials. */
  display: string;
}

/** Where the management API answers for one queue. `url` carries the credentials for basic auth. */
export interface ManagementQueueEndpoint {
  url: URL;
  vhost: string;
  queueName: string;
  /** Safe to log: the API base without credentials. */
  display: string;
}

/**
 * Reads an `amqp(s)://user:pass@host:port/vhost?heartbeat=30` URL. The path is the vhost, percent-encoded
 * (`%2F` is `/`); no path or an empty one means `/`, as amqplib and KEDA read it. `vhostName` wins over the
 * path, as KEDA's `vhostName` does.
 */
export function resolveAmqpTarget(
  host: string,
  vhostName: string | undefined,
  unsafeSsl = false,
): AmqpTarget {
  const url = parseAbsolute(host);
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    throw new Error(`expected an amqp:// or amqps:// URL, got ${url.protocol}//`);
  }
  const protocol = url.protocol === 'amqps:' ? 'amqps' : 'amqp';
  // Non-special URL schemes keep the brackets of an IPv6 literal; net.connect wants it bare.
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (protocol === 'amqps' ? 5671 : 5672) : Number(url.port);
  const hasCredentials = url.username !== '' || url.password !== '';
  const username = hasCredentials ? safeDecode(url.username) : 'guest';
  const password = hasCredentials ? safeDecode(url.password) : 'guest';
  const pathVhost = url.pathname.length > 1 ? safeDecode(url.pathname.slice(1)) : '';
  const vhost = nonEmpty(vhostName) ?? (pathVhost === '' ? '/' : pathVhost);
  const heartbeatSeconds = optionalInteger(url.searchParams.get('heartbeat'));
  const frameMax = optionalInteger(url.searchParams.get('frameMax'));
  const key = JSON.stringify([
    protocol,
    hostname,
    port,
    username,
    password,
    vhost,
    heartbeatSeconds,
    frameMax,
    unsafeSsl,
  ]);
  const display = `${protocol}://${formatHost(hostname)}:${port}/${encodeURIComponent(vhost)}`;
  return {
    protocol,
    hostname,
    port,
    username,
    password,
    vhost,
    heartbeatSeconds,
    frameMax,
    unsafeSsl,
    key,
    display,
  };
}

/** Where the management API lists the queues whose names match a regex, one page of them. */
export interface ManagementQueuesEndpoint {
  url: URL;
  vhost: string;
  /** The regex, as the management API receives it. */
  pattern: string;
  pageSize: number;
  /** Safe to log: the API base without credentials. */
  display: string;
}

/**
 * Only the fields the source reads: the full queue object is several KB and costs the broker more to
 * render. The list endpoint takes the same selection for each of its items.
 */
const QUEUE_COLUMNS =
  'messages,messages_ready,message_stats.publish_details.rate,message_stats.deliver_get_details.rate';

/**
 * Reads an `http(s)://user:pass@host:port[/prefix]/vhost` management URL as KEDA does: the last path
 * segment is the vhost (empty means `/`), anything before it is a path prefix (the API behind a reverse
 * proxy). `vhostName` wins over the path.
 */
export function resolveManagementQueueEndpoint(
  host: string,
  vhostName: string | undefined,
  queueName: string,
): ManagementQueueEndpoint {
  const { api, prefix, vhost, display } = managementBase(host, vhostName);
  api.pathname = `${prefix}/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queueName)}`;
  api.search = `?columns=${QUEUE_COLUMNS}`;
  return { url: api, vhost, queueName, display };
}

/**
 * The list of queues in the vhost whose names match `pattern`, as KEDA's `useRegex` asks for it: the
 * first page of `pageSize` queues; the answer's `page_count` says whether more matched.
 */
export function resolveManagementQueuesEndpoint(
  host: string,
  vhostName: string | undefined,
  pattern: string,
  pageSize: number,
): ManagementQueuesEndpoint {
  const { api, prefix, vhost, display } = managementBase(host, vhostName);
  api.pathname = `${prefix}/api/queues/${encodeURIComponent(vhost)}`;
  const query = new URLSearchParams({
    page: '1',
    page_size: String(pageSize),
    name: pattern,
    use_regex: 'true',
    columns: QUEUE_COLUMNS,
  });
  api.search = `?${query.toString()}`;
  return { url: api, vhost, pattern, pageSize, display };
}

function managementBase(
  host: string,
  vhostName: string | undefined,
): { api: URL; prefix: string; vhost: string; display: string } {
  const url = parseAbsolute(host);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`expected an http:// or https:// URL, got ${url.protocol}//`);
  }
  // Split the still-encoded path so a vhost written as `%2F` is one segment, not two.
  const segments = url.pathname.split('/').slice(1);
  const last = segments.pop() ?? '';
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  const pathVhost = safeDecode(last);
  const vhost = nonEmpty(vhostName) ?? (pathVhost === '' ? '/' : pathVhost);
  const api = new URL(url.href);
  api.hash = '';
  return { api, prefix, vhost, display: `${url.origin}${prefix}` };
}

function parseAbsolute(raw: string): URL {
  try {
    return new URL(raw.trim());
  } catch {
    // The URL may hold a password: never echo it.
    throw new Error(`not a valid URL: ${redactSecrets(raw.trim()).slice(0, 200)}`);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function optionalInteger(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}
