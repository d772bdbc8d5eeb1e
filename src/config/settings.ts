import { MetadataError } from '../errors';
import { parseBoolean, parseDuration, parseNumber } from './parse';

/** Process settings, read once from the environment at start-up. */
export interface Settings {
  /** @default 9090 */
  grpcPort: number;
  /** @default 8080 */
  httpPort: number;
  /** Address both servers bind to. @default 0.0.0.0 */
  bindAddress: string;
  /** Shared state store; unset means in-process (one replica). @default unset */
  redisUrl: string | undefined;
  /** Prefix of every Redis key. @default kps */
  redisKeyPrefix: string;
  /** TLS on gRPC when both are set. @default unset */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** When set, clients must present a certificate signed by this CA (mTLS). @default unset */
  tlsCaFile: string | undefined;
  /** @default info */
  logLevel: string;
  /** How long one evaluation answers GetMetrics and IsActive of the same trigger. @default 2s */
  evaluationTtlMs: number;
  /** How often StreamIsActive re-reads a RabbitMQ source. @default 500ms */
  pushPollIntervalMs: number;
  /** How often other sources are re-read for StreamIsActive. @default 5s */
  pushPollIntervalSlowMs: number;
  /** How often models are retrained. @default 1h */
  retrainIntervalMs: number;
  /**
   * How long a forecast must stay worse than its backtest promised before it counts as drift
   * (`forecast_degraded` 1, and retrained at once unless `driftRetraining` is off). The simulator keeps
   * `DRIFT_RULE.sustainMs`, the same hour. @default 1h
   */
  driftWindowMs: number;
  /**
   * Whether drift retrains the model at once (`DRIFT_RETRAINING`). Off, a drifted forecast still sets
   * `forecast_degraded` and is logged, and the model waits for its scheduled retraining. @default true
   */
  driftRetraining: boolean;
  /** Expiry of a model's training lock: how long a replica that died mid-training blocks the others. @default 5m */
  trainingLockTtlMs: number;
  /** How often a replica reloads models that another replica trained. @default 30s */
  modelRefreshIntervalMs: number;
  /** A trigger not asked about for this long is forgotten (metrics series, caches). @default 15m */
  triggerIdleMs: number;
  /** Bearer token for POST .../rollback on the HTTP API; unset disables it. @default unset */
  adminToken: string | undefined;
  /** YAML or JSON listing workloads planned without a ScaledObject (docs/capacity-planning.md). @default unset */
  workloadsFile: string | undefined;
  /** Versions of each model kept for listing, pinning and rollback. @default 20 */
  modelHistoryVersions: number;
  /** Grace period for in-flight calls on SIGTERM. @default 10s */
  shutdownGraceMs: number;
}

/** How long a forecast must stay worse than promised before it counts as drift, unless `DRIFT_WINDOW` says. */
export const DEFAULT_DRIFT_WINDOW_MS = 3_600_000;

/** How many versions of each model the store keeps unless `MODEL_HISTORY_VERSIONS` says otherwise. */
export const DEFAULT_MODEL_HISTORY_VERSIONS = 20;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads settings; a bad value is named by its environment variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const text = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const port = (name: string, fallback: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = parseNumber(name, raw, { min: 0, max: 65535 });
    if (!Number.isInteger(value)) throw new MetadataError(name, raw, 'an integer port from 0 to 65535');
    return value;
  };
  const duration = (name: string, fallback: number, minMs: number, maxMs: number): number => {
    const raw = text(name);
    return raw === undefined ? fallback : parseDuration(name, raw, { minMs, maxMs });
  };
  const count = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = parseNumber(name, raw, { min, max });
    if (!Number.isInteger(value)) throw new MetadataError(name, raw, `a whole number from ${min} to ${max}`);
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = text(name);
    return raw === undefined ? fallback : parseBoolean(name, raw);
  };
  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new MetadataError('LOG_LEVEL', logLevel, `one of ${LOG_LEVELS.join(', ')}`);
  const settings: Settings = {
    grpcPort: port('GRPC_PORT', 9090),
    httpPort: port('HTTP_PORT', 8080),
    bindAddress: text('BIND_ADDRESS') ?? '0.0.0.0',
    redisUrl: text('REDIS_URL'),
    redisKeyPrefix: text('REDIS_KEY_PREFIX') ?? 'kps',
    tlsCertFile: text('TLS_CERT_FILE'),
    tlsKeyFile: text('TLS_KEY_FILE'),
    tlsCaFile: text('TLS_CA_FILE'),
    logLevel,
    evaluationTtlMs: duration('EVALUATION_TTL', 2_000, 0, 60_000),
    pushPollIntervalMs: duration('PUSH_POLL_INTERVAL', 500, 50, 60_000),
    pushPollIntervalSlowMs: duration('PUSH_POLL_INTERVAL_SLOW', 5_000, 50, 300_000),
    retrainIntervalMs: duration('RETRAIN_INTERVAL', 3_600_000, 1_000, 7 * 86_400_000),
    driftWindowMs: duration('DRIFT_WINDOW', DEFAULT_DRIFT_WINDOW_MS, 1_000, 86_400_000),
    driftRetraining: flag('DRIFT_RETRAINING', true),
    trainingLockTtlMs: duration('TRAINING_LOCK_TTL', 5 * 60_000, 500, 3_600_000),
    modelRefreshIntervalMs: duration('MODEL_REFRESH_INTERVAL', 30_000, 100, 3_600_000),
    triggerIdleMs: duration('TRIGGER_IDLE', 15 * 60_000, 1_000, 7 * 86_400_000),
    adminToken: text('ADMIN_TOKEN'),
    workloadsFile: text('WORKLOADS_FILE'),
    modelHistoryVersions: count('MODEL_HISTORY_VERSIONS', DEFAULT_MODEL_HISTORY_VERSIONS, 2, 1000),
    shutdownGraceMs: duration('SHUTDOWN_GRACE', 10_000, 0, 300_000),
  };
  if ((settings.tlsCertFile === undefined) !== (settings.tlsKeyFile === undefined)) {
    throw new MetadataError(
      settings.tlsCertFile === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE',
      undefined,
      'TLS_CERT_FILE and TLS_KEY_FILE set together',
    );
  }
  if (settings.tlsCaFile !== undefined && settings.tlsCertFile === undefined) {
    throw new MetadataError('TLS_CERT_FILE', undefined, 'a server certificate when TLS_CA_FILE is set');
  }
  return settings;
}
