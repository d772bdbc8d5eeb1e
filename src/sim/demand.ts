/**
 * `rate`: the trace is an arrival rate served on the spot (requests per second, CPU load); capacity is
 * ready replicas × target, and what exceeds it is lost (or slowed down) in that instant.
 * `queue`: the trace is arrivals per second that join a backlog; each ready replica takes `target` of it
 * per second, and KEDA sees the backlog (a queue length).
 */
export type DemandKind = 'rate' | 'queue';

export const DEMAND_KINDS: readonly DemandKind[] = ['rate', 'queue'];

/** What happened during one simulation tick. */
export interface TickOutcome {
  /** Work that arrived during the tick (rate × seconds). */
  offered: number;
  /**
   * Work of the tick not served in it: lost for `rate`; for `queue`, the tick's arrivals still waiting at
   * its end.
   */
  shortfall: number;
  /** Demand exceeded ready capacity during the tick (for `queue`: work is left waiting at its end). */
  underProvisioned: boolean;
  /** Something wanted serving: arrivals, or (for `queue`) a backlog. */
  wanted: boolean;
}

/** The demand side of one strategy's run; `queue` keeps state, so each run has its own. */
export interface DemandModel {
  readonly kind: DemandKind;
  /** The value KEDA's live source reads now, given the trace's current rate. */
  live(rate: number): number;
  /** Serves one tick of `seconds` at `rate` with `ready` replicas of `target` each. */
  serve(rate: number, ready: number, target: number, seconds: number): TickOutcome;
  /** Backlog now (0 for `rate`). */
  readonly backlog: number;
  /** Integral of the backlog over time (work × seconds), for the mean wait by Little's law. */
  readonly backlogIntegral: number;
}

export function createDemandModel(kind: DemandKind): DemandModel {
  return kind === 'rate' ? new RateDemand() : new QueueDemand();
}

class RateDemand implements DemandModel {
  readonly kind = 'rate' as const;
  readonly backlog = 0;
  readonly backlogIntegral = 0;

  live(rate: number): number {
    return rate;
  }

  serve(rate: number, ready: number, target: number, seconds: number): TickOutcome {
    const capacity = ready * target;
    return {
      offered: rate * seconds,
      shortfall: Math.max(0, rate - capacity) * seconds,
      underProvisioned: rate > capacity,
      wanted: rate > 0,
    };
  }
}

/** A backlog below this share of one second of one replica's work counts as drained (float noise). */
const DRAINED = 1e-9;

class QueueDemand implements DemandModel {
  readonly kind = 'queue' as const;
  backlog = 0;
  backlogIntegral = 0;

  live(): number {
    return this.backlog;
  }

  serve(rate: number, ready: number, target: number, seconds: number): TickOutcome {
    const before = this.backlog;
    const arrivals = rate * seconds;
    const capacity = ready * target * seconds;
    let after = before + arrivals - capacity;
    if (after <= DRAINED * target) after = 0;
    this.backlog = after;
    // The backlog moves linearly within a tick until it drains: a trapezoid, or a triangle when it drains.
    if (after > 0) this.backlogIntegral += ((before + after) / 2) * seconds;
    else if (before > 0) {
      // capacity - arrivals >= before > 0 here, so the drain rate is positive.
      const drainRate = (capacity - arrivals) / seconds;
      this.backlogIntegral += (before / 2) * (before / drainRate);
    }
    return {
      offered: arrivals,
      shortfall: Math.min(after, arrivals),
      underProvisioned: after > 0,
      wanted: arrivals > 0 || before > 0,
    };
  }
}
