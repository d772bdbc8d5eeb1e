import type { Transform } from '../transform';

/** A series at model resolution on the model grid. */
export interface ModelSeries {
  /** Block values; NaN is a gap. */
  values: Float64Array;
  /** Grid index of `values[0]` (block 0 is the first training block). */
  firstBlock: number;
  blockMs: number;
  /** Centre time of grid block 0. */
  originMs: number;
}

/** What a forecaster is told when fitting: the structure is decided once, outside, for every candidate. */
export interface FitSpec {
  /** Seasonal periods in blocks, ascending; each has at least two cycles in the full training window. */
  periods: number[];
  /** The same periods in ms (exact, for Fourier terms). */
  periodsMs: number[];
  /** Longest lead, in blocks, that forecasts are needed for. */
  maxLead: number;
  /** Leads the selection scores (the scaling lead times), which direct methods should fit exactly. */
  keyLeads?: number[];
  /** The scale the series is best modelled in (log for non-negative signals). */
  transform: Transform;
  /** Length of the whole training window in blocks; structural choices follow it, not the fold's length. */
  fullLength: number;
}

/**
 * A forecasting method. `fit` returns plain JSON (stored in Redis, restored on another replica);
 * `predict` never changes it, and updates its own copy of any running state with the newer blocks.
 */
export interface Forecaster<P> {
  readonly name: string;
  /**
   * Scale in which its errors are roughly identically distributed, so residual quantiles calibrated there
   * transfer to other levels: `transform` for models that work in the transformed scale, else `identity`.
   */
  readonly intervalScale: 'identity' | 'transform';
  fit(series: ModelSeries, spec: FitSpec): P;
  /**
   * Point forecasts for leads 1..maxLead from every origin index in [from, to) of `series`, written to
   * `out[(origin − from) × maxLead + lead − 1]`. Origins may lie after the fitted window: the series
   * then holds the newer blocks, and running state is carried forward through them.
   */
  predict(params: P, series: ModelSeries, from: number, to: number, maxLead: number, out: Float64Array): void;
  /**
   * Carries running state (if the method has any) through the blocks of `series` after the fitted
   * window, without refitting. Absent for methods that read newer blocks directly at forecast time.
   */
  advance?(params: P, series: ModelSeries): P;
}

/** Centre time of `series.values[index]`. */
export function timeOf(series: ModelSeries, index: number): number {
  return series.originMs + (series.firstBlock + index) * series.blockMs;
}
