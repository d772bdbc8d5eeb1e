import type { TrainedModel } from '../forecast/types';
import type { TriggerHandle } from '../server/trigger-registry';
import type { ModelRecord } from '../store/state-store';
import { describeModel, type ModelView } from './model-info';
import type { Recommendation } from './recommend';
import { tidy } from './window-forecast';

/** How the HTTP API shows a trigger. */
export function triggerView(handle: TriggerHandle, key: string): Record<string, unknown> {
  return {
    namespace: handle.labels.namespace,
    scaledObject: handle.labels.scaled_object,
    metricName: handle.config.metricName,
    source: handle.config.source,
    modelKey: key,
  };
}

/** How the HTTP API shows a stored model. */
export function describeRecord(record: ModelRecord<TrainedModel>, allScores: boolean): ModelView {
  return describeModel(record.model, { record, allScores });
}

/** How the HTTP API shows a recommendation: values rounded for reading, the policy spelled out. */
export function recommendationView(rec: Recommendation): unknown {
  return {
    resource: rec.resource,
    request: { ...rec.request, value: tidy(rec.request.value) },
    limit: { ...rec.limit, value: tidy(rec.limit.value) },
    basis: tidy(rec.basis),
    observedPeak: rec.observedPeak === undefined ? null : tidy(rec.observedPeak),
    multipliers: { request: rec.policy.requestMultiplier, limit: rec.policy.limitMultiplier },
    allowBelowPeak: rec.policy.allowBelowPeak,
  };
}
