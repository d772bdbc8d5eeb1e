import { isAbsolute } from 'node:path';
import type { MetadataReader, TargetKeys } from '../config/trigger-config';
import { parseBoolean, parseKeyValueList, parseUrl } from '../config/parse';
import { redactSecrets } from '../util/redact';
import { MetadataError } from '../errors';

/** KEDA's `authModes` this scaler supports for Prometheus-style sources. */
export type HttpAuthMode = 'basic' | 'bearer' | 'tls';

/** Files mounted into the scaler pod for TLS to the source. */
export interface SourceTlsFiles {
  /** A private CA to trust besides the system's. @default none */
  caFile: string | undefined;
  /** Client certificate (`authModes: tls`). @default none */
  certFile: string | undefined;
  /** Client private key (`authModes: tls`). @default none */
  keyFile: string | undefined;
}

/** How a source that queries Prometheus over HTTP reaches it (prometheus, gpu). */
export interface HttpQueryOptions {
  /** The address as given; may hold `user:password@`. */
  serverAddress: string;
  serverAddressRedacted: string;
  /** The plain `customHeaders`. @default none */
  customHeaders: Array<[string, string]>;
  /**
   * Headers that carry secrets: `customHeadersFromEnv` and the `Authorization` header `authModes` basic or
   * bearer make. Sent with every request; never part of the identity, logs or errors. @default none
   */
  credentialHeaders: Array<[string, string]>;
  /** @default none */
  queryParameters: Array<[string, string]>;
  /** Sent as the `namespace` query parameter (Thanos Querier, prom-label-proxy tenancy). @default none */
  namespace: string | undefined;
  /** @default none */
  authModes: HttpAuthMode[];
  tls: SourceTlsFiles;
  /** Skip verification of the source's TLS certificate. @default false */
  sourceUnsafeSsl: boolean;
}

/** Prometheus-style sources take KEDA's `threshold` and `activationThreshold`. */
export const THRESHOLD_KEYS: TargetKeys = {
  target: 'threshold',
  activation: 'activationThreshold',
  unit: 'value per replica',
};

/** The keys `parseHttpOptions` reads. */
export const HTTP_QUERY_KEYS = [
  'serverAddress',
  'serverAddressFromEnv',
  'customHeaders',
  'customHeadersFromEnv',
  'queryParameters',
  'namespace',
  'authModes',
  'username',
  'usernameFromEnv',
  'password',
  'passwordFromEnv',
  'bearerToken',
  'bearerTokenFromEnv',
  'sourceCaFile',
  'sourceCertFile',
  'sourceKeyFile',
  'sourceUnsafeSsl',
  'unsafeSsl',
] as const;

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const AUTH_MODES: readonly HttpAuthMode[] = ['basic', 'bearer', 'tls'];
/** KEDA's other modes: named so that the refusal can say what to use instead. */
const UNSUPPORTED_AUTH_MODES: Record<string, string> = {
  custom: 'put the header in customHeadersFromEnv',
  apikey: "KEDA's prometheus scaler does not use it either",
  oauth: "KEDA's prometheus scaler does not use it either",
};
/** What an error shows instead of a secret. */
const HIDDEN = '***';

export function parseHttpOptions(read: MetadataReader): HttpQueryOptions {
  const raw = read.fromEnv('serverAddress');
  if (raw === undefined) {
    throw new MetadataError(
      'serverAddress',
      undefined,
      'the http(s):// address of the Prometheus server (or serverAddressFromEnv)',
    );
  }
  const addressKey = read.get('serverAddress') === undefined ? 'serverAddressFromEnv' : 'serverAddress';
  const url = parseUrl(addressKey, raw, ['http:', 'https:']);
  const serverAddressRedacted = redactSecrets(url.href).replace(/\/+$/, '');
  const authModes = parseAuthModes(read);
  const authHeader = parseAuthHeader(read, authModes);
  const customHeaders = parseHeaders(read, 'customHeaders');
  const envHeaders = parseHeaders(read, 'customHeadersFromEnv');
  checkHeaderConflicts(customHeaders, envHeaders, authModes);
  warnOfPlainCredentials(read, customHeaders);
  if ((url.username !== '' || url.password !== '') && authHeaderMode(authModes) !== undefined) {
    throw new MetadataError(
      addressKey,
      serverAddressRedacted,
      `an address without user:password@ when authModes is ${authHeaderMode(authModes)} (both would set Authorization)`,
    );
  }
  const queryParameters = parseQueryParameters(read);
  return {
    serverAddress: raw.trim().replace(/\/+$/, ''),
    // From the parsed URL: `http:/user:pass@host` is accepted by URL parsing but has no `//` to redact after.
    serverAddressRedacted,
    customHeaders,
    credentialHeaders: [...authHeader, ...envHeaders],
    queryParameters,
    namespace: read.get('namespace')?.trim(),
    authModes,
    tls: parseTlsFiles(read, authModes),
    sourceUnsafeSsl: parseSourceUnsafeSsl(read),
  };
}

/**
 * Headers that select other data (a tenant's `X-Scope-OrgID`) are part of a signal's identity; credentials
 * are not, so rotating a token keeps the learned history. Only plain `customHeaders` count: headers from
 * the environment are secrets. Empty when there are none, so identities without such headers stay what
 * they were.
 */
export function dataHeaders(http: HttpQueryOptions): unknown[] {
  const headers = http.customHeaders
    .filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase()))
    .map(([name, value]) => [name.toLowerCase(), value]);
  return headers.length > 0 ? [headers] : [];
}

/** The settings besides address and query that select data: empty when unset, so old identities hold. */
export function dataSelectors(http: HttpQueryOptions): unknown[] {
  return http.namespace === undefined ? [] : [{ namespace: http.namespace }];
}

function parseHeaders(
  read: MetadataReader,
  key: 'customHeaders' | 'customHeadersFromEnv',
): Array<[string, string]> {
  const raw = read.get(key);
  return raw === undefined ? [] : parseKeyValueList(key, raw, { httpHeaderValues: true });
}

function parseAuthModes(read: MetadataReader): HttpAuthMode[] {
  const raw = read.get('authModes');
  if (raw === undefined) return [];
  const expected = `a comma-separated list of ${AUTH_MODES.join(', ')} (basic and bearer exclude each other)`;
  const modes: HttpAuthMode[] = [];
  for (const item of raw.split(',')) {
    const name = item.trim().toLowerCase();
    if (name === '') continue;
    const mode = AUTH_MODES.find((known) => known === name);
    if (mode === undefined) {
      const instead = UNSUPPORTED_AUTH_MODES[name];
      throw new MetadataError(
        'authModes',
        raw,
        instead === undefined ? expected : `${expected}; ${item.trim()} is not supported: ${instead}`,
      );
    }
    if (!modes.includes(mode)) modes.push(mode);
  }
  if (modes.includes('basic') && modes.includes('bearer'))
    throw new MetadataError('authModes', raw, expected);
  return modes;
}

/** `basic` or `bearer` when one of them is on: the mode that sets `Authorization`. */
function authHeaderMode(modes: readonly HttpAuthMode[]): 'basic' | 'bearer' | undefined {
  return modes.find((mode): mode is 'basic' | 'bearer' => mode === 'basic' || mode === 'bearer');
}

/**
 * A secret written into the ScaledObject can be read by everyone who can read the ScaledObject, and KEDA
 * forwards no TriggerAuthentication to an external scaler: secrets come only through `…FromEnv`.
 */
function refusePlainSecret(read: MetadataReader, key: 'password' | 'bearerToken'): void {
  if (read.get(key) === undefined) return;
  throw new MetadataError(
    key,
    HIDDEN,
    `no secret in trigger metadata (whoever can read the ScaledObject can read it): put it in an environment variable of the workload's container and name that variable in ${key}FromEnv`,
  );
}

/** The `Authorization` header of basic or bearer, if one of them is on. */
function parseAuthHeader(read: MetadataReader, modes: readonly HttpAuthMode[]): Array<[string, string]> {
  refusePlainSecret(read, 'password');
  refusePlainSecret(read, 'bearerToken');
  const username = read.fromEnv('username');
  const password = read.get('passwordFromEnv');
  const token = read.get('bearerTokenFromEnv');
  const headers: Array<[string, string]> = [];
  if (modes.includes('basic')) {
    if (username === undefined) {
      throw new MetadataError('username', undefined, 'a user name for authModes basic (or usernameFromEnv)');
    }
    // KEDA accepts an empty password; here an empty one is most likely a variable that did not resolve.
    if (password === undefined) {
      throw new MetadataError('passwordFromEnv', undefined, 'the password for authModes basic');
    }
    headers.push(['Authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`]);
  } else {
    const key = read.get('username') !== undefined ? 'username' : 'usernameFromEnv';
    if (username !== undefined) throw withoutMode(key, username, 'basic');
    if (password !== undefined) throw withoutMode('passwordFromEnv', HIDDEN, 'basic');
  }
  if (modes.includes('bearer')) {
    if (token === undefined) {
      throw new MetadataError('bearerTokenFromEnv', undefined, 'the bearer token for authModes bearer');
    }
    headers.push(['Authorization', `Bearer ${token}`]);
  } else if (token !== undefined) {
    throw withoutMode('bearerTokenFromEnv', HIDDEN, 'bearer');
  }
  return headers;
}

/** As in KEDA, credentials take effect only with their mode; silently unused ones would hide a typo. */
function withoutMode(key: string, shown: string, mode: HttpAuthMode): MetadataError {
  return new MetadataError(key, shown, `to be used with authModes ${mode}, which is not set`);
}

/**
 * A header in both lists would be sent once with one of the values, and which one would be a guess: it is
 * refused. `Authorization` next to `authModes` basic or bearer likewise (KEDA lets the mode win silently).
 */
function checkHeaderConflicts(
  plain: Array<[string, string]>,
  fromEnv: Array<[string, string]>,
  modes: readonly HttpAuthMode[],
): void {
  const plainNames = new Set(plain.map(([name]) => name.toLowerCase()));
  const mode = authHeaderMode(modes);
  for (const [name] of fromEnv) {
    if (plainNames.has(name.toLowerCase())) {
      throw new MetadataError(
        'customHeadersFromEnv',
        `${name}=${HIDDEN}`,
        `headers not also named in customHeaders (${name} is in both)`,
      );
    }
  }
  if (mode === undefined) return;
  for (const [key, headers] of [
    ['customHeaders', plain],
    ['customHeadersFromEnv', fromEnv],
  ] as const) {
    if (headers.some(([name]) => name.toLowerCase() === 'authorization')) {
      throw new MetadataError(
        key,
        `Authorization=${HIDDEN}`,
        `no Authorization header when authModes is ${mode} (it sets that header)`,
      );
    }
  }
}

/** Still accepted, as KEDA accepts it, but the same exposure for which `password` is refused. */
function warnOfPlainCredentials(read: MetadataReader, headers: Array<[string, string]>): void {
  const names = headers.map(([name]) => name).filter((name) => CREDENTIAL_HEADERS.has(name.toLowerCase()));
  if (names.length === 0) return;
  read.warn(
    'customHeaders',
    `${names.join(', ')} is a secret that whoever can read the ScaledObject can read: move it to customHeadersFromEnv`,
  );
}

/** KEDA sends `namespace` as a query parameter; a second one in `queryParameters` would contradict it. */
function parseQueryParameters(read: MetadataReader): Array<[string, string]> {
  const raw = read.get('queryParameters');
  if (raw === undefined) return [];
  const params = parseKeyValueList('queryParameters', raw);
  if (read.get('namespace') !== undefined && params.some(([name]) => name === 'namespace')) {
    throw new MetadataError('queryParameters', raw, 'no namespace parameter when the namespace key is set');
  }
  return params;
}

function parseTlsFiles(read: MetadataReader, modes: readonly HttpAuthMode[]): SourceTlsFiles {
  const file = (key: string): string | undefined => {
    const raw = read.get(key);
    if (raw === undefined) return undefined;
    if (!isAbsolute(raw.trim())) {
      throw new MetadataError(key, raw, 'the absolute path of a PEM file mounted into the scaler pod');
    }
    return raw.trim();
  };
  const tls: SourceTlsFiles = {
    caFile: file('sourceCaFile'),
    certFile: file('sourceCertFile'),
    keyFile: file('sourceKeyFile'),
  };
  if (modes.includes('tls')) {
    for (const [key, value] of [
      ['sourceCertFile', tls.certFile],
      ['sourceKeyFile', tls.keyFile],
    ] as const) {
      if (value === undefined) {
        throw new MetadataError(
          key,
          undefined,
          'the path of a PEM file mounted into the scaler pod for authModes tls',
        );
      }
    }
  } else {
    if (tls.certFile !== undefined) throw withoutMode('sourceCertFile', tls.certFile, 'tls');
    if (tls.keyFile !== undefined) throw withoutMode('sourceKeyFile', tls.keyFile, 'tls');
  }
  return tls;
}

/**
 * `unsafeSsl` is KEDA's own key: it turns off KEDA's verification of this scaler's certificate, and it once
 * turned off ours of the source's too. A trigger that still relies on that is told, not silently changed.
 */
function parseSourceUnsafeSsl(read: MetadataReader): boolean {
  const own = read.get('sourceUnsafeSsl');
  if (own !== undefined) return parseBoolean('sourceUnsafeSsl', own);
  if (read.get('unsafeSsl')?.trim().toLowerCase() === 'true') {
    read.warn(
      'unsafeSsl',
      "KEDA's key for its TLS to this scaler: it no longer skips verification of the source's certificate; use sourceUnsafeSsl for that",
    );
  }
  return false;
}
