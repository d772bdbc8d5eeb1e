import { parseDuration } from '../config/parse';
import { parseTriggerMetadata, type TriggerConfig } from '../sources/trigger-metadata';

/** The trigger the simulator pretends KEDA sends; values are metadata strings, as KEDA passes them. */
export interface SimulatedTriggerInput {
  /** `threshold`: the target per replica. */
  target: string;
  /** `leadTime`. @default 15m */
  leadTime?: string;
  /** Any other trigger metadata (`quantile`, `seasonality`, `businessHours`, …). */
  metadata?: Readonly<Record<string, string>>;
}

const DEFAULT_HORIZON_MS = 30 * 60_000;

/**
 * Builds the simulated trigger through the same parser the server uses, so the replay runs with the
 * server's defaults (sample interval, history window, quantile, seasonality, horizon). The source is a
 * Prometheus query that is never sent: the trace plays its part. A lead beyond the default 30m horizon
 * stretches the horizon to the lead, since the server would refuse the pair.
 */
export function simulatedTrigger(input: SimulatedTriggerInput): TriggerConfig {
  const metadata: Record<string, string> = {
    ...input.metadata,
    source: 'prometheus',
    serverAddress: 'http://simulated.invalid',
    query: 'trace',
    threshold: input.target,
  };
  if (input.leadTime !== undefined) {
    metadata.leadTime = input.leadTime;
    const leadMs = parseDuration('leadTime', input.leadTime, { minMs: 0, maxMs: 7 * 86_400_000 });
    if (metadata.horizon === undefined && leadMs > DEFAULT_HORIZON_MS) metadata.horizon = input.leadTime;
  }
  return parseTriggerMetadata(metadata);
}
