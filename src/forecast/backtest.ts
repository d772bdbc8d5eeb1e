import type { FitSpec, Forecaster, ModelSeries } from './forecasters/forecaster';
import type { ResidualQuantiles } from './intervals';
import { intervalAt, quantilesByLead, residualsByLead } from './intervals';
import { isMissing } from '../anomaly/robust-stats';
import { ErrorAccumulator, pinballLoss } from './metrics';
import type { Transform } from './transform';
import { toModelScale } from './transform';

/** One rolling-origin backtest: fit on the first `foldEnd` blocks, forecast from every later origin. */
export interface BacktestSetup {
  /** Anomaly-filtered blocks: what models learn from. */
  filtered: Float64Array;
  /** Blocks as observed: what models see as new data after the fold, and what they are scored against. */
  observed: Float64Array;
  blockMs: number;
  originMs: number;
  foldEnd: number;
  spec: FitSpec;
  /** Leads (blocks) that scores are reported at. */
  leadBlocks: number[];
  /** MASE denominator. */
  scale: number;
  quantile: number;
}

export interface LeadScore {
  mase: number;
  smape: number;
  /** Share of actuals at or below the upper bound, with the band calibrated on the other half of the holdout. */
  coverage: number;
  /** Mean pinball loss of that upper bound, in units of the MASE scale. */
  pinball: number;
}

export interface CandidateResult {
  name: string;
  forecaster: Forecaster<unknown>;
  /** Scores at `setup.leadBlocks`, in order. */
  scores: LeadScore[];
  meanMase: number;
  /** Parameters fitted on the fold. */
  params: unknown;
  /** Forecasts from every holdout origin, `[(origin − firstOrigin) × maxLead + lead − 1]`. */
  predictions: Float64Array;
  firstOrigin: number;
  fitMs: number;
  /** Set when the method could not be fitted; it is then out of the selection. */
  failure?: string;
}

/**
 * Rolling-origin evaluation with parameters fitted once on the fold (the usual "fixed origin parameters,
 * rolling forecast origin" scheme): cheap enough to score every candidate at every origin of the
 * holdout, and honest because no forecast uses data after its origin.
 */
export function backtestCandidate(forecaster: Forecaster<unknown>, setup: BacktestSetup): CandidateResult {
  const { filtered, observed, foldEnd, spec } = setup;
  const n = observed.length;
  const maxLead = spec.maxLead;
  const started = performance.now();
  let params: unknown;
  const fold: ModelSeries = {
    values: filtered.subarray(0, foldEnd),
    firstBlock: 0,
    blockMs: setup.blockMs,
    originMs: setup.originMs,
  };
  try {
    params = forecaster.fit(fold, spec);
  } catch (error) {
    return failed(forecaster, setup, `fit failed: ${(error as Error).message}`);
  }
  const fitMs = performance.now() - started;
  const inputs = new Float64Array(n);
  inputs.set(filtered.subarray(0, foldEnd));
  inputs.set(observed.subarray(foldEnd), foldEnd);
  const series: ModelSeries = { ...fold, values: inputs };
  const from = foldEnd - 1;
  const to = n - 1;
  const predictions = new Float64Array((to - from) * maxLead);
  forecaster.predict(params, series, from, to, maxLead, predictions);
  return scorePredictions(forecaster, params, predictions, setup, fitMs);
}

/** Origin of the first backtest forecast: the last block of the fold. */
export function firstBacktestOrigin(setup: BacktestSetup): number {
  return setup.foldEnd - 1;
}

/** Each holdout origin's forecast at one lead and the value then; entry `i` is origin `firstBacktestOrigin + i`. */
export interface LeadPairs {
  forecasts: Float64Array;
  actuals: Float64Array;
}

/**
 * The forecasts `lead` blocks ahead from every holdout origin whose target lies within the history, next
 * to the actual values (gaps stay NaN for the caller to skip). Every score of a backtest reads its pairs here,
 * so the selection and any report on it measure the same forecasts against the same values.
 */
export function leadPairs(predictions: Float64Array, setup: BacktestSetup, lead: number): LeadPairs {
  const { observed } = setup;
  const maxLead = setup.spec.maxLead;
  const from = firstBacktestOrigin(setup);
  const count = Math.max(0, observed.length - from - lead);
  const forecasts = new Float64Array(count);
  const actuals = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    forecasts[i] = predictions[i * maxLead + lead - 1] as number;
    actuals[i] = observed[from + i + lead] as number;
  }
  return { forecasts, actuals };
}

/**
 * Scores holdout forecasts (laid out as `backtestCandidate` makes them) at the scoring leads: MASE,
 * sMAPE, and the coverage of an upper bound calibrated on the first half of the holdout, measured on the
 * second half.
 */
export function scorePredictions(
  forecaster: Forecaster<unknown>,
  params: unknown,
  predictions: Float64Array,
  setup: BacktestSetup,
  fitMs: number,
): CandidateResult {
  const { observed, spec } = setup;
  const n = observed.length;
  const maxLead = spec.maxLead;
  const from = firstBacktestOrigin(setup);
  const to = n - 1;
  const transform = spec.transform;
  const scaleFn = residualScale(forecaster.intervalScale, transform);
  const middle = from + Math.floor((to - from) / 2);
  const firstHalf = quantilesByLead(
    residualsByLead(predictions, observed, from, maxLead, scaleFn, {
      originFilter: (o) => o < middle,
      leads: setup.leadBlocks,
    }),
    setup.quantile,
    forecaster.intervalScale,
  );
  const scores: LeadScore[] = setup.leadBlocks.map((lead) => {
    const errors = new ErrorAccumulator();
    const coverage = new ErrorAccumulator();
    let pinball = 0;
    const pairs = leadPairs(predictions, setup, lead);
    for (let i = 0; i < pairs.forecasts.length; i++) {
      const origin = from + i;
      const forecast = pairs.forecasts[i] as number;
      const actual = pairs.actuals[i] as number;
      errors.add(forecast, actual);
      if (origin >= middle && !isMissing(forecast) && !isMissing(actual)) {
        const upper = intervalAt(firstHalf, transform, forecast, lead).upper;
        coverage.add(forecast, actual, upper);
        pinball += pinballLoss(actual, upper, setup.quantile);
      }
    }
    return {
      mase: errors.mase(setup.scale),
      smape: errors.meanSmape(),
      coverage: coverage.coverage(),
      pinball: coverage.samples === 0 ? NaN : pinball / coverage.samples / setup.scale,
    };
  });
  const meanMase = scores.reduce((sum, s) => sum + s.mase, 0) / Math.max(1, scores.length);
  return {
    name: forecaster.name,
    forecaster,
    scores,
    meanMase,
    params,
    predictions,
    firstOrigin: from,
    fitMs,
  };
}

/** Residual quantiles per lead over the whole holdout: the intervals a shipped model carries. */
export function holdoutQuantiles(result: CandidateResult, setup: BacktestSetup): ResidualQuantiles {
  const scale = result.forecaster.intervalScale;
  return quantilesByLead(
    residualsByLead(
      result.predictions,
      setup.observed,
      result.firstOrigin,
      setup.spec.maxLead,
      residualScale(scale, setup.spec.transform),
    ),
    setup.quantile,
    scale,
  );
}

function residualScale(scale: 'identity' | 'transform', transform: Transform): (v: number) => number {
  return scale === 'transform' ? (v) => toModelScale(transform, v) : (v) => v;
}

function failed(forecaster: Forecaster<unknown>, setup: BacktestSetup, failure: string): CandidateResult {
  return {
    name: forecaster.name,
    forecaster,
    scores: setup.leadBlocks.map(() => ({ mase: NaN, smape: NaN, coverage: NaN, pinball: NaN })),
    meanMase: NaN,
    params: undefined,
    predictions: new Float64Array(0),
    firstOrigin: 0,
    fitMs: 0,
    failure,
  };
}
