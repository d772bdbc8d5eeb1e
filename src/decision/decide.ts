import { isWithinBusinessHours } from '../config/business-hours';
import type { CommonTriggerConfig } from '../config/trigger-config';
import type { ForecastView } from '../forecast/port/forecast-port';

/** Why the returned value is what it is; exported as a metric label. */
export type DecisionReason = 'live' | 'forecast' | 'business-hours' | 'fallback';

export interface DecisionInput {
  /** The live value, or the last good one while it is within `maxStaleness`. */
  live: number;
  /** What the activation level is compared with, where the source says it is not `live`. @default live */
  activity?: number;
  /** True when `live` is a last good value served because the source failed. */
  liveIsStale: boolean;
  /** Present only when a model that beat the baselines is available for this trigger. */
  forecast: Pick<ForecastView, 'peakWhenReady' | 'peakWithinLead' | 'peakWithinColdStartBudget'> | undefined;
  nowMs: number;
  /**
   * True when the deployment is believed to be at zero (`SleepEstimate`): the cold-start budget keeps an
   * awake deployment up, it does not wake a sleeping one; the lead does. @default false
   */
  asleep?: boolean;
}

export interface Decision {
  /** What KEDA receives: finite, ≥ 0. */
  value: number;
  /** IsActive's answer. */
  active: boolean;
  reason: DecisionReason;
  /** The capacity forecast (`peakWhenReady`) the decision saw (also in shadow mode), for metrics. */
  forecastValue: number | undefined;
  /** Whether the forecast raised the value above live (the pre-warm share). */
  forecastUsed: boolean;
}

export type DecisionConfig = Pick<
  CommonTriggerConfig,
  'predictive' | 'activationTarget' | 'businessHours' | 'businessHoursMultiplier' | 'timezone'
>;

/**
 * The decision rule (docs/architecture.md, "The decision rule"): value = max(live, forecast when a replica
 * started now could serve) × business-hours multiplier; active when live, the forecast over the lead
 * window or, unless the deployment is asleep, the forecast within the cold-start budget exceeds the
 * activation level. Pure: the server and the simulator both reach it through `EvaluationStep`, so they
 * can never disagree.
 */
export function decide(config: DecisionConfig, input: DecisionInput): Decision {
  const live = clampMetric(input.live);
  const { forecast } = input;
  const forecastValue = forecast === undefined ? undefined : clampMetric(forecast.peakWhenReady);
  const useForecast = config.predictive === 'true' && forecast !== undefined && forecastValue !== undefined;

  let value = live;
  let reason: DecisionReason = input.liveIsStale ? 'fallback' : 'live';
  let forecastUsed = false;
  if (useForecast && forecastValue > live) {
    value = forecastValue;
    reason = 'forecast';
    forecastUsed = true;
  }
  if (
    config.businessHours !== undefined &&
    config.businessHoursMultiplier !== 1 &&
    isWithinBusinessHours(config.businessHours, config.timezone, input.nowMs)
  ) {
    value *= config.businessHoursMultiplier;
    reason = 'business-hours';
  }
  const active =
    clampMetric(input.activity ?? live) > config.activationTarget ||
    (useForecast &&
      (clampMetric(forecast.peakWithinLead) > config.activationTarget ||
        (input.asleep !== true &&
          clampMetric(forecast.peakWithinColdStartBudget) > config.activationTarget)));
  return { value: clampMetric(value), active, reason, forecastValue, forecastUsed };
}

/** KEDA turns NaN, Inf and negatives into 0 anyway; doing it here keeps our own metrics honest too. */
export function clampMetric(value: number): number {
  // `<= 0` also turns -0 into 0: its sign bit would otherwise travel to KEDA in the double field.
  if (!Number.isFinite(value) || value <= 0) return value === Infinity ? Number.MAX_SAFE_INTEGER : 0;
  return Math.min(value, Number.MAX_SAFE_INTEGER);
}
