/**
 * The deployment's pods: a pod created at `t` serves from `t + startup` (image pull, start, readiness
 * probe, model load). Scale-down removes pods that are not ready yet first, newest first, as a ReplicaSet
 * does; a pod stops serving the moment it is removed.
 */
export class PodModel {
  /** Creation times, oldest first. */
  private readonly createdAt: number[] = [];
  /** Pods `[0, readyCount)` are ready; creation order is readiness order since startup is fixed. */
  private readyCount = 0;

  constructor(private readonly startupMs: number) {}

  /** Pods that exist, ready or starting: what the HPA counts and what costs money. */
  get replicas(): number {
    return this.createdAt.length;
  }

  /** Starts with `replicas` pods that are already ready at `nowMs` (the warm start of a replay). */
  seed(nowMs: number, replicas: number): void {
    this.createdAt.length = 0;
    for (let i = 0; i < replicas; i++) this.createdAt.push(nowMs - this.startupMs);
    this.readyCount = replicas;
  }

  /** Creates or removes pods so that `replicas` exist from `nowMs`. */
  scaleTo(nowMs: number, replicas: number): void {
    while (this.createdAt.length < replicas) this.createdAt.push(nowMs);
    if (this.createdAt.length > replicas) {
      this.createdAt.length = replicas;
      this.readyCount = Math.min(this.readyCount, replicas);
    }
  }

  /** Ready pods at `nowMs`; call with times that never go back. */
  ready(nowMs: number): number {
    while (
      this.readyCount < this.createdAt.length &&
      (this.createdAt[this.readyCount] as number) + this.startupMs <= nowMs
    ) {
      this.readyCount++;
    }
    return this.readyCount;
  }
}
