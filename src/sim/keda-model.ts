/** What the simulated ScaledObject sets (KEDA's `spec` fields of the same names). */
export interface KedaSettings {
  /** `pollingInterval`: how often KEDA asks IsActive. @default 30 s */
  pollingMs: number;
  /** `cooldownPeriod`: how long a trigger must stay inactive before KEDA scales to zero. @default 300 s */
  cooldownMs: number;
  /** `minReplicaCount`. @default 0 */
  minReplicas: number;
  /** `maxReplicaCount`. @default 100 */
  maxReplicas: number;
}

/**
 * KEDA's part of scaling (the ScaledObject controller's scale loop, `RequestScale` for a Deployment):
 * it alone moves a deployment between zero and non-zero; between 1 and max the HPA it created decides.
 *
 * - active and at zero: scale to `max(minReplicaCount, 1)`;
 * - inactive with `minReplicaCount` 0: scale to zero once the last active poll is more than
 *   `cooldownPeriod` ago;
 * - below `minReplicaCount`: scale up to it.
 */
export class KedaModel {
  /** KEDA's `status.lastActiveTime`. */
  private lastActiveMs: number | undefined;

  constructor(private readonly settings: KedaSettings) {}

  /** The HPA KEDA creates never goes below 1: zero is KEDA's call. */
  get hpaMinReplicas(): number {
    return Math.max(1, this.settings.minReplicas);
  }

  get hpaMaxReplicas(): number {
    return this.settings.maxReplicas;
  }

  /** Starts the model as if the trigger had been active at `nowMs` (the warm start of a replay). */
  markActive(nowMs: number): void {
    this.lastActiveMs = nowMs;
  }

  /**
   * One poll with IsActive's answer. Returns the replica count KEDA writes to the deployment, or
   * undefined when it leaves the deployment to the HPA.
   */
  poll(nowMs: number, active: boolean, currentReplicas: number): number | undefined {
    const { minReplicas } = this.settings;
    if (active) this.lastActiveMs = nowMs;
    if (currentReplicas === 0) {
      if (active) return Math.max(minReplicas, 1);
      return minReplicas > 0 ? minReplicas : undefined;
    }
    if (!active && minReplicas === 0) {
      // KEDA: lastActiveTime + cooldownPeriod before now; no lastActiveTime scales down at once.
      if (this.lastActiveMs === undefined || nowMs - this.lastActiveMs > this.settings.cooldownMs) return 0;
      return undefined;
    }
    if (currentReplicas < minReplicas) return minReplicas;
    return undefined;
  }
}

/**
 * What the HPA reads of a KEDA external metric: KEDA hands values over as milli-quantities (3 decimals,
 * truncated), so 0.0004 reads as 0.
 */
export function kedaQuantity(value: number): number {
  return Math.trunc(value * 1000) / 1000;
}
