import { anchoredSeasonalForecaster } from './anchored-seasonal';
import { COMBINATION, combinationForecaster } from './combination';
import type { Forecaster } from './forecaster';
import { fourierRegressionForecaster } from './fourier-regression';
import { holtWintersForecaster } from './holt-winters';
import { lastValueForecaster } from './last-value';
import { seasonalNaiveForecaster } from './seasonal-naive';

/** Every method name a trained model can carry. */
export const METHOD_NAMES = [
  'last-value',
  'seasonal-naive-day',
  'seasonal-naive-week',
  'holt-winters-additive',
  'holt-winters-multiplicative',
  'fourier-regression',
  'anchored-seasonal',
  'combination',
] as const;

export interface CandidateContext {
  periods: number[];
  /** Blocks per day and per week at the model resolution. */
  dayBlocks: number;
  weekBlocks: number;
  /** Blocks the fold has to fit on. */
  foldLength: number;
  /** All observed values are above 0 (multiplicative seasonality is defined). */
  positive: boolean;
}

/** Name of the seasonal naive forecaster for a period of `period` blocks. */
export function seasonalNaiveName(
  period: number,
  context: Pick<CandidateContext, 'dayBlocks' | 'weekBlocks'>,
): string {
  if (period === context.dayBlocks) return 'seasonal-naive-day';
  if (period === context.weekBlocks) return 'seasonal-naive-week';
  return `seasonal-naive-${period}`;
}

/**
 * The candidates of a selection, simplest first (ties in the backtest go to the simpler one). Seasonal
 * naive runs for one day whenever the fold holds a day, season detected or not: it is a baseline of the
 * contract, and a series with no daily season should lose against it honestly rather than skip it.
 */
export function candidateForecasters(context: CandidateContext): Forecaster<unknown>[] {
  const list: Forecaster<unknown>[] = [lastValueForecaster as Forecaster<unknown>];
  const naivePeriods = new Set<number>();
  if (context.foldLength >= context.dayBlocks && context.dayBlocks >= 2) naivePeriods.add(context.dayBlocks);
  for (const period of context.periods) if (context.foldLength >= period) naivePeriods.add(period);
  for (const period of [...naivePeriods].sort((a, b) => a - b)) {
    list.push(seasonalNaiveForecaster(seasonalNaiveName(period, context), period) as Forecaster<unknown>);
  }
  list.push(holtWintersForecaster('additive') as Forecaster<unknown>);
  if (context.positive && context.periods.length > 0) {
    list.push(holtWintersForecaster('multiplicative') as Forecaster<unknown>);
  }
  if (context.periods.length > 0) list.push(fourierRegressionForecaster as Forecaster<unknown>);
  list.push(anchoredSeasonalForecaster as Forecaster<unknown>);
  return list;
}

/** The forecaster that produced a stored method name (its parameters carry the rest). */
export function forecasterFor(name: string): Forecaster<unknown> {
  if (name.startsWith('seasonal-naive')) return seasonalNaiveForecaster(name, 0) as Forecaster<unknown>;
  switch (name) {
    case 'last-value':
      return lastValueForecaster as Forecaster<unknown>;
    case 'holt-winters-additive':
      return holtWintersForecaster('additive') as Forecaster<unknown>;
    case 'holt-winters-multiplicative':
      return holtWintersForecaster('multiplicative') as Forecaster<unknown>;
    case 'fourier-regression':
      return fourierRegressionForecaster as Forecaster<unknown>;
    case 'anchored-seasonal':
      return anchoredSeasonalForecaster as Forecaster<unknown>;
    case COMBINATION:
      // Members come from the parameters at predict time; the names here only matter for fitting.
      return combinationForecaster([], forecasterFor) as Forecaster<unknown>;
    default:
      throw new Error(`unknown forecasting method ${JSON.stringify(name)}`);
  }
}
