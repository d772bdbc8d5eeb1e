import { parseDuration } from '../config/parse';
import { POLLING_ALLOWANCE_MS } from '../config/trigger-config';
import { parseTriggerMetadata, type TriggerConfig } from '../sources/trigger-metadata';
import { WEEK_MS, formatDuration } from '../util/duration';

/** The trigger the simulator pretends KEDA sends; values are metadata strings, as KEDA passes them. */
export interface SimulatedTriggerInput {
  /** `threshold`: the target per replica. */
  target: string;
  /** `leadTime`. @default 15m */
  leadTime?: string;
  /** `startupTime`, from the replay's pod start-up; `metadata.startupTime` wins when set. */
  startupTime?: string;
  /** `cooldownPeriod`, from the simulated ScaledObject's; `metadata.cooldownPeriod` wins when set. */
  cooldownPeriod?: string;
  /** Any other trigger metadata (`quantile`, `seasonality`, `businessHours`, …). */
  metadata?: Readonly<Record<string, string>>;
}

const DEFAULT_HORIZON_MS = 30 * 60_000;

/**
 * Builds the simulated trigger through the same parser the server uses, so the replay runs with the
 * server's defaults (sample interval, history window, quantile, seasonality, horizon). The source is a
 * Prometheus query that is never sent: the trace plays its part. A lead (or a start-up time with KEDA's
 * polling interval) beyond the default 30m horizon stretches the horizon to fit, since the server would
 * refuse the pair.
 */
export function simulatedTrigger(input: SimulatedTriggerInput): TriggerConfig {
  const metadata: Record<string, string> = {
    ...input.metadata,
    source: 'prometheus',
    serverAddress: 'http://simulated.invalid',
    query: 'trace',
    threshold: input.target,
  };
  if (input.leadTime !== undefined) metadata.leadTime = input.leadTime;
  if (input.startupTime !== undefined && metadata.startupTime === undefined) {
    metadata.startupTime = input.startupTime;
  }
  if (input.cooldownPeriod !== undefined && metadata.cooldownPeriod === undefined) {
    metadata.cooldownPeriod = input.cooldownPeriod;
  }
  if (metadata.horizon === undefined) {
    const reachMs = Math.max(
      durationMs('leadTime', metadata.leadTime),
      durationMs('startupTime', metadata.startupTime) + POLLING_ALLOWANCE_MS,
    );
    if (reachMs > DEFAULT_HORIZON_MS) metadata.horizon = formatDuration(reachMs);
  }
  return parseTriggerMetadata(metadata);
}

/** A duration key as the server reads it; 0 when unset. */
function durationMs(key: string, raw: string | undefined): number {
  return raw === undefined || raw.trim() === '' ? 0 : parseDuration(key, raw, { minMs: 0, maxMs: WEEK_MS });
}
