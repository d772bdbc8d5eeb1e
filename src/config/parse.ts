import { MetadataError } from '../errors';
import { formatDuration } from '../util/duration';
import { redactSecrets } from '../util/redact';

/** Field-level parsers shared by trigger metadata and environment settings. Each names the key it reads. */

const DURATION_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * Go-style durations (`30s`, `1h30m`, `14d`). A bare integer is read as milliseconds, as KEDA's own
 * scalers read `timeout`, so triggers move over unchanged.
 */
export function parseDuration(key: string, raw: string, bounds: { minMs: number; maxMs: number }): number {
  const text = raw.trim();
  const expected = `a duration such as 30s, 15m, 2h or 14d between ${formatDuration(bounds.minMs)} and ${formatDuration(bounds.maxMs)}`;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text);
  } else {
    ms = 0;
    DURATION_PART.lastIndex = 0;
    let consumed = 0;
    let match: RegExpExecArray | null;
    while ((match = DURATION_PART.exec(text)) !== null) {
      ms += Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
      consumed = DURATION_PART.lastIndex;
    }
    if (text.length === 0 || consumed !== text.length) throw new MetadataError(key, raw, expected);
  }
  if (!Number.isFinite(ms) || ms < bounds.minMs || ms > bounds.maxMs) {
    throw new MetadataError(key, raw, expected);
  }
  return Math.round(ms);
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Decimal strings only: `Number('')`, `Number('0x10')` and `Number(' 1 ')` would all slip through otherwise. */
export function parseNumber(
  key: string,
  raw: string,
  bounds: { min?: number; max?: number; exclusiveMin?: number },
): number {
  const text = raw.trim();
  const parts: string[] = [];
  if (bounds.exclusiveMin !== undefined) parts.push(`greater than ${bounds.exclusiveMin}`);
  if (bounds.min !== undefined) parts.push(`at least ${bounds.min}`);
  if (bounds.max !== undefined) parts.push(`at most ${bounds.max}`);
  const expected = `a decimal number${parts.length ? ' ' + parts.join(' and ') : ''}`;
  if (!DECIMAL.test(text)) throw new MetadataError(key, raw, expected);
  const value = Number(text);
  if (
    !Number.isFinite(value) ||
    (bounds.exclusiveMin !== undefined && value <= bounds.exclusiveMin) ||
    (bounds.min !== undefined && value < bounds.min) ||
    (bounds.max !== undefined && value > bounds.max)
  ) {
    throw new MetadataError(key, raw, expected);
  }
  return value;
}

export function parseBoolean(key: string, raw: string): boolean {
  const text = raw.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new MetadataError(key, raw, 'true or false');
}

export function parseEnum<T extends string>(key: string, raw: string, allowed: readonly T[]): T {
  const text = raw.trim();
  const found = allowed.find((option) => option.toLowerCase() === text.toLowerCase());
  if (found === undefined) throw new MetadataError(key, raw, `one of ${allowed.join(', ')}`);
  return found;
}

/** `http(s)://` URLs (and `amqp(s)://` where allowed), with a host. */
export function parseUrl(key: string, raw: string, protocols: readonly string[]): URL {
  const expected = `an absolute URL with scheme ${protocols.map((p) => p.replace(':', '')).join(' or ')}`;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new MetadataError(key, redactMalformedUrl(raw), expected);
  }
  if (!protocols.includes(url.protocol) || url.hostname === '') {
    throw new MetadataError(key, redactMalformedUrl(raw), expected);
  }
  return url;
}

/** A URL typed without `//` (`guest:secret@rabbit:5672`) still holds a password before its last `@`. */
function redactMalformedUrl(raw: string): string {
  const text = redactSecrets(raw);
  return text.includes('//') ? text : text.replace(/^(\s*)[^\s]*@/, '$1***@');
}

/**
 * `key1=value1,key2=value2` lists, as KEDA's prometheus scaler reads `customHeaders` and `queryParameters`.
 */
export function parseKeyValueList(
  key: string,
  raw: string,
  options: { httpHeaderValues?: boolean } = {},
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (raw.trim() === '') return pairs;
  for (const item of raw.split(',')) {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq).trim() : '';
    const value = eq > 0 ? item.slice(eq + 1).trim() : '';
    // Header values must be what node:http sends: tab, visible ASCII and Latin-1, nothing else.
    const badValue = options.httpHeaderValues
      ? !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)
      : /[\r\n\0]/.test(value);
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || badValue) {
      throw new MetadataError(key, redactKeyValueText(raw), 'a comma-separated list of name=value pairs');
    }
    pairs.push([name, value]);
  }
  return pairs;
}

/** Only the names of a bad list are shown: `Authorization: Bearer …` written with a colon is a secret too. */
function redactKeyValueText(text: string): string {
  return text
    .split(',')
    .map((item) => {
      const at = item.search(/[=:]/);
      return at < 0 ? '***' : `${item.slice(0, at + 1)}***`;
    })
    .join(',');
}
