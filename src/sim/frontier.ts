/**
 * The equal-cost frontier (docs/simulator.md, "The frontier"): what reactive scaling with headroom is short
 * of at a given cost. Paying the same for plain headroom would buy this much; a strategy that claims to
 * scale better has to be short less often at its own replica-hours.
 */

/** A headroom point, or the strategy compared with them: its cost and its two shortfall figures. */
export interface CostAndShortfall {
  strategy: string;
  replicaHours: number;
  underProvisionedTimeshare: number;
  unservedFraction: number;
}

/** The shortfall figures the frontier is drawn for. */
export type ShortfallFigure = 'underProvisionedTimeshare' | 'unservedFraction';

/** Where a cost falls against the headroom points' replica-hours. */
export type CostVsFrontier = 'within' | 'cheaper' | 'dearer' | 'no-frontier';

/** A strategy measured against the frontier at its own replica-hours. */
export type FrontierComparison =
  | {
      costVsFrontier: 'within';
      /** Reactive with headroom at the same replica-hours. */
      frontier: Record<ShortfallFigure, number>;
      /** The strategy's figure over the frontier's; null where the frontier's figure is 0. */
      underProvisionedRatio: number | null;
      unservedRatio: number | null;
      /** Short of capacity less of the time than the frontier. */
      belowFrontier: boolean;
    }
  | {
      /** Fewer replica-hours than every headroom point, or more than every one. */
      costVsFrontier: 'cheaper' | 'dearer';
      /** The cheapest or the dearest headroom point. */
      nearest: CostAndShortfall;
      /**
       * Settled only by dominance, never by extrapolation: true when cheaper than every point and short
       * no more often than the cheapest; false when dearer than every point and short at least as often
       * as the best of them; null otherwise.
       */
      belowFrontier: boolean | null;
    }
  | { costVsFrontier: 'no-frontier'; belowFrontier: null };

/**
 * The lowest `figure` reactive scaling with headroom reaches at `replicaHours`, interpolated linearly by
 * replica-hours between neighbouring points of the frontier; undefined outside the points' cost range.
 *
 * The frontier is the points no other point beats on both counts (as cheap or cheaper and as short or
 * less). A headroom that costs more and is short more often than another, which noise in a replay can
 * produce, is never the one to buy, so it is left out rather than let the frontier rise with cost.
 * Beyond the dearest point kept and up to the dearest point replayed, the frontier stays at the dearest
 * kept point's figure: that much is bought for less.
 */
export function frontierAt(
  points: readonly CostAndShortfall[],
  replicaHours: number,
  figure: ShortfallFigure,
): number | undefined {
  if (points.length === 0) return undefined;
  const costs = points.map((p) => p.replicaHours);
  if (replicaHours < Math.min(...costs) || replicaHours > Math.max(...costs)) return undefined;
  const kept = efficientPoints(points, figure);
  let previous: CostAndShortfall | undefined;
  for (const point of kept) {
    if (replicaHours <= point.replicaHours) {
      if (!previous) return point[figure];
      const share = (replicaHours - previous.replicaHours) / (point.replicaHours - previous.replicaHours);
      return previous[figure] + share * (point[figure] - previous[figure]);
    }
    previous = point;
  }
  return previous?.[figure];
}

/** `strategy` against the frontier the headroom points draw, at the strategy's own replica-hours. */
export function compareWithFrontier(
  points: readonly CostAndShortfall[],
  strategy: CostAndShortfall,
): FrontierComparison {
  if (points.length === 0) return { costVsFrontier: 'no-frontier', belowFrontier: null };
  const under = frontierAt(points, strategy.replicaHours, 'underProvisionedTimeshare');
  const unserved = frontierAt(points, strategy.replicaHours, 'unservedFraction');
  if (under !== undefined && unserved !== undefined) {
    return {
      costVsFrontier: 'within',
      frontier: { underProvisionedTimeshare: under, unservedFraction: unserved },
      underProvisionedRatio: ratio(strategy.underProvisionedTimeshare, under),
      unservedRatio: ratio(strategy.unservedFraction, unserved),
      belowFrontier: strategy.underProvisionedTimeshare < under,
    };
  }
  const byCost = efficientPoints(points, 'underProvisionedTimeshare');
  const cheapest = byCost[0] as CostAndShortfall;
  if (strategy.replicaHours < cheapest.replicaHours) {
    return {
      costVsFrontier: 'cheaper',
      nearest: cheapest,
      belowFrontier: strategy.underProvisionedTimeshare <= cheapest.underProvisionedTimeshare ? true : null,
    };
  }
  const dearest = points.reduce((a, b) => (b.replicaHours > a.replicaHours ? b : a));
  const best = byCost[byCost.length - 1] as CostAndShortfall;
  return {
    costVsFrontier: 'dearer',
    nearest: dearest,
    belowFrontier: strategy.underProvisionedTimeshare >= best.underProvisionedTimeshare ? false : null,
  };
}

/**
 * The points no other point beats on `figure` at the same or a lower cost, cheapest first; their figure
 * falls strictly as the cost rises.
 */
function efficientPoints(points: readonly CostAndShortfall[], figure: ShortfallFigure): CostAndShortfall[] {
  const byCost = [...points].sort((a, b) => a.replicaHours - b.replicaHours || a[figure] - b[figure]);
  const kept: CostAndShortfall[] = [];
  for (const point of byCost) {
    const last = kept[kept.length - 1];
    if (!last || point[figure] < last[figure]) kept.push(point);
  }
  return kept;
}

function ratio(value: number, frontier: number): number | null {
  return frontier === 0 ? null : value / frontier;
}
