/**
 * The few error kinds the scaler raises. Each maps to one gRPC status in src/server/status.ts, so a
 * handler never decides a status code itself.
 */

/** A trigger metadata key is missing or has a bad value. Maps to INVALID_ARGUMENT. */
export class MetadataError extends Error {
  override readonly name = 'MetadataError';
  constructor(
    readonly key: string,
    readonly given: string | undefined,
    readonly expected: string,
  ) {
    super(
      given === undefined
        ? `metadata key "${key}" is required: expected ${expected}`
        : `metadata key "${key}" has invalid value ${JSON.stringify(truncate(given))}: expected ${expected}`,
    );
  }
}

/** A requested metric or trigger is not known. Maps to NOT_FOUND. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The source could not be reached or did not answer in time. Maps to UNAVAILABLE or DEADLINE_EXCEEDED. */
export class UpstreamUnavailableError extends Error {
  override readonly name = 'UpstreamUnavailableError';
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'timeout' | 'http_status' | 'stale' = 'unreachable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The source answered, but not with one usable number (no series, several series, NaN, missing queue). */
export class UpstreamDataError extends Error {
  override readonly name = 'UpstreamDataError';
  constructor(
    message: string,
    readonly reason:
      'empty' | 'multiple_series' | 'not_a_number' | 'not_found' | 'bad_response' = 'bad_response',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function truncate(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…(${value.length} chars)` : value;
}
