import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { MetadataError, NotFoundError, UpstreamDataError, UpstreamUnavailableError } from '../errors';
import { redactSecrets } from '../util/redact';

/**
 * The one mapping from our errors to gRPC status codes. grpc-js would turn anything without a numeric
 * `code` into UNKNOWN, so every error a handler sees passes through here.
 */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: status; details: string } {
  const message = error instanceof Error ? redactSecrets(error.message) : 'internal error';
  let code: status;
  if (error instanceof MetadataError) code = status.INVALID_ARGUMENT;
  else if (error instanceof NotFoundError) code = status.NOT_FOUND;
  else if (error instanceof UpstreamUnavailableError)
    code = error.reason === 'timeout' ? status.DEADLINE_EXCEEDED : status.UNAVAILABLE;
  else if (error instanceof UpstreamDataError) code = status.FAILED_PRECONDITION;
  else code = status.INTERNAL;
  const details = bounded(code === status.INTERNAL ? `internal error: ${message}` : message);
  return { code, details, message: details, metadata: new Metadata() };
}

/**
 * Details travel in the `grpc-message` trailer. An error that echoes a huge input (a megabyte-long metric
 * name) would make a trailer larger than HTTP/2 lets a peer accept: the call would never complete and the
 * connection it shares with every other ScaledObject's calls would stall behind it.
 */
const MAX_DETAILS_CHARS = 1_000;

function bounded(details: string): string {
  return details.length > MAX_DETAILS_CHARS
    ? `${details.slice(0, MAX_DETAILS_CHARS)}…(${details.length} characters)`
    : details;
}
