/**
 * Forecasting: learn a signal's daily/weekly pattern, keep anomalies out, pick the method that beats the
 * baselines on a backtest, and forecast from the newest samples in microseconds.
 *
 * The scaler and the simulator code against `trainModel` and `forecastFrom`; capacity windows and the
 * forecast command against `forecastAhead` (the scaling band, then the long-horizon band); the rest is
 * exported for tools and benchmarks.
 */
export { trainModel, trainModelWithDiagnostics, prepareTraining, detectPeriodInSamples } from './train';
export type { PreparedTraining, TrainingBacktest, TrainingDiagnostics } from './train';
export { leadPairs } from './backtest';
export type { BacktestSetup, CandidateResult, LeadPairs } from './backtest';
export {
  forecastAhead,
  forecastFrom,
  forecastLongHorizon,
  MAX_FORECAST_STEPS,
  MAX_LONG_FORECAST_STEPS,
} from './predict';
export { MODEL_FORMAT_VERSION } from './model-state';
export type { ModelState } from './model-state';
export { ForecastInputError } from './errors';
export { detectSeasonality, detectDominantPeriod, autocorrelation, DAY_MS, WEEK_MS } from './seasonality';
export type { SeasonalityTest } from './seasonality';
export { trendLabel } from './trend';
export { maseScale, smapeTerm } from './metrics';
export { candidateForecasters, forecasterFor, METHOD_NAMES } from './forecasters/registry';
export type { Forecaster, FitSpec, ModelSeries } from './forecasters/forecaster';
export type {
  RegularSeries,
  TrainingOptions,
  TrainedModel,
  ForecastResult,
  BacktestScore,
  LongHorizonScore,
  LongHorizonSummary,
  SeasonalityOption,
} from './types';
