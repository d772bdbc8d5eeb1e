import type { MetadataReader, TargetKeys } from '../config/trigger-config';
import { parseBoolean, parseKeyValueList, parseUrl, redactUrlText } from '../config/parse';

/** How a source that queries Prometheus over HTTP reaches it (prometheus, gpu). */
export interface HttpQueryOptions {
  serverAddress: string;
  serverAddressRedacted: string;
  /** @default none */
  customHeaders: Array<[string, string]>;
  /** @default none */
  queryParameters: Array<[string, string]>;
  /** @default false */
  unsafeSsl: boolean;
}

/** The keys `parseHttpOptions` reads. */
/** Prometheus-style sources take KEDA's `threshold` and `activationThreshold`. */
export const THRESHOLD_KEYS: TargetKeys = {
  target: 'threshold',
  activation: 'activationThreshold',
  unit: 'value per replica',
};

export const HTTP_QUERY_KEYS = ['serverAddress', 'customHeaders', 'queryParameters', 'unsafeSsl'] as const;

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export function parseHttpOptions(read: MetadataReader): HttpQueryOptions {
  const raw = read.require('serverAddress', 'the http(s):// address of the Prometheus server');
  const url = parseUrl('serverAddress', raw, ['http:', 'https:']);
  const serverAddress = raw.trim().replace(/\/+$/, '');
  const headers = read.get('customHeaders');
  const params = read.get('queryParameters');
  const unsafe = read.get('unsafeSsl');
  return {
    serverAddress,
    // From the parsed URL: `http:/user:pass@host` is accepted by URL parsing but has no `//` to redact after.
    serverAddressRedacted: redactUrlText(url.href).replace(/\/+$/, ''),
    customHeaders:
      headers === undefined ? [] : parseKeyValueList('customHeaders', headers, { httpHeaderValues: true }),
    queryParameters: params === undefined ? [] : parseKeyValueList('queryParameters', params),
    unsafeSsl: unsafe === undefined ? false : parseBoolean('unsafeSsl', unsafe),
  };
}

/**
 * Headers that select other data (a tenant's `X-Scope-OrgID`) are part of a signal's identity; credentials
 * are not, so rotating a token keeps the learned history. Empty when there are none, so identities without
 * such headers stay what they were.
 */
export function dataHeaders(http: HttpQueryOptions): unknown[] {
  const headers = http.customHeaders
    .filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase()))
    .map(([name, value]) => [name.toLowerCase(), value]);
  return headers.length > 0 ? [headers] : [];
}
