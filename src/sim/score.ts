import type { TickOutcome } from './demand';

/** The six figures of every strategy (docs/simulator.md, "Output"). */
export interface StrategyScore {
  /** Share of the replay's time during which demand exceeded ready capacity. */
  underProvisionedTimeshare: number;
  /**
   * Share of the demand not served: for `rate` the work above ready capacity; for `queue` the share of
   * arrivals that had to wait (still queued at the end of the tick they arrived in).
   */
  unservedFraction: number;
  /** Pods that existed (ready or starting: both cost) integrated over time, in hours. */
  replicaHours: number;
  /**
   * Scale-from-zero events where demand waited: spells with no ready replica during which demand
   * arrived (or a backlog waited), counted once per spell.
   */
  coldStarts: number;
  /** Changes of the deployment's replica count (by KEDA or the HPA) per hour of trace. */
  scaleActionsPerHour: number;
  /**
   * Forecast error at the lead: mean absolute error of the forecast mean at `now + leadTime` over that
   * of the last value, on the same predictions (the server's rolling `forecast_mase` taken over the
   * whole replay). Null for strategies without a forecast and while no model was usable.
   */
  forecastMase: number | null;
}

/** Figures beyond the six that help read them. */
export interface ScoreDetails {
  meanReplicas: number;
  peakReplicas: number;
  /** Mean time a unit of work waited in the backlog (Little's law); `queue` only. */
  meanWaitSeconds?: number;
}

/** Accumulates one strategy's run, one tick at a time. */
export class Scorecard {
  private seconds = 0;
  private underSeconds = 0;
  private offered = 0;
  private shortfall = 0;
  private replicaSeconds = 0;
  private peakReplicas = 0;
  private coldStarts = 0;
  private waitingAtZero = false;
  private scaleActions = 0;

  tick(outcome: TickOutcome, ready: number, replicas: number, seconds: number): void {
    this.seconds += seconds;
    if (outcome.underProvisioned) this.underSeconds += seconds;
    this.offered += outcome.offered;
    this.shortfall += outcome.shortfall;
    this.replicaSeconds += replicas * seconds;
    if (replicas > this.peakReplicas) this.peakReplicas = replicas;
    if (ready === 0) {
      if (outcome.wanted) this.waitingAtZero = true;
    } else if (this.waitingAtZero) {
      this.coldStarts++;
      this.waitingAtZero = false;
    }
  }

  scaleAction(): void {
    this.scaleActions++;
  }

  finish(
    forecastMase: number | null,
    backlogIntegral: number | undefined,
  ): { score: StrategyScore; details: ScoreDetails } {
    const hours = this.seconds / 3600;
    const coldStarts = this.coldStarts + (this.waitingAtZero ? 1 : 0);
    const score: StrategyScore = {
      underProvisionedTimeshare: this.seconds > 0 ? this.underSeconds / this.seconds : 0,
      unservedFraction: this.offered > 0 ? this.shortfall / this.offered : 0,
      replicaHours: this.replicaSeconds / 3600,
      coldStarts,
      scaleActionsPerHour: hours > 0 ? this.scaleActions / hours : 0,
      forecastMase,
    };
    const details: ScoreDetails = {
      meanReplicas: this.seconds > 0 ? this.replicaSeconds / this.seconds : 0,
      peakReplicas: this.peakReplicas,
    };
    if (backlogIntegral !== undefined) {
      details.meanWaitSeconds = this.offered > 0 ? backlogIntegral / this.offered : 0;
    }
    return { score, details };
  }
}
