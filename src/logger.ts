import pino, { type DestinationStream, type Logger } from 'pino';
import { redactUrlText } from './config/parse';

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
        ],
        censor: '[redacted]',
      },
      formatters: {
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      serializers: {
        err: (error: unknown) => scrub(pino.stdSerializers.err(error as Error)),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrub(item, depth + 1);
  return out;
}
