import { quantityOf, type Quantity, type ResourceKind } from './units';
import type { CapacityWindow } from './windows';

/** How a window's forecast becomes a request and a limit. */
export interface WindowPolicy {
  /** Request = this × the forecast basis. */
  requestMultiplier: number;
  /** Limit = this × the forecast basis. */
  limitMultiplier: number;
  /** When false (the default), neither request nor limit goes below the observed peak. @default false */
  allowBelowPeak: boolean;
}

/**
 * Defaults: 80 % / 120 % of the forecast for a day, a week and a weekend; 70 % / 150 % for a month, whose
 * forecast is the least certain, so its limit leaves more room and its request trusts the peak less.
 */
export const DEFAULT_POLICIES: Readonly<Record<CapacityWindow, WindowPolicy>> = {
  next_day: { requestMultiplier: 0.8, limitMultiplier: 1.2, allowBelowPeak: false },
  next_week: { requestMultiplier: 0.8, limitMultiplier: 1.2, allowBelowPeak: false },
  next_weekend: { requestMultiplier: 0.8, limitMultiplier: 1.2, allowBelowPeak: false },
  next_month: { requestMultiplier: 0.7, limitMultiplier: 1.5, allowBelowPeak: false },
};

/** What bounded a value: the forecast × multiplier, or the observed peak it may not go below. */
export type RecommendationBound = 'forecast' | 'observed-peak';

/** One resource's request and limit for one window. */
export interface Recommendation {
  resource: ResourceKind;
  request: Quantity & { bound: RecommendationBound };
  limit: Quantity & { bound: RecommendationBound };
  /** The forecast value the multipliers apply to: the highest `quantile` forecast in the window. */
  basis: number;
  /** Highest value in the history the forecast learned from; undefined when no history was read. */
  observedPeak: number | undefined;
  policy: WindowPolicy;
}

/**
 * Request and limit from a window's forecast: `multiplier × basis`, raised to the observed peak unless the
 * policy allows going below it, then rounded up to Kubernetes units. The peak floor guards what a forecast
 * cannot see coming (a model that did not beat the baselines, a spike that is rare but real): a limit below
 * what the workload already used throttles CPU or gets the container OOM-killed, and a request below it
 * packs pods onto nodes that were already too small once. The limit is never below the request.
 */
export function recommend(
  resource: ResourceKind,
  basis: number,
  observedPeak: number | undefined,
  policy: WindowPolicy,
): Recommendation {
  const bounded = (multiplier: number): { value: number; bound: RecommendationBound } => {
    const fromForecast = Number.isFinite(basis) && basis > 0 ? multiplier * basis : 0;
    if (!policy.allowBelowPeak && observedPeak !== undefined && observedPeak > fromForecast) {
      return { value: observedPeak, bound: 'observed-peak' };
    }
    return { value: fromForecast, bound: 'forecast' };
  };
  const request = bounded(policy.requestMultiplier);
  const limit = bounded(policy.limitMultiplier);
  const requestQuantity = { ...quantityOf(resource, request.value), bound: request.bound };
  let limitQuantity = { ...quantityOf(resource, limit.value), bound: limit.bound };
  // A limit multiplier below the request's (a policy the user set) must not make an invalid pod spec.
  if (limitQuantity.value < requestQuantity.value) limitQuantity = { ...requestQuantity };
  return {
    resource,
    request: requestQuantity,
    limit: limitQuantity,
    basis,
    observedPeak,
    policy,
  };
}

/**
 * Reads a policy override such as `0.8:1.2` (request and limit multipliers). Throws a message naming what
 * was given and what is expected.
 */
export function parseMultipliers(text: string): Pick<WindowPolicy, 'requestMultiplier' | 'limitMultiplier'> {
  const match = /^\s*([0-9]*\.?[0-9]+)\s*:\s*([0-9]*\.?[0-9]+)\s*$/.exec(text);
  const request = Number(match?.[1]);
  const limit = Number(match?.[2]);
  if (!match || !(request > 0) || !(limit > 0) || request > 10 || limit > 10) {
    throw new Error(
      `multipliers ${JSON.stringify(text)} are invalid: expected REQUEST:LIMIT, two numbers above 0 and ` +
        'at most 10, e.g. 0.8:1.2',
    );
  }
  if (limit < request) {
    throw new Error(
      `multipliers ${JSON.stringify(text)} are invalid: the limit multiplier is below the request's`,
    );
  }
  return { requestMultiplier: request, limitMultiplier: limit };
}
