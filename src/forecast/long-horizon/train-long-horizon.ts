import { DAY_MS, WEEK_MS, formatDuration } from '../../util/duration';
import { withinBlockSpread } from '../intervals';
import type { PreparedTraining } from '../train';
import { toModelScale } from '../transform';
import type { LongHorizonSummary, RegularSeries, TrainingOptions } from '../types';
import type { LongBandState } from './long-band';
import { baselineLongBand, firstOriginFor, trainLongBand } from './long-band';
import type { ProfilePeriods } from './profile-methods';

/** How far the long band reaches when the options do not say. */
export const DEFAULT_LONG_HORIZON_MS = WEEK_MS;
/** Days each selection origin is scored over: long enough to see tomorrow and the day after. */
const SELECTION_DAYS = 2;

/** The long band as stored in a model's state. */
export interface LongHorizonState extends LongBandState {
  /**
   * Spread of input samples around their block mean, in the bands' scale, when blocks average several
   * samples: added to the block band (in quadrature) for per-sample bounds.
   */
  withinBlock?: { lower: number; upper: number };
}

export interface LongHorizonTraining {
  state: LongHorizonState;
  summary: LongHorizonSummary;
  /** Newest blocks the model must keep for the band to forecast from its memory. */
  memoryBlocks: number;
}

/**
 * Trains the long-horizon band on the prepared blocks: the periods are a calendar day and week when the
 * series has a clock (or the detected season, and seven of it, when it counts steps), the selection
 * horizon is two of those days, and the bands are calibrated out to `longHorizonMs`.
 */
export function trainLongHorizon(
  prepared: PreparedTraining,
  history: RegularSeries,
  options: TrainingOptions,
): LongHorizonTraining {
  const { grid, filtered, observed, spec } = prepared;
  const periods = profilePeriods(grid.blockMs, spec.periods, options);
  // A series that counts steps has no calendar week: its default reach is seven of its seasons.
  const requested =
    options.longHorizonMs !== undefined
      ? Math.ceil(options.longHorizonMs / grid.blockMs - 1e-9)
      : options.timeUnit === 'step'
        ? periods.week
        : Math.ceil(DEFAULT_LONG_HORIZON_MS / grid.blockMs - 1e-9);
  // No lead longer than the history can be calibrated: the last band is held past it.
  const calibrationHorizon = Math.max(1, Math.min(requested, filtered.length));
  const selectionHorizon = Math.max(1, Math.min(calibrationHorizon, SELECTION_DAYS * periods.day));
  const setup = {
    filtered,
    observed,
    periods,
    seasonal: spec.periods.length > 0,
    weekly: spec.periods.includes(periods.week),
    selectionHorizon,
    calibrationHorizon,
    quantile: options.quantile,
    transform: spec.transform,
    formatLeads: (blocks: number) => formatDuration(blocks * grid.blockMs, options.timeUnit),
  };
  // A lead longer than half the history has too few origins to score: it is calibrated, not reported.
  const reported = reportedLeads(
    periods,
    Math.min(calibrationHorizon, Math.max(1, Math.floor(filtered.length / 2))),
  );
  // Forecasts answer from the scaling band up to its longest lead: a band asked for no further is never read.
  const scalingReachMs = Math.max(0, ...options.leadTimesMs);
  const result =
    requested * grid.blockMs <= scalingReachMs
      ? baselineLongBand(setup, reported)
      : trainLongBand(setup, reported);
  const state: LongHorizonState = result.state;
  const spread = withinBlockSpread(history.values, grid.aggregation, options.quantile, (v) =>
    toModelScale(state.bandScale, v),
  );
  if (spread !== undefined) state.withinBlock = spread;
  const calibratedBins = state.bands.flatMap((bands) =>
    bands.binEnds.filter((_, i) => (bands.counts[i] as number) > 0),
  );
  return {
    state,
    summary: {
      method: result.method,
      reason: result.reason,
      selectionHorizonMs: Math.min(selectionHorizon, Math.floor(filtered.length / 3)) * grid.blockMs,
      calibratedHorizonMs: Math.max(0, ...calibratedBins) * grid.blockMs,
      scores: result.scores.map((s) => ({
        leadMs: s.lead * grid.blockMs,
        mase: s.mase,
        smape: s.smape,
        pinball: s.pinball,
        coverage: s.coverage,
      })),
    },
    memoryBlocks: firstOriginFor(state.members, periods) + 1,
  };
}

/** A day and a week in blocks, or the series' own season (and seven of it) when it has no clock. */
export function profilePeriods(
  blockMs: number,
  seasonalPeriods: number[],
  options: Pick<TrainingOptions, 'timeUnit'>,
): ProfilePeriods {
  const day = Math.round(DAY_MS / blockMs);
  if (options.timeUnit !== 'step' && day >= 2) return { day, week: 7 * day };
  const season = Math.max(1, seasonalPeriods[0] ?? 1);
  return { day: season, week: 7 * season };
}

/** Leads the long band reports: an hour, a day, a week and its whole horizon, as far as it reaches. */
function reportedLeads(periods: ProfilePeriods, horizon: number): number[] {
  const hour = Math.max(1, Math.round(periods.day / 24));
  return [...new Set([hour, periods.day, periods.week, horizon])]
    .filter((lead) => lead >= 1 && lead <= horizon)
    .sort((a, b) => a - b);
}
