/** Answers other than 200 for the JSON routes on the HTTP port, shared by every route module. */

/** An answer other than 200, with the message the client sees. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
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
