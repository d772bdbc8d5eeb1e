import type { TrainedModel } from '../forecast/types';
import { formatDuration, type TimeUnit } from '../util/duration';
import type { ModelRecord } from '../store/state-store';
import { tidy } from './window-forecast';

/** A backtest score at one lead, as the API and the tools show it; null where nothing was measured. */
export interface LeadScoreView {
  /** The lead in the series' own unit: `15m`, `1d`, `6 steps`. */
  lead: string;
  mase: number | null;
  smape: number | null;
  /** Mean pinball loss of the quantile bound, in units of the MASE scale (lower is better). */
  pinball: number | null;
  coverage: number | null;
}

/** A backtest score of one candidate as the API shows it. */
export interface ScoreView extends LeadScoreView {
  method: string;
}

/** The long-horizon band as the API shows it: what answers the capacity windows past the first minutes. */
export interface LongHorizonView {
  method: string;
  reason: string;
  /** Longest lead whose bound rests on its own backtest residuals; longer leads hold that bound. */
  calibratedHorizon: string;
  scores: LeadScoreView[];
}

/** A trained model as the API and the `recommend` tool describe it. */
export interface ModelView {
  version?: number;
  savedAt?: string;
  method: string;
  /** False when the model did not beat the baselines: the scaler runs that trigger live-only. */
  usable: boolean;
  reason: string;
  trainedAt: string;
  trainingWindow: { from: string; to: string };
  step: string;
  seasonalPeriods: string[];
  trend: string;
  quantile: number;
  anomaliesFlagged: number;
  /** Mean backtest MASE of the chosen method over its lead times (below 1 beats "same as the last value"). */
  backtestMase: number | null;
  /** The chosen method's scores, or every candidate's with `allScores`. */
  scores: ScoreView[];
  longHorizon: LongHorizonView;
}

/** Describes a trained model, with its store version when it came from the store. */
export function describeModel(
  model: TrainedModel,
  options: { record?: Omit<ModelRecord, 'model'>; allScores?: boolean } = {},
): ModelView {
  const own = model.scores.filter((s) => s.method === model.method && Number.isFinite(s.mase));
  const scores = (
    options.allScores ? model.scores : model.scores.filter((s) => s.method === model.method)
  ).map((s) => ({ method: s.method, ...leadScoreView(s) }));
  const long = model.longHorizon;
  return {
    ...(options.record
      ? { version: options.record.version, savedAt: new Date(options.record.savedAtMs).toISOString() }
      : {}),
    method: model.method,
    usable: model.usable,
    reason: model.reason,
    trainedAt: new Date(model.trainedAtMs).toISOString(),
    trainingWindow: {
      from: new Date(model.window.fromMs).toISOString(),
      to: new Date(model.window.toMs).toISOString(),
    },
    step: formatDuration(model.stepMs),
    seasonalPeriods: model.seasonalPeriods.map((ms) => formatDuration(ms)),
    trend: model.trend,
    quantile: model.quantile,
    anomaliesFlagged: model.anomaliesFlagged,
    backtestMase: own.length === 0 ? null : tidy(own.reduce((sum, s) => sum + s.mase, 0) / own.length),
    scores,
    longHorizon: {
      method: long.method,
      reason: long.reason,
      calibratedHorizon: formatDuration(long.calibratedHorizonMs),
      scores: long.scores.map((score) => leadScoreView(score)),
    },
  };
}

/** A score at one lead for display, the lead in `timeUnit` (steps for a series without a clock). */
export function leadScoreView(
  score: { leadMs: number; mase: number; smape: number; pinball: number; coverage: number },
  timeUnit?: TimeUnit,
): LeadScoreView {
  return {
    lead: formatDuration(score.leadMs, timeUnit),
    mase: finiteOrNull(score.mase),
    smape: finiteOrNull(score.smape),
    pinball: finiteOrNull(score.pinball),
    coverage: finiteOrNull(score.coverage),
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? tidy(value) : null;
}
