import { createHash, timingSafeEqual } from 'node:crypto';
import { parseTimezone } from '../config/business-hours';
import { ApiError } from '../metrics/http-api-error';
import type { WindowPolicy } from './recommend';

/** The window's policy with the request's `requestMultiplier`, `limitMultiplier` and `allowBelowPeak`. */
export function policyFrom(query: URLSearchParams, defaults: WindowPolicy): WindowPolicy {
  const number = (name: string, fallback: number): number => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !(value > 0 && value <= 10)) {
      throw new ApiError(
        400,
        `${name} ${JSON.stringify(raw)} is invalid: expected a number above 0 and at most 10`,
      );
    }
    return value;
  };
  const requestMultiplier = number('requestMultiplier', defaults.requestMultiplier);
  const limitMultiplier = number('limitMultiplier', defaults.limitMultiplier);
  if (limitMultiplier < requestMultiplier) {
    throw new ApiError(
      400,
      `limitMultiplier ${limitMultiplier} is below requestMultiplier ${requestMultiplier}`,
    );
  }
  const below = query.get('allowBelowPeak');
  if (below !== null && below !== 'true' && below !== 'false') {
    throw new ApiError(400, `allowBelowPeak ${JSON.stringify(below)} is invalid: expected true or false`);
  }
  return {
    requestMultiplier,
    limitMultiplier,
    allowBelowPeak: below === null ? defaults.allowBelowPeak : below === 'true',
  };
}

/** The request's `timezone`, or `fallback`. */
export function timezoneFrom(query: URLSearchParams, fallback: string): string {
  const raw = query.get('timezone');
  if (raw === null) return fallback;
  try {
    return parseTimezone('timezone', raw);
  } catch {
    throw new ApiError(
      400,
      `timezone ${JSON.stringify(raw)} is invalid: expected an IANA time zone such as UTC or Europe/Berlin`,
    );
  }
}

/** Compares digests, so neither the token's content nor its length leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
