/**
 * The forecasting contract shared by the scaler, the simulator and the command-line tools.
 * Everything here is plain data so a trained model can be stored as JSON and restored on any replica.
 */

import type { TimeUnit } from '../util/duration';

/** A regularly sampled series: `values[i]` is the value at `startMs + i * stepMs`. */
export interface RegularSeries {
  startMs: number;
  stepMs: number;
  /** NaN marks a missing sample; forecasters must handle gaps explicitly. */
  values: number[];
}

/** Which seasonal periods a trigger asks for (`seasonality` metadata key). */
export type SeasonalityOption = 'auto' | 'daily' | 'weekly' | 'daily,weekly' | 'none';

export interface TrainingOptions {
  seasonality: SeasonalityOption;
  /** Lead times the decision uses, in ms; model selection backtests at these leads. */
  leadTimesMs: number[];
  /** How far forecasts must reach, in ms. */
  horizonMs: number;
  /** Upper quantile used for scale-up, e.g. 0.9. */
  quantile: number;
  /** Robust z-score above which a point is kept out of learning (2 to 5). */
  anomalyThreshold: number;
  /**
   * Explicit seasonal periods in ms, overriding `seasonality` (the forecast CLI's `--season`). Periods with
   * less than two cycles of history are dropped.
   */
  seasonalPeriodsMs?: number[];
  /**
   * How far the long-horizon band must reach (capacity windows, the forecast command); its bands are
   * calibrated up to here and held beyond.
   * @default 7 days
   */
  longHorizonMs?: number;
  /**
   * Resolution the models learn at, a multiple of the series step.
   * @default the series step, aggregated (block means) up to at least 5 minutes
   */
  modelStepMs?: number;
  /**
   * How the series' time axis counts, for messages: `step` when `startMs`/`stepMs` are integer step
   * numbers rather than milliseconds (the forecast CLI's integer `t`), so a lead reads `16 steps`.
   * @default 'ms'
   */
  timeUnit?: TimeUnit;
}

/** Backtest error of one method at one lead time. */
export interface BacktestScore {
  method: string;
  leadMs: number;
  mase: number;
  smape: number;
  /** Fraction of actuals at or below the `quantile` forecast (calibration check). */
  coverage: number;
  /** Mean pinball loss of the `quantile` forecast, in units of the MASE scale. */
  pinball: number;
}

/** Backtest figures of the long-horizon band at one lead. */
export interface LongHorizonScore {
  leadMs: number;
  mase: number;
  smape: number;
  /** Mean pinball loss of the `quantile` bound, in units of the MASE scale. */
  pinball: number;
  /** Share of actuals at or below the `quantile` bound, calibrated on older origins. */
  coverage: number;
}

/**
 * The long-horizon band of a model: what answers leads beyond the scaling horizon (days and weeks ahead),
 * chosen by its own backtest at its own horizon.
 */
export interface LongHorizonSummary {
  /** A profile method, or `combination(a+b+c)` of several. */
  method: string;
  reason: string;
  /** Horizon each selection origin was scored over. */
  selectionHorizonMs: number;
  /** Longest lead whose band rests on its own residuals; longer leads hold that band. */
  calibratedHorizonMs: number;
  scores: LongHorizonScore[];
}

/** A trained, serialisable model. `state` is opaque to everything outside src/forecast. */
export interface TrainedModel {
  /** Format version of this object, bumped when `state` changes shape. */
  formatVersion: number;
  method: string;
  /** False when the chosen method did not beat last-value and seasonal-naive: the trigger runs live-only. */
  usable: boolean;
  /** Why the model is or is not usable, for logs and metrics. */
  reason: string;
  trainedAtMs: number;
  window: { fromMs: number; toMs: number };
  stepMs: number;
  quantile: number;
  /** Seasonal periods the model learned, in ms, ascending (empty: no season). */
  seasonalPeriods: number[];
  trend: 'increasing' | 'decreasing' | 'stable' | 'volatile';
  scores: BacktestScore[];
  /** The band that answers leads beyond the scaling horizon. */
  longHorizon: LongHorizonSummary;
  anomaliesFlagged: number;
  /** Confidence (0..1) of each period considered by seasonality detection, keyed by period in ms. */
  seasonalityConfidence?: Record<string, number>;
  state: unknown;
}

/** A forecast over `[fromMs, fromMs + steps * stepMs)`. */
export interface ForecastResult {
  fromMs: number;
  stepMs: number;
  mean: number[];
  lower: number[];
  /** The `quantile` forecast used for scale-up. */
  upper: number[];
}
