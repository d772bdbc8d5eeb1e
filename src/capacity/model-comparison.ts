/**
 * Every candidate of a training's backtest side by side, in the measures a capacity review asks for: the
 * error in the resource's own unit (MAE, RMSE), how much of the variation the forecast explains (R²), the
 * scaler's own MASE, and, given a per-replica target, how often the replica count the forecast implies is
 * the one the actual value implied. `recommend --report` prints it.
 */
import { leadPairs, type TrainingBacktest } from '../forecast';

/** Point-forecast errors over the pairs where both the forecast and the actual value are known. */
export interface ForecastErrors {
  samples: number;
  /** Mean absolute error, in the resource's unit. */
  mae: number;
  /** Root mean squared error, in the resource's unit: large misses weigh more than in the MAE. */
  rmse: number;
  /**
   * 1 − SSE / SST around the mean of the actual values: 1 is perfect, 0 is no better than that mean,
   * below 0 worse. NaN when the actual values do not vary (nothing to explain).
   */
  r2: number;
  /**
   * MAE over the backtest's own MASE scale (same time yesterday's error on the anomaly-filtered fold): the
   * number the selection ranks candidates by.
   */
  mase: number;
}

/** How often the forecast's replica count matches the actual value's, as shares from 0 to 1. */
export interface ReplicaAgreement {
  samples: number;
  exact: number;
  withinOne: number;
}

/** One candidate's scores on the backtest; `failure` instead when it could not be fitted. */
export interface CandidateComparison {
  method: string;
  failure?: string;
  errors: ForecastErrors;
  /** Present when a per-replica target was given. */
  replicas?: ReplicaAgreement;
}

/**
 * Slack before rounding up: 1.1 cores at 0.1 per replica is 11 replicas, not 12 because 1.1 / 0.1 is
 * 11.000000000000002.
 */
const EPSILON = 1e-9;

/**
 * Replicas needed for `value` at `target` per replica: ceil(value / target), never negative (an additive
 * model can forecast below zero, and no deployment runs fewer than zero pods).
 */
export function replicaCount(value: number, target: number): number {
  return Math.max(0, Math.ceil(value / target - EPSILON));
}

/** MAE, RMSE, R² and MASE of `forecasts` against `actuals`; pairs with a NaN on either side are skipped. */
export function forecastErrors(
  forecasts: ArrayLike<number>,
  actuals: ArrayLike<number>,
  maseScale: number,
): ForecastErrors {
  let samples = 0;
  let absolute = 0;
  let squared = 0;
  let sum = 0;
  forEachPair(forecasts, actuals, (forecast, actual) => {
    const error = forecast - actual;
    absolute += Math.abs(error);
    squared += error * error;
    sum += actual;
    samples++;
  });
  if (samples === 0) return { samples, mae: NaN, rmse: NaN, r2: NaN, mase: NaN };
  const mean = sum / samples;
  let total = 0;
  forEachPair(forecasts, actuals, (_, actual) => {
    total += (actual - mean) * (actual - mean);
  });
  const mae = absolute / samples;
  return {
    samples,
    mae,
    rmse: Math.sqrt(squared / samples),
    r2: total > 0 ? 1 - squared / total : NaN,
    mase: mae / maseScale,
  };
}

/** Shares of pairs whose replica counts at `target` are equal, and at most one apart. */
export function replicaAgreement(
  forecasts: ArrayLike<number>,
  actuals: ArrayLike<number>,
  target: number,
): ReplicaAgreement {
  let samples = 0;
  let exact = 0;
  let withinOne = 0;
  forEachPair(forecasts, actuals, (forecast, actual) => {
    const difference = Math.abs(replicaCount(forecast, target) - replicaCount(actual, target));
    if (difference === 0) exact++;
    if (difference <= 1) withinOne++;
    samples++;
  });
  return samples === 0
    ? { samples, exact: NaN, withinOne: NaN }
    : { samples, exact: exact / samples, withinOne: withinOne / samples };
}

/**
 * Scores every candidate of `backtest` on its forecasts `lead` blocks ahead from each holdout origin: the
 * same forecasts and actual values the selection scored, so the MASE here is the backtest's own.
 */
export function compareCandidates(
  backtest: TrainingBacktest,
  options: { lead: number; target?: number },
): CandidateComparison[] {
  const { setup, results } = backtest;
  return results.map((result): CandidateComparison => {
    if (result.failure !== undefined) {
      return {
        method: result.name,
        failure: result.failure,
        errors: forecastErrors([], [], setup.scale),
        ...(options.target !== undefined && { replicas: replicaAgreement([], [], options.target) }),
      };
    }
    const { forecasts, actuals } = leadPairs(result.predictions, setup, options.lead);
    return {
      method: result.name,
      errors: forecastErrors(forecasts, actuals, setup.scale),
      ...(options.target !== undefined && {
        replicas: replicaAgreement(forecasts, actuals, options.target),
      }),
    };
  });
}

function forEachPair(
  forecasts: ArrayLike<number>,
  actuals: ArrayLike<number>,
  visit: (forecast: number, actual: number) => void,
): void {
  if (forecasts.length !== actuals.length) {
    throw new Error(`${forecasts.length} forecasts against ${actuals.length} actual values`);
  }
  for (let i = 0; i < forecasts.length; i++) {
    const forecast = forecasts[i] as number;
    const actual = actuals[i] as number;
    if (!Number.isNaN(forecast) && !Number.isNaN(actual)) visit(forecast, actual);
  }
}
