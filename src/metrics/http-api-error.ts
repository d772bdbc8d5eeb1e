/** Answers other than 200 for the JSON routes on the HTTP port, shared by every route module. */

import { redactSecrets } from '../util/redact';

/**
 * An answer other than 200, with the message the client sees. The message is redacted: a 503 quotes the
 * state store's or a source's error, which may name a URL with its credentials.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(redactSecrets(message));
  }
}

/** A percent-decoded path segment; 400 for broken encoding. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, `path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

/** 405 with `Allow` unless `method` is the one allowed. */
export function allow(method: string, allowed: string): void {
  if (method !== allowed) {
    throw new ApiError(405, `${method} is not allowed here: use ${allowed}`, {}, { allow: allowed });
  }
}
