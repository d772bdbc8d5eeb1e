import pino, { type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from './util/redact';

const SECRET_FROM_ENV_KEYS = [
  'serverAddressFromEnv',
  'customHeadersFromEnv',
  'usernameFromEnv',
  'passwordFromEnv',
  'bearerTokenFromEnv',
];

/**
 * pino with credentials removed twice over: known secret-bearing fields are censored by path, and every
 * string that looks like a URL with user info is rewritten wherever it appears in a log line.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'keda-predictive-scaler' },
      redact: {
        paths: [
          'host',
          '*.host',
          'password',
          '*.password',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'customHeaders',
          '*.customHeaders',
          'redisUrl',
          '*.redisUrl',
          'scalerMetadata.host',
          'scalerMetadata.hostFromEnv',
          'scalerMetadata.customHeaders',
          // What KEDA sends under a `…FromEnv` key is the secret itself.
          ...SECRET_FROM_ENV_KEYS.flatMap((key) => [key, `*.${key}`, `scalerMetadata.${key}`]),
        ],
        censor: '[redacted]',
      },
      formatters: {
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      serializers: {
        err: (error: unknown) => scrubError(error),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * pino's error serializer keeps `message` and `stack` off the object's own enumerable keys, which the
 * generic scrub walks; they are copied by name so they survive, with credentials removed.
 */
function scrubError(error: unknown): unknown {
  if (!(error instanceof Error)) return scrub(error);
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const out = scrub({ ...serialized }) as Record<string, unknown>;
  out.type = serialized.type ?? error.name;
  out.message = redactSecrets(String(serialized.message ?? error.message));
  if (typeof serialized.stack === 'string') out.stack = redactSecrets(serialized.stack);
  return out;
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  // The log formatter sees errors before the serializers do.
  if (value instanceof Error) return scrubError(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrub(item, depth + 1);
  return out;
}
