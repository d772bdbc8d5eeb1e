import { createHash } from 'node:crypto';
import { MetadataError } from '../errors';
import { parseBusinessHours, parseTimezone, type BusinessHoursWindow } from './business-hours';
import { parseBoolean, parseDuration, parseEnum, parseNumber, parseUrl } from './parse';

/** `predictive` key: use the forecast, ignore it, or compute and export it without using it. */
export type PredictiveMode = 'true' | 'false' | 'shadow';
export type Seasonality = 'auto' | 'daily' | 'weekly' | 'daily,weekly' | 'none';

/** Settings every trigger has, whatever its source. */
export interface CommonTriggerConfig {
  /** Stable lowercase `[a-z0-9-]` name returned by GetMetricSpec: source plus a hash of the signal. */
  metricName: string;
  /** Identity of the learned signal (hash of the source settings): history and models are keyed by it. */
  signalId: string;
  /** Target per replica (`value` for rabbitmq, `threshold` otherwise). Always > 0. */
  target: number;
  /** Activation level (`activationValue` / `activationThreshold`). @default 0 */
  activationTarget: number;
  /** Source read timeout. @default 3s, KEDA's */
  timeoutMs: number;
  /** How long the last good value may be served when the source fails. @default 30s */
  maxStalenessMs: number;
  /** One history point per interval. @default 1m */
  sampleIntervalMs: number;
  /** @default true */
  predictive: PredictiveMode;
  /** How far ahead a deployment at zero is woken for forecast load (IsActive). @default 15m */
  leadTimeMs: number;
  /**
   * How long a new replica takes to serve: capacity follows the forecast this far ahead.
   * @default 2m, or less where `leadTime` or `horizon` leave no room for it
   */
  startupTimeMs: number;
  /**
   * `startupTimeQuery`: PromQL whose answer, in seconds, is the workload's measured start-up time; while it
   * answers, it replaces `startupTimeMs` (bounded as `startupTime` is). @default none
   */
  startupTimeQuery?: string;
  /** `startupTimeServerAddress`: the Prometheus that answers it. @default the trigger's own `serverAddress` */
  startupTimeServerAddress?: string;
  /** The ScaledObject's `cooldownPeriod`: how long KEDA waits, inactive, before scaling to zero. @default 5m */
  cooldownPeriodMs: number;
  /** @default 30m */
  horizonMs: number;
  /** @default auto */
  seasonality: Seasonality;
  /** @default 14d */
  historyWindowMs: number;
  /** @default 0.9 */
  quantile: number;
  /**
   * Share of the time the trigger tolerates being short of the capacity it asked for: when set, how far
   * above the forecast capacity goes is learned online from the forecast's own errors at `startupTime`
   * (`ShortfallController`), starting from the `quantile` band. @default none: the `quantile` bound as it is
   */
  shortfallTarget: number | undefined;
  /** @default 3.5 */
  anomalyThreshold: number;
  /** @default none */
  businessHours: BusinessHoursWindow[] | undefined;
  /** @default 1 */
  businessHoursMultiplier: number;
  /** @default UTC */
  timezone: string;
  /**
   * Factor on the target and the value sent to KEDA: KEDA before 2.17 reads only their integer fields, so
   * a fractional target (0.5 requests per replica) needs both scaled up. @default 1
   */
  valueScale: number;
}

/** The common settings read from the common keys: all but the target (a source's keys) and the identity. */
export type CommonSettings = Omit<
  CommonTriggerConfig,
  'metricName' | 'signalId' | 'target' | 'activationTarget'
>;

/** The keys every source reads, for documentation and for the metadata reference check. */
export const COMMON_KEYS = [
  'source',
  'timeout',
  'maxStaleness',
  'sampleInterval',
  'predictive',
  'leadTime',
  'startupTime',
  'startupTimeQuery',
  'startupTimeServerAddress',
  'cooldownPeriod',
  'horizon',
  'seasonality',
  'historyWindow',
  'quantile',
  'shortfallTarget',
  'anomalyThreshold',
  'businessHours',
  'businessHoursMultiplier',
  'timezone',
  'valueScale',
] as const;

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * KEDA's timeout for its own scalers' reads (`KEDA_HTTP_DEFAULT_TIMEOUT`, 3000 ms in
 * cmd/operator/main.go): a trigger moved over from KEDA's prometheus or rabbitmq scaler waits as long as it
 * did there.
 */
export const KEDA_HTTP_DEFAULT_TIMEOUT_MS = 3_000;

/**
 * KEDA's default `pollingInterval`. A value returned now stands until the next poll, so the capacity
 * bought now must cover the forecast from `now + startupTime` until that poll's replicas could serve.
 */
export const POLLING_ALLOWANCE_MS = 30_000;

/** The start-up time assumed when `startupTime` is not set: a typical container that pulls and warms up. */
const DEFAULT_STARTUP_MS = 2 * MINUTE;

/** KEDA's default `cooldownPeriod` (300 s): the trigger key's default, and the simulator's KEDA. */
export const KEDA_DEFAULT_COOLDOWN_MS = 5 * MINUTE;

/** Something in a trigger's metadata that works but should change: an unknown or deprecated key. */
export interface MetadataWarning {
  key: string;
  message: string;
}

/**
 * One trigger's `scalerMetadata` with the lookups every parser uses. A blank value reads as unset, so it
 * takes the key's default.
 */
export interface MetadataReader {
  /** The map as given: a parser that must see blank values reads it directly. */
  readonly metadata: Readonly<Record<string, string>>;
  get(key: string): string | undefined;
  /** The value, or a `MetadataError` saying what was expected. */
  require(key: string, expected: string): string;
  /** `key`, else `<key>FromEnv` (the value KEDA resolved from the container environment). */
  fromEnv(key: string): string | undefined;
  duration(key: string, fallback: number, minMs: number, maxMs: number): number;
  number(key: string, fallback: number, bounds: Parameters<typeof parseNumber>[2]): number;
  boolean(key: string, fallback: boolean): boolean;
  /** Records a warning: the trigger still works, and the server logs it once and counts it. */
  warn(key: string, message: string): void;
  readonly warnings: readonly MetadataWarning[];
}

export function metadataReader(metadata: Readonly<Record<string, string>>): MetadataReader {
  const get = (key: string): string | undefined => {
    const value = metadata[key];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const warnings: MetadataWarning[] = [];
  return {
    metadata,
    warnings,
    warn: (key, message) => void warnings.push({ key, message }),
    get,
    require(key, expected) {
      const value = get(key);
      if (value === undefined) throw new MetadataError(key, undefined, expected);
      return value;
    },
    fromEnv: (key) => get(key) ?? get(`${key}FromEnv`),
    duration(key, fallback, minMs, maxMs) {
      const raw = get(key);
      return raw === undefined ? fallback : parseDuration(key, raw, { minMs, maxMs });
    },
    number(key, fallback, bounds) {
      const raw = get(key);
      return raw === undefined ? fallback : parseNumber(key, raw, bounds);
    },
    boolean(key, fallback) {
      const raw = get(key);
      return raw === undefined ? fallback : parseBoolean(key, raw);
    },
  };
}

/** Reads the common keys but `source` (the caller picks the source first). */
export function parseCommonSettings(read: MetadataReader): CommonSettings {
  const { get } = read;
  const horizonMs = read.duration('horizon', 30 * MINUTE, MINUTE, 7 * DAY);
  const leadTimeMs = read.duration('leadTime', 15 * MINUTE, 0, 7 * DAY);
  // Blame the key the user set: with leadTime left at its default, a short horizon is the mistake.
  if (leadTimeMs > horizonMs && get('leadTime') === undefined) {
    throw new MetadataError('horizon', get('horizon'), `a duration at least as long as leadTime (15m)`);
  }
  if (leadTimeMs > horizonMs) {
    throw new MetadataError(
      'leadTime',
      get('leadTime'),
      `a duration no longer than horizon (${get('horizon') ?? '30m'})`,
    );
  }
  const startupTimeMs = parseStartupTime(read, leadTimeMs, horizonMs);
  const startupTimeQuery = parseStartupTimeQuery(read);
  const cooldownPeriodMs = parseCooldownPeriod(read);
  const sampleIntervalMs = read.duration('sampleInterval', MINUTE, 1_000, 60 * MINUTE);
  const historyWindowMs = read.duration('historyWindow', 14 * DAY, 60 * MINUTE, 60 * DAY);
  if (historyWindowMs / sampleIntervalMs > 100_000) {
    const blamed = get('historyWindow') === undefined ? 'sampleInterval' : 'historyWindow';
    throw new MetadataError(
      blamed,
      get(blamed),
      'at most 100000 samples of sampleInterval (raise sampleInterval or shorten historyWindow)',
    );
  }

  const timezone =
    get('timezone') === undefined ? 'UTC' : parseTimezone('timezone', read.metadata.timezone as string);
  const businessHoursRaw = get('businessHours');
  return {
    timeoutMs: read.duration('timeout', KEDA_HTTP_DEFAULT_TIMEOUT_MS, 1, 120_000),
    maxStalenessMs: read.duration('maxStaleness', 30_000, 0, 60 * MINUTE),
    sampleIntervalMs,
    predictive: parseEnum('predictive', get('predictive') ?? 'true', ['true', 'false', 'shadow'] as const),
    leadTimeMs,
    startupTimeMs,
    ...startupTimeQuery,
    cooldownPeriodMs,
    horizonMs,
    seasonality: parseSeasonality(get('seasonality') ?? 'auto'),
    historyWindowMs,
    quantile: read.number('quantile', 0.9, { min: 0.5, max: 0.999 }),
    shortfallTarget:
      get('shortfallTarget') === undefined
        ? undefined
        : read.number('shortfallTarget', 0, { min: 0.001, max: 0.5 }),
    anomalyThreshold: read.number('anomalyThreshold', 3.5, { min: 2, max: 5 }),
    businessHours:
      businessHoursRaw === undefined ? undefined : parseBusinessHours('businessHours', businessHoursRaw),
    businessHoursMultiplier: read.number('businessHoursMultiplier', 1, { exclusiveMin: 0, max: 100 }),
    timezone,
    valueScale: read.number('valueScale', 1, { min: 1, max: 1_000_000 }),
  };
}

/**
 * `startupTimeQuery` and `startupTimeServerAddress`. Whether a trigger without a Prometheus of its own
 * names an address is checked with its source's keys (`readTriggerMetadata`).
 */
function parseStartupTimeQuery(
  read: MetadataReader,
): Pick<CommonTriggerConfig, 'startupTimeQuery' | 'startupTimeServerAddress'> {
  const query = read.get('startupTimeQuery');
  const address = read.get('startupTimeServerAddress');
  if (query === undefined && address !== undefined) {
    throw new MetadataError(
      'startupTimeQuery',
      undefined,
      'a PromQL query for startupTimeServerAddress to answer',
    );
  }
  if (query !== undefined && query.length > 10_000) {
    throw new MetadataError(
      'startupTimeQuery',
      query,
      'a PromQL instant query of at most 10000 characters that returns one number of seconds',
    );
  }
  if (address !== undefined) parseUrl('startupTimeServerAddress', address, ['http:', 'https:']);
  return { startupTimeQuery: query, startupTimeServerAddress: address?.trim().replace(/\/+$/, '') };
}

/**
 * `startupTime`: no longer than `leadTime` (a replica woken from zero must be able to serve by then) and,
 * with the polling allowance, within `horizon` (the forecast must reach the moment capacity is bought
 * for). Unset, it is 2m, shortened to fit a shorter lead or horizon so that such triggers keep working.
 */
function parseStartupTime(read: MetadataReader, leadTimeMs: number, horizonMs: number): number {
  const raw = read.get('startupTime');
  const roomInHorizonMs = horizonMs - POLLING_ALLOWANCE_MS;
  if (raw === undefined) return Math.max(0, Math.min(DEFAULT_STARTUP_MS, leadTimeMs, roomInHorizonMs));
  const startupTimeMs = parseDuration('startupTime', raw, { minMs: 0, maxMs: 7 * DAY });
  if (startupTimeMs > leadTimeMs) {
    throw new MetadataError(
      'startupTime',
      raw,
      `a duration no longer than leadTime (${read.get('leadTime') ?? '15m'})`,
    );
  }
  if (startupTimeMs > roomInHorizonMs) {
    // The horizon is the key to change when it was set; otherwise the start-up time is what does not fit.
    const blamed = read.get('horizon') === undefined ? 'startupTime' : 'horizon';
    throw new MetadataError(
      blamed,
      read.get(blamed),
      blamed === 'horizon'
        ? `a duration at least startupTime (${raw.trim()}) plus KEDA's polling interval (30s)`
        : `a duration no longer than horizon (30m) minus KEDA's polling interval (30s)`,
    );
  }
  return startupTimeMs;
}

/**
 * `cooldownPeriod` copies the ScaledObject's field, which counts seconds, while a bare number in a duration
 * key means milliseconds: `300` would silently be 0.3 s, so a unit is required here.
 */
function parseCooldownPeriod(read: MetadataReader): number {
  const raw = read.get('cooldownPeriod');
  if (raw !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(raw)) {
    throw new MetadataError(
      'cooldownPeriod',
      raw,
      `a duration with a unit, such as ${raw.trim()}s (the ScaledObject's cooldownPeriod counts seconds)`,
    );
  }
  return read.duration('cooldownPeriod', KEDA_DEFAULT_COOLDOWN_MS, 0, 7 * DAY);
}

/** The keys a source takes its target from, and the unit its error message names. */
export interface TargetKeys {
  /** `value` or `threshold`: required, greater than 0. */
  target: string;
  /** `activationValue` or `activationThreshold`. @default 0 */
  activation: string;
  /** What one replica handles, for the error message: `messages per replica`. */
  unit: string;
}

/** Reads a source's target and activation level (`value`/`activationValue`, `threshold`/`activationThreshold`). */
export function parseTarget(
  read: MetadataReader,
  keys: TargetKeys,
): Pick<CommonTriggerConfig, 'target' | 'activationTarget'> {
  const target = parseNumber(
    keys.target,
    read.require(keys.target, `a decimal number greater than 0 (${keys.unit})`),
    { exclusiveMin: 0 },
  );
  return { target, activationTarget: read.number(keys.activation, 0, { min: 0 }) };
}

const SEASONALITIES: readonly Seasonality[] = ['auto', 'daily', 'weekly', 'daily,weekly', 'none'];

/** `weekly, daily` means the same as `daily,weekly`; an error shows the value as it was given. */
function parseSeasonality(raw: string): Seasonality {
  const normalised = raw
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .sort()
    .join(',');
  const found = SEASONALITIES.find((option) => option === normalised);
  if (found === undefined) throw new MetadataError('seasonality', raw, `one of ${SEASONALITIES.join(', ')}`);
  return found;
}

/**
 * Sets the config's `signalId` and `metricName`. The metric name is readable (source and a hint such as
 * the queue name) and unique (hash of the signal's identity). KEDA prefixes it with `s<index>-` itself.
 * Both identify stored history: a change to `identity` or to this hashing renames every trigger.
 */
export function withIdentity<T extends CommonTriggerConfig & { source: string }>(
  config: T,
  identity: unknown[],
  hint: string,
): T {
  const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
  const slug = hint
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  config.signalId = hash.slice(0, 16);
  config.metricName = [config.source, slug, hash.slice(0, 8)].filter((part) => part !== '').join('-');
  return config;
}
