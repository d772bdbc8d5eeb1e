import { createHash } from 'node:crypto';
import type { TriggerConfig } from '../../sources/trigger-metadata';
import type { HistorySpec } from '../../store/state-store';
import type { TrainingOptions } from '../types';

/**
 * A model depends on the signal and on how it is learned (lead, horizon, quantile, seasonality, window,
 * anomaly threshold, sampling): two triggers watching one queue with different lead times get two models
 * over one shared history.
 */
export function modelKey(config: TriggerConfig): string {
  const learning = [
    config.sampleIntervalMs,
    config.historyWindowMs,
    config.leadTimeMs,
    config.horizonMs,
    config.quantile,
    config.seasonality,
    config.anomalyThreshold,
  ];
  return `${config.signalId}-${createHash('sha256').update(JSON.stringify(learning)).digest('hex').slice(0, 8)}`;
}

/** History is shared by every model of a signal at the same sampling interval. */
export function historySpec(config: TriggerConfig): HistorySpec {
  return { stepMs: config.sampleIntervalMs, retentionMs: config.historyWindowMs };
}

export function trainingOptions(config: TriggerConfig): TrainingOptions {
  const leads = [
    config.leadTimeMs,
    Math.min(config.horizonMs, Math.max(config.leadTimeMs, config.sampleIntervalMs)),
  ];
  return {
    seasonality: config.seasonality,
    leadTimesMs: [...new Set(leads.filter((ms) => ms > 0))].sort((a, b) => a - b),
    horizonMs: config.horizonMs,
    quantile: config.quantile,
    anomalyThreshold: config.anomalyThreshold,
  };
}
