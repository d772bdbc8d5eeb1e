/** One of the HPA's scale-up policies (`spec.behavior.scaleUp.policies`). */
export interface ScaleUpPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodMs: number;
}

/** The HPA settings KEDA leaves at Kubernetes' defaults unless `advanced.horizontalPodAutoscalerConfig` says otherwise. */
export interface HpaSettings {
  /** Controller sync period (`--horizontal-pod-autoscaler-sync-period`). @default 15 s */
  syncMs: number;
  /**
   * How far above 1 the ratio of metric to target × replicas must go before the HPA adds a replica
   * (`behavior.scaleUp.tolerance`, Kubernetes 1.33+; before that the controller's
   * `--horizontal-pod-autoscaler-tolerance`). @default 0.1
   */
  scaleUpTolerance: number;
  /** The same below 1 before it removes one (`behavior.scaleDown.tolerance`). @default 0.1 */
  scaleDownTolerance: number;
  /** `behavior.scaleDown.stabilizationWindowSeconds`. @default 300 s */
  scaleDownStabilisationMs: number;
  /** `behavior.scaleUp.policies` with `selectPolicy: Max`. @default 4 pods or 100 % per 15 s, whichever is more */
  scaleUpPolicies: ScaleUpPolicy[];
}

export const HPA_DEFAULTS: HpaSettings = {
  syncMs: 15_000,
  scaleUpTolerance: 0.1,
  scaleDownTolerance: 0.1,
  scaleDownStabilisationMs: 300_000,
  scaleUpPolicies: [
    { type: 'Pods', value: 4, periodMs: 15_000 },
    { type: 'Percent', value: 100, periodMs: 15_000 },
  ],
};

interface Stamped {
  atMs: number;
  value: number;
}

/**
 * The HorizontalPodAutoscaler for one External metric with an `AverageValue` target, as KEDA creates it,
 * following the controller (pkg/controller/podautoscaler in kubernetes/kubernetes):
 *
 * 1. proposal = ceil(metric / target), unless metric / (target × current) is within
 *    [1 − scale-down tolerance, 1 + scale-up tolerance], where the proposal is the current count
 *    (external per-pod metrics use all pods, ready or not);
 * 2. stabilisation: scale-up takes the proposal at once (window 0); scale-down takes the largest
 *    proposal of the last `scaleDownStabilisationMs`;
 * 3. rate limits: the scale-up policies cap growth per period; the default scale-down policy (100 % per
 *    15 s) caps nothing; then min and max replicas.
 */
export class HpaModel {
  private readonly recommendations: Stamped[] = [];
  private readonly scaleUpEvents: Stamped[] = [];

  constructor(private readonly settings: HpaSettings = HPA_DEFAULTS) {}

  /** One sync: the replica count the HPA writes (equal to `current` when it leaves it alone). */
  sync(nowMs: number, metric: number, target: number, current: number, min: number, max: number): number {
    let desired: number;
    if (current > max) desired = max;
    else if (current < min) desired = min;
    else {
      const proposal = this.propose(metric, target, current);
      desired = this.limitRate(nowMs, this.stabilise(nowMs, proposal, current), current, min, max);
    }
    if (desired > current) this.scaleUpEvents.push({ atMs: nowMs, value: desired - current });
    return desired;
  }

  private propose(metric: number, target: number, current: number): number {
    // Milli-units, as the controller computes with quantities: exact for KEDA's 3-decimal values.
    const usage = Math.round(metric * 1000);
    const perPod = Math.max(1, Math.round(target * 1000));
    const ratio = usage / (perPod * current);
    if (ratio >= 1 - this.settings.scaleDownTolerance && ratio <= 1 + this.settings.scaleUpTolerance) {
      return current;
    }
    return Math.ceil(usage / perPod);
  }

  private stabilise(nowMs: number, proposal: number, current: number): number {
    const cutoff = nowMs - this.settings.scaleDownStabilisationMs;
    let down = proposal;
    let keepFrom = 0;
    for (let i = 0; i < this.recommendations.length; i++) {
      const rec = this.recommendations[i] as Stamped;
      if (rec.atMs > cutoff) down = Math.max(down, rec.value);
      else keepFrom = i + 1;
    }
    this.recommendations.splice(0, keepFrom);
    this.recommendations.push({ atMs: nowMs, value: proposal });
    // The scale-up window is 0: the upper bound is the proposal itself.
    let stabilised = Math.max(current, proposal);
    if (stabilised > down) stabilised = down;
    return stabilised;
  }

  private limitRate(nowMs: number, desired: number, current: number, min: number, max: number): number {
    if (desired > current) {
      const longest = Math.max(...this.settings.scaleUpPolicies.map((p) => p.periodMs));
      while (this.scaleUpEvents.length > 0 && (this.scaleUpEvents[0] as Stamped).atMs <= nowMs - longest) {
        this.scaleUpEvents.shift();
      }
      let limit = this.settings.scaleUpPolicies.length === 0 ? Infinity : 0;
      for (const policy of this.settings.scaleUpPolicies) {
        const start = current - this.addedSince(nowMs - policy.periodMs);
        const proposed =
          policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
        limit = Math.max(limit, proposed);
      }
      return Math.min(desired, Math.max(limit, current), max);
    }
    if (desired < current) return Math.max(desired, min);
    return desired;
  }

  private addedSince(cutoffMs: number): number {
    let added = 0;
    for (const event of this.scaleUpEvents) if (event.atMs > cutoffMs) added += event.value;
    return added;
  }
}
