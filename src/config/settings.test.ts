import { readSettings, type Settings } from './settings';

const DEFAULTS: Settings = {
  grpcPort: 9090,
  httpPort: 8080,
  bindAddress: '0.0.0.0',
  redisUrl: undefined,
  redisKeyPrefix: 'kps',
  tlsCertFile: undefined,
  tlsKeyFile: undefined,
  tlsCaFile: undefined,
  logLevel: 'info',
  evaluationTtlMs: 2_000,
  pushPollIntervalMs: 500,
  pushPollIntervalSlowMs: 5_000,
  retrainIntervalMs: 3_600_000,
  driftWindowMs: 3_600_000,
  driftRetraining: true,
  trainingLockTtlMs: 5 * 60_000,
  modelRefreshIntervalMs: 30_000,
  triggerIdleMs: 15 * 60_000,
  adminToken: undefined,
  workloadsFile: undefined,
  modelHistoryVersions: 20,
  shutdownGraceMs: 10_000,
};

describe('readSettings', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(readSettings({})).toEqual(DEFAULTS);
  });

  it('treats empty and blank variables as unset', () => {
    expect(
      readSettings({
        GRPC_PORT: '',
        HTTP_PORT: '  ',
        REDIS_URL: '',
        LOG_LEVEL: ' ',
        TLS_CERT_FILE: '',
        EVALUATION_TTL: '',
      }),
    ).toEqual(DEFAULTS);
  });

  it('ignores unrelated variables', () => {
    expect(readSettings({ PATH: '/usr/bin', PORT: '1234', NODE_ENV: 'production' })).toEqual(DEFAULTS);
  });

  it.each<[Record<string, string>, Partial<Settings>]>([
    [{ GRPC_PORT: '50051' }, { grpcPort: 50051 }],
    [{ GRPC_PORT: '0' }, { grpcPort: 0 }],
    [{ HTTP_PORT: '65535' }, { httpPort: 65535 }],
    [{ HTTP_PORT: ' 8081 ' }, { httpPort: 8081 }],
    [{ BIND_ADDRESS: '127.0.0.1' }, { bindAddress: '127.0.0.1' }],
    [{ BIND_ADDRESS: '::' }, { bindAddress: '::' }],
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, { redisUrl: 'redis://127.0.0.1:6379' }],
    [{ REDIS_URL: ' redis://:pw@redis:6379/2 ' }, { redisUrl: 'redis://:pw@redis:6379/2' }],
    [{ REDIS_KEY_PREFIX: 'scaler-prod' }, { redisKeyPrefix: 'scaler-prod' }],
    [
      { TLS_CERT_FILE: '/tls/tls.crt', TLS_KEY_FILE: '/tls/tls.key' },
      { tlsCertFile: '/tls/tls.crt', tlsKeyFile: '/tls/tls.key', tlsCaFile: undefined },
    ],
    [
      { TLS_CERT_FILE: '/tls/tls.crt', TLS_KEY_FILE: '/tls/tls.key', TLS_CA_FILE: '/tls/ca.crt' },
      { tlsCertFile: '/tls/tls.crt', tlsKeyFile: '/tls/tls.key', tlsCaFile: '/tls/ca.crt' },
    ],
    [{ LOG_LEVEL: 'debug' }, { logLevel: 'debug' }],
    [{ LOG_LEVEL: 'silent' }, { logLevel: 'silent' }],
    [{ EVALUATION_TTL: '0s' }, { evaluationTtlMs: 0 }],
    [{ EVALUATION_TTL: '5s' }, { evaluationTtlMs: 5_000 }],
    [{ PUSH_POLL_INTERVAL: '250ms' }, { pushPollIntervalMs: 250 }],
    [{ PUSH_POLL_INTERVAL: '1000' }, { pushPollIntervalMs: 1_000 }],
    [{ PUSH_POLL_INTERVAL_SLOW: '10s' }, { pushPollIntervalSlowMs: 10_000 }],
    [{ RETRAIN_INTERVAL: '6h' }, { retrainIntervalMs: 6 * 3_600_000 }],
    [{ DRIFT_WINDOW: '15s' }, { driftWindowMs: 15_000 }],
    [{ DRIFT_WINDOW: '1d' }, { driftWindowMs: 86_400_000 }],
    [{ DRIFT_RETRAINING: 'false' }, { driftRetraining: false }],
    [{ DRIFT_RETRAINING: ' True ' }, { driftRetraining: true }],
    [{ TRAINING_LOCK_TTL: '10m' }, { trainingLockTtlMs: 10 * 60_000 }],
    [{ MODEL_REFRESH_INTERVAL: '1m' }, { modelRefreshIntervalMs: 60_000 }],
    [{ TRIGGER_IDLE: '1h' }, { triggerIdleMs: 3_600_000 }],
    [{ ADMIN_TOKEN: ' s3cr3t ' }, { adminToken: 's3cr3t' }],
    [{ MODEL_HISTORY_VERSIONS: '50' }, { modelHistoryVersions: 50 }],
    [{ SHUTDOWN_GRACE: '0s' }, { shutdownGraceMs: 0 }],
    [{ SHUTDOWN_GRACE: '30s' }, { shutdownGraceMs: 30_000 }],
  ])('reads %j', (env, expected) => {
    expect(readSettings(env)).toEqual({ ...DEFAULTS, ...expected });
  });

  it.each<[Record<string, string>, string]>([
    [
      { GRPC_PORT: 'http' },
      'metadata key "GRPC_PORT" has invalid value "http": expected a decimal number at least 0 and at most 65535',
    ],
    [
      { GRPC_PORT: '-1' },
      'metadata key "GRPC_PORT" has invalid value "-1": expected a decimal number at least 0 and at most 65535',
    ],
    [
      { GRPC_PORT: '65536' },
      'metadata key "GRPC_PORT" has invalid value "65536": expected a decimal number at least 0 and at most 65535',
    ],
    [
      { MODEL_HISTORY_VERSIONS: '2.5' },
      'metadata key "MODEL_HISTORY_VERSIONS" has invalid value "2.5": expected a whole number from 2 to 1000',
    ],
    [
      { MODEL_HISTORY_VERSIONS: '1' },
      'metadata key "MODEL_HISTORY_VERSIONS" has invalid value "1": expected a decimal number at least 2 and at most 1000',
    ],
    [
      { HTTP_PORT: '80.5' },
      'metadata key "HTTP_PORT" has invalid value "80.5": expected an integer port from 0 to 65535',
    ],
    [
      { LOG_LEVEL: 'verbose' },
      'metadata key "LOG_LEVEL" has invalid value "verbose": expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      { LOG_LEVEL: 'INFO' },
      'metadata key "LOG_LEVEL" has invalid value "INFO": expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      { EVALUATION_TTL: '2m' },
      'metadata key "EVALUATION_TTL" has invalid value "2m": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 1m',
    ],
    [
      { PUSH_POLL_INTERVAL: '10ms' },
      'metadata key "PUSH_POLL_INTERVAL" has invalid value "10ms": expected a duration such as 30s, 15m, 2h or 14d between 50ms and 1m',
    ],
    [
      { PUSH_POLL_INTERVAL_SLOW: 'often' },
      'metadata key "PUSH_POLL_INTERVAL_SLOW" has invalid value "often": expected a duration such as 30s, 15m, 2h or 14d between 50ms and 5m',
    ],
    [
      { RETRAIN_INTERVAL: '8d' },
      'metadata key "RETRAIN_INTERVAL" has invalid value "8d": expected a duration such as 30s, 15m, 2h or 14d between 1s and 7d',
    ],
    [
      { DRIFT_WINDOW: '500ms' },
      'metadata key "DRIFT_WINDOW" has invalid value "500ms": expected a duration such as 30s, 15m, 2h or 14d between 1s and 1d',
    ],
    [
      { DRIFT_RETRAINING: 'off' },
      'metadata key "DRIFT_RETRAINING" has invalid value "off": expected true or false',
    ],
    [
      { DRIFT_RETRAINING: '0' },
      'metadata key "DRIFT_RETRAINING" has invalid value "0": expected true or false',
    ],
    [
      { DRIFT_WINDOW: '2d' },
      'metadata key "DRIFT_WINDOW" has invalid value "2d": expected a duration such as 30s, 15m, 2h or 14d between 1s and 1d',
    ],
    [
      { TRAINING_LOCK_TTL: '100ms' },
      'metadata key "TRAINING_LOCK_TTL" has invalid value "100ms": expected a duration such as 30s, 15m, 2h or 14d between 500ms and 1h',
    ],
    [
      { MODEL_REFRESH_INTERVAL: '2h' },
      'metadata key "MODEL_REFRESH_INTERVAL" has invalid value "2h": expected a duration such as 30s, 15m, 2h or 14d between 100ms and 1h',
    ],
    [
      { TRIGGER_IDLE: '500ms' },
      'metadata key "TRIGGER_IDLE" has invalid value "500ms": expected a duration such as 30s, 15m, 2h or 14d between 1s and 7d',
    ],
    [
      { SHUTDOWN_GRACE: '6m' },
      'metadata key "SHUTDOWN_GRACE" has invalid value "6m": expected a duration such as 30s, 15m, 2h or 14d between 0ms and 5m',
    ],
    [
      { TLS_CERT_FILE: '/tls/tls.crt' },
      'metadata key "TLS_KEY_FILE" is required: expected TLS_CERT_FILE and TLS_KEY_FILE set together',
    ],
    [
      { TLS_KEY_FILE: '/tls/tls.key' },
      'metadata key "TLS_CERT_FILE" is required: expected TLS_CERT_FILE and TLS_KEY_FILE set together',
    ],
    [
      { TLS_CA_FILE: '/tls/ca.crt' },
      'metadata key "TLS_CERT_FILE" is required: expected a server certificate when TLS_CA_FILE is set',
    ],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => readSettings(env)).toThrow(message);
  });

  it('reads process.env when no environment is passed', () => {
    const saved = process.env.GRPC_PORT;
    process.env.GRPC_PORT = '7070';
    try {
      expect(readSettings().grpcPort).toBe(7070);
    } finally {
      if (saved === undefined) delete process.env.GRPC_PORT;
      else process.env.GRPC_PORT = saved;
    }
  });
});
