import type { CommonTriggerConfig } from '../config/trigger-config';
import { formatDuration } from '../util/duration';
import type { DecisionHistory, DecisionRecord } from './decision-log';

export type ReplicaChange = 'up' | 'down' | 'hold';

/** A trigger's last decision as a person reads it. */
export interface DecisionExplanation {
  at: string;
  live: number | null;
  forecast: { mean: number; upper: number; quantile: number; at: string; method: string } | null;
  returned: number | null;
  target: number;
  active: boolean | null;
  /** ceil(returned / target): what the HPA scales to for this trigger alone. */
  impliedReplicas: number | null;
  /** Against the previous decision's implied replicas; null for the first. */
  change: ReplicaChange | null;
  /** The shipped model's backtest at the lead time; null while the trigger runs live-only. */
  confidence: { coverage: number; mase: number } | null;
  reason: string;
  error?: string;
}

export type ExplainConfig = Pick<
  CommonTriggerConfig,
  | 'target'
  | 'quantile'
  | 'startupTimeMs'
  | 'leadTimeMs'
  | 'predictive'
  | 'activationTarget'
  | 'businessHoursMultiplier'
>;

/** The last decision of a trigger, with the change against the one before and a one-sentence reason. */
export function explainDecision(config: ExplainConfig, history: DecisionHistory): DecisionExplanation {
  const { last, previous } = history;
  const replicas = impliedReplicas(config, last);
  const before = previous === undefined ? null : impliedReplicas(config, previous);
  const change: ReplicaChange | null =
    replicas === null || before === null
      ? null
      : replicas > before
        ? 'up'
        : replicas < before
          ? 'down'
          : 'hold';
  const explanation: DecisionExplanation = {
    at: new Date(last.atMs).toISOString(),
    live: last.live ?? null,
    forecast:
      last.forecastMean === undefined || last.forecastUpper === undefined
        ? null
        : {
            mean: last.forecastMean,
            upper: last.forecastUpper,
            quantile: config.quantile,
            at: new Date(last.atMs + (last.startupTimeMs ?? config.startupTimeMs)).toISOString(),
            method: last.method ?? 'unknown',
          },
    returned: last.returned ?? null,
    target: config.target,
    active: last.active ?? null,
    impliedReplicas: replicas,
    change,
    confidence: last.backtest ?? null,
    reason: reasonFor(config, last, replicas, change),
  };
  if (last.error !== undefined) explanation.error = last.error;
  return explanation;
}

function impliedReplicas(config: Pick<ExplainConfig, 'target'>, record: DecisionRecord): number | null {
  if (record.returned === undefined) return null;
  return Math.ceil(record.returned / config.target);
}

/**
 * One sentence on why the value is what it is, in the order the decision rule applies: a failed source,
 * a last good value, the forecast above live, live above the forecast, no forecast, then the
 * business-hours multiplier and sleeping at zero.
 */
export function reasonFor(
  config: ExplainConfig,
  record: DecisionRecord,
  replicas: number | null,
  change: ReplicaChange | null,
): string {
  if (record.error !== undefined || record.returned === undefined || record.live === undefined) {
    return `source down: ${record.error ?? 'no value'}; KEDA applies the ScaledObject's fallback`;
  }
  const live = format(record.live);
  const n = replicas ?? 0;
  const plural = `${n} replica${n === 1 ? '' : 's'}`;
  const q = `q${config.quantile}`;
  const when = `in ${formatDuration(record.startupTimeMs ?? config.startupTimeMs)}`;
  const upper = record.forecastUpper === undefined ? undefined : format(record.forecastUpper);
  let sentence: string;
  if (record.reason === 'fallback') {
    sentence = `source unreachable: serving the last good value ${live} (${plural})`;
  } else if (record.forecastUsed && upper !== undefined) {
    const verb = change === 'up' ? 'pre-warming to' : change === 'down' ? 'scaling in to' : 'holding';
    sentence = `forecast ${upper} ${when} (${q}), above live ${live}: ${verb} ${plural}`;
  } else if (upper !== undefined && config.predictive === 'true') {
    const verb = change === 'down' ? 'scaling in to' : change === 'up' ? 'scaling up to' : 'holding';
    sentence = `live ${live} at or above the forecast ${upper} ${when} (${q}): following live, ${verb} ${plural}`;
  } else if (upper !== undefined && config.predictive === 'shadow') {
    sentence = `shadow mode: forecast ${upper} ${when} (${q}) is not used; following live ${live} (${plural})`;
  } else if (config.predictive === 'false') {
    sentence = `predictive: false: following live ${live} (${plural})`;
  } else {
    sentence = `no model has beaten the baselines yet: following live ${live} (${plural})`;
  }
  if (record.reason === 'business-hours') {
    sentence += `, times the business-hours multiplier ${config.businessHoursMultiplier}`;
  }
  if (record.active === false) {
    sentence +=
      `; inactive: live at or below the activation level ${format(config.activationTarget)} and no ` +
      `forecast above it within ${formatDuration(config.leadTimeMs)}`;
  }
  return sentence;
}

/** Three significant digits: enough to read, and the exact values are in the answer beside it. */
function format(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(3)));
}
