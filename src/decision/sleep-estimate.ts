/**
 * Whether KEDA has scaled the deployment to zero, as far as this trigger's own answers tell. KEDA does so
 * once IsActive has stayed false for `cooldownPeriod` (with `minReplicaCount` 0), and an external scaler
 * is never told the replica count, so the answers are what it has to go on.
 *
 * The estimate errs towards awake: it counts the deployment asleep only after a whole `cooldownPeriod` of
 * inactive answers, so it never ends a cooldown sooner than KEDA would. Wrong the other way (another
 * trigger of the same ScaledObject keeps the deployment up, or `minReplicaCount` is above 0), the only
 * effect is that the cold-start budget does not hold IsActive up; the lead still wakes the deployment in
 * time for forecast load.
 */
export class SleepEstimate {
  /** The first inactive answer since the last active one; undefined while active. */
  private inactiveSinceMs: number | undefined;

  constructor(private readonly cooldownPeriodMs: number) {}

  /** True once every answer for more than `cooldownPeriod` has been inactive. */
  asleep(nowMs: number): boolean {
    return this.inactiveSinceMs !== undefined && nowMs - this.inactiveSinceMs > this.cooldownPeriodMs;
  }

  /** Records IsActive's answer at `nowMs`. */
  record(nowMs: number, active: boolean): void {
    if (active) this.inactiveSinceMs = undefined;
    else this.inactiveSinceMs ??= nowMs;
  }
}
