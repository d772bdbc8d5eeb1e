import { finiteMean, isMissing as isMissingValue } from '../../anomaly/robust-stats';
import { centredMovingMean } from '../../anomaly/seasonal-residual';
import { logistic, logit, nelderMead } from '../optimise';
import type { FitSpec, Forecaster, ModelSeries } from './forecaster';

/** Bound once: a call through the module binding (a getter under some loaders) costs more in these loops. */
const isMissing = isMissingValue;

/** Holt-Winters parameters and the state after the last block it has absorbed. */
export interface HoltWintersParams {
  seasonality: 'additive' | 'multiplicative';
  /** Season length in blocks; 0 = no season (damped Holt). */
  period: number;
  alpha: number;
  beta: number;
  gamma: number;
  /** Damping of the trend: forecasts level off instead of extrapolating a slope for ever. */
  phi: number;
  level: number;
  trend: number;
  /** Seasonal indices by slot (grid block mod period). */
  season: number[];
  /** Grid block of the last observation absorbed into level, trend and season. */
  stateBlock: number;
}

const PHI_MIN = 0.8;
const PHI_RANGE = 0.18;
const TINY = 1e-9;

/**
 * Holt-Winters with damped trend (Hyndman et al., "Forecasting with exponential smoothing", ETS(A,Ad,A)
 * and ETS(A,Ad,M) in error-correction form). Smoothing parameters minimise the one-step squared error
 * with Nelder-Mead, bounded through logistic transforms (0 < β ≤ α, 0 < γ ≤ 1 − α, 0.8 ≤ φ ≤ 0.98).
 * The season is the longest period with at least three cycles in the window, else the shortest period.
 */
export function holtWintersForecaster(
  seasonality: 'additive' | 'multiplicative',
  trend: 'damped' | 'none' = 'damped',
): Forecaster<HoltWintersParams> {
  const name = seasonality === 'additive' ? 'holt-winters-additive' : 'holt-winters-multiplicative';
  return {
    name: trend === 'damped' ? name : `${name}-no-trend`,
    intervalScale: 'identity',
    fit: (series, spec) => fitHoltWinters(series, spec, seasonality, trend),
    predict: predictHoltWinters,
    advance: advanceHoltWinters,
  };
}

/** Season length Holt-Winters uses for a training window of `fullLength` blocks. */
export function holtWintersPeriod(periods: number[], fullLength: number): number {
  let chosen = 0;
  for (const period of periods) if (fullLength >= 3 * period) chosen = period;
  if (chosen === 0 && periods.length > 0) chosen = periods[0] as number;
  return chosen;
}

function fitHoltWinters(
  series: ModelSeries,
  spec: FitSpec,
  seasonality: 'additive' | 'multiplicative',
  trendKind: 'damped' | 'none',
): HoltWintersParams {
  const values = series.values;
  let period = holtWintersPeriod(spec.periods, spec.fullLength);
  if (period > 0 && values.length < 2 * period) period = 0;
  const init = initialState(values, series.firstBlock, period, seasonality);
  if (trendKind === 'none') init.trend = 0;
  const withTrend = trendKind === 'damped';
  const season = new Float64Array(init.season);
  const scratch = { level: init.level, trend: init.trend };
  const objective = (u: Float64Array): number => {
    season.set(init.season);
    scratch.level = init.level;
    scratch.trend = init.trend;
    const p = decode(u, period > 0, withTrend);
    return runFilter(
      values,
      series.firstBlock,
      init.start,
      values.length,
      period,
      seasonality,
      p,
      scratch,
      season,
    );
  };
  const start = [logit(0.3)];
  if (withTrend) start.push(logit(0.1));
  if (period > 0) start.push(logit(0.1));
  if (withTrend) start.push(logit(0.8));
  const best = nelderMead(objective, start, { step: 1, maxEvaluations: 40 * start.length });
  const p = decode(best.x, period > 0, withTrend);
  season.set(init.season);
  const state = { level: init.level, trend: init.trend };
  runFilter(values, series.firstBlock, init.start, values.length, period, seasonality, p, state, season);
  return {
    seasonality,
    period,
    ...p,
    level: state.level,
    trend: state.trend,
    season: Array.from(season),
    stateBlock: series.firstBlock + values.length - 1,
  };
}

function predictHoltWinters(
  params: HoltWintersParams,
  series: ModelSeries,
  from: number,
  to: number,
  maxLead: number,
  out: Float64Array,
): void {
  const { period, seasonality } = params;
  const season = Float64Array.from(params.season);
  const state = { level: params.level, trend: params.trend };
  const stateIndex = params.stateBlock - series.firstBlock;
  const firstOrigin = Math.max(from, stateIndex);
  if (firstOrigin > stateIndex) {
    runFilter(
      series.values,
      series.firstBlock,
      stateIndex + 1,
      firstOrigin + 1,
      period,
      seasonality,
      params,
      state,
      season,
    );
  }
  const dampedSums = new Float64Array(maxLead);
  let power = 1;
  let sum = 0;
  for (let h = 0; h < maxLead; h++) {
    power *= params.phi;
    sum += power;
    dampedSums[h] = sum;
  }
  for (let origin = firstOrigin; origin < to; origin++) {
    if (origin > firstOrigin) {
      runFilter(
        series.values,
        series.firstBlock,
        origin,
        origin + 1,
        period,
        seasonality,
        params,
        state,
        season,
      );
    }
    const originBlock = series.firstBlock + origin;
    for (let lead = 1; lead <= maxLead; lead++) {
      const base = state.level + (dampedSums[lead - 1] as number) * state.trend;
      const s =
        period > 0
          ? (season[slot(originBlock + lead, period)] as number)
          : seasonality === 'additive'
            ? 0
            : 1;
      const forecast = seasonality === 'additive' ? base + s : base * s;
      out[(origin - from) * maxLead + lead - 1] = forecast;
    }
  }
  // Origins before the state (not used by the backtest) get the forecast from the state.
  for (let origin = from; origin < Math.min(firstOrigin, to); origin++) {
    out.copyWithin(
      (origin - from) * maxLead,
      (firstOrigin - from) * maxLead,
      (firstOrigin - from + 1) * maxLead,
    );
  }
}

function advanceHoltWinters(params: HoltWintersParams, series: ModelSeries): HoltWintersParams {
  const stateIndex = params.stateBlock - series.firstBlock;
  const end = series.values.length;
  if (stateIndex + 1 >= end) return params;
  const season = Float64Array.from(params.season);
  const state = { level: params.level, trend: params.trend };
  runFilter(
    series.values,
    series.firstBlock,
    stateIndex + 1,
    end,
    params.period,
    params.seasonality,
    params,
    state,
    season,
  );
  return {
    ...params,
    level: state.level,
    trend: state.trend,
    season: Array.from(season),
    stateBlock: series.firstBlock + end - 1,
  };
}

interface SmoothingParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** Maps unconstrained optimiser coordinates to admissible parameters: [α, (β), (γ), (φ)]. */
function decode(u: Float64Array, seasonal: boolean, withTrend: boolean): SmoothingParams {
  let i = 0;
  const alpha = logistic(u[i++] as number);
  const beta = withTrend ? alpha * logistic(u[i++] as number) : 0;
  const gamma = seasonal ? (1 - alpha) * logistic(u[i++] as number) : 0;
  const phi = withTrend ? PHI_MIN + PHI_RANGE * logistic(u[i++] as number) : 1;
  return { alpha, beta, gamma, phi };
}

interface InitialState {
  level: number;
  trend: number;
  season: Float64Array;
  /** First index the filter runs from (after the blocks used to initialise). */
  start: number;
}

/**
 * Initial states: level = mean of the first cycle, trend = change between the means of the first two
 * cycles, seasonal indices = the average detrended shape of every cycle in the window (the series minus
 * its centred one-cycle moving mean). Averaging all cycles, rather than taking the first one, stands in
 * for estimating the initial states: with a small γ, a first-cycle shape would be carried for weeks.
 */
function initialState(
  values: Float64Array,
  firstBlock: number,
  period: number,
  seasonality: 'additive' | 'multiplicative',
): InitialState {
  if (period === 0) {
    const first = values.findIndex((v) => !isMissing(v));
    return {
      level: first < 0 ? 0 : (values[first] as number),
      trend: 0,
      season: new Float64Array(0),
      start: first + 1,
    };
  }
  const firstMean = finiteMean(values, 0, period);
  const secondMean = values.length >= 2 * period ? finiteMean(values, period, 2 * period) : NaN;
  const level = isMissing(firstMean) ? finiteMean(values) : firstMean;
  const trend = isMissing(secondMean) || isMissing(firstMean) ? 0 : (secondMean - firstMean) / period;
  const additive = seasonality === 'additive';
  const smooth = centredMovingMean(values, period);
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const m = smooth[i] as number;
    if (isMissing(v) || isMissing(m) || (!additive && !(m > TINY))) continue;
    const k = slot(firstBlock + i, period);
    sums[k] = (sums[k] as number) + (additive ? v - m : v / m);
    counts[k] = (counts[k] as number) + 1;
  }
  const season = new Float64Array(period);
  let total = 0;
  for (let k = 0; k < period; k++) {
    season[k] = (counts[k] as number) > 0 ? (sums[k] as number) / (counts[k] as number) : additive ? 0 : 1;
    total += season[k] as number;
  }
  // Normalise: additive indices sum to 0, multiplicative ones average 1.
  for (let k = 0; k < period; k++) {
    season[k] = additive
      ? (season[k] as number) - total / period
      : Math.max(((season[k] as number) * period) / total, TINY);
  }
  // The level is the mean of the cycle, centred half a cycle before its end: bring it to the end.
  return { level: level + (trend * (period - 1)) / 2, trend, season, start: period };
}

/**
 * Runs the error-correction equations over `values[from, to)`, updating `state` and `season` in place;
 * returns the sum of squared one-step errors. A gap is bridged by the model's own forecast.
 */
function runFilter(
  values: Float64Array,
  firstBlock: number,
  from: number,
  to: number,
  period: number,
  seasonality: 'additive' | 'multiplicative',
  p: SmoothingParams,
  state: { level: number; trend: number },
  season: Float64Array,
): number {
  const { alpha, beta, gamma, phi } = p;
  let level = state.level;
  let trend = state.trend;
  let sse = 0;
  const additive = seasonality === 'additive';
  // Slot of block i, advanced incrementally (no modulo per step). Comparisons rather than Math.max in
  // this loop: it runs ~150 times per fit, and builtins called across realms (Jest) are not inlined.
  let k = period > 0 ? slot(firstBlock + from, period) : 0;
  for (let i = from; i < to; i++) {
    const s = period > 0 ? (season[k] as number) : additive ? 0 : 1;
    const base = level + phi * trend;
    const y = values[i] as number;
    if (y !== y) {
      level = base;
      trend = phi * trend;
    } else {
      const forecast = additive ? base + s : base * s;
      const error = y - forecast;
      sse += error * error;
      let nextLevel: number;
      if (additive) {
        nextLevel = alpha * (y - s) + (1 - alpha) * base;
        if (period > 0) season[k] = gamma * (y - nextLevel) + (1 - gamma) * s;
      } else {
        nextLevel = alpha * (y / (s > TINY ? s : TINY)) + (1 - alpha) * base;
        if (nextLevel < TINY) nextLevel = TINY;
        if (period > 0) {
          const nextSeason = gamma * (y / nextLevel) + (1 - gamma) * s;
          season[k] = nextSeason > TINY ? nextSeason : TINY;
        }
      }
      trend = beta * (nextLevel - level) + (1 - beta) * phi * trend;
      level = nextLevel;
    }
    if (period > 0 && ++k === period) k = 0;
  }
  state.level = level;
  state.trend = trend;
  return sse;
}

function slot(block: number, period: number): number {
  return ((block % period) + period) % period;
}
