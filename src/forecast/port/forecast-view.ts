import { POLLING_ALLOWANCE_MS } from '../../config/trigger-config';
import { LAST_VALUE } from '../select';
import type { ForecastResult, TrainedModel } from '../types';
import type { ForecastView } from './forecast-port';

/** The settings that place the view's windows: the trigger config's own fields. */
export interface ViewWindows {
  leadTimeMs: number;
  startupTimeMs: number;
  cooldownPeriodMs: number;
  horizonMs: number;
}

/**
 * Reduces a forecast to what the decision needs (docs/architecture.md, "The decision rule"):
 * - capacity: the largest upper-quantile value over `[now + startupTime, now + startupTime + polling
 *   allowance]`, with the mean and lower bound there, since a replica created now serves only from
 *   `now + startupTime` and the value returned now stands until the next poll;
 * - waking: the largest upper-quantile value over `[now, now + leadTime]`, and over the cold-start budget
 *   `[now, now + startupTime + cooldownPeriod]` (no further than the horizon);
 * - the mean at `now + leadTime`, for the lead-time error.
 *
 * A forecast point stands for its history slot `[at, at + step]`, so a window takes every point whose slot
 * touches it: a slot ending exactly where a window starts counts, which errs towards more capacity. When
 * a window holds no point, the first point stands for it.
 */
export function forecastView(
  result: ForecastResult,
  nowMs: number,
  windows: ViewWindows,
  model: Pick<TrainedModel, 'method' | 'scores'> & Partial<Pick<TrainedModel, 'trainedAtMs'>>,
): ForecastView {
  const readyFromMs = nowMs + windows.startupTimeMs;
  const ready = window(result, readyFromMs, readyFromMs + POLLING_ALLOWANCE_MS);
  const lead = window(result, nowMs, nowMs + windows.leadTimeMs);
  const budgetEndMs = nowMs + Math.min(windows.startupTimeMs + windows.cooldownPeriodMs, windows.horizonMs);
  const budget = window(result, nowMs, budgetEndMs);
  return {
    peakWhenReady: ready.peak,
    meanWhenReady: result.mean[ready.first] ?? 0,
    lowerWhenReady: result.lower[ready.first] ?? 0,
    peakWithinLead: lead.peak,
    peakWithinColdStartBudget: budget.peak,
    meanAtLead: result.mean[lead.last] ?? 0,
    method: model.method,
    backtestLeadRatio: backtestLeadRatio(model, windows.leadTimeMs),
    backtestAtLead: backtestAtLead(model, windows.leadTimeMs),
    modelTrainedAtMs: model.trainedAtMs,
  };
}

/** The shipped method's own backtest score at `leadMs`, when it was scored there. */
export function backtestAtLead(
  model: Pick<TrainedModel, 'method' | 'scores'>,
  leadMs: number,
): { mase: number; coverage: number } | undefined {
  const score = model.scores.find((s) => s.leadMs === leadMs && s.method === model.method);
  return score === undefined ? undefined : { mase: score.mase, coverage: score.coverage };
}

/** The shipped method's backtest MASE at `leadMs` over last value's there (same scale, so it cancels). */
export function backtestLeadRatio(
  model: Pick<TrainedModel, 'method' | 'scores'>,
  leadMs: number,
): number | undefined {
  let shipped: number | undefined;
  let naive: number | undefined;
  for (const score of model.scores) {
    if (score.leadMs !== leadMs) continue;
    if (score.method === model.method) shipped = score.mase;
    if (score.method === LAST_VALUE) naive = score.mase;
  }
  if (shipped === undefined || naive === undefined || !(naive > 0)) return undefined;
  return shipped / naive;
}

/** The largest upper value of the points whose slots touch `[fromMs, toMs]`, and the first and last such. */
function window(
  result: ForecastResult,
  fromMs: number,
  toMs: number,
): { peak: number; first: number; last: number } {
  let peak = -Infinity;
  let first = -1;
  let last = -1;
  for (let i = 0; i < result.upper.length; i++) {
    const atMs = result.fromMs + i * result.stepMs;
    if (atMs + result.stepMs < fromMs || atMs > toMs) continue;
    peak = Math.max(peak, result.upper[i] as number);
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) return { peak: result.upper[0] ?? 0, first: 0, last: 0 };
  return { peak, first, last };
}

/** How far ahead of now the view reads the forecast: the end of its furthest window. */
export function viewReachMs(windows: ViewWindows): number {
  return Math.max(
    windows.leadTimeMs,
    windows.startupTimeMs + POLLING_ALLOWANCE_MS,
    Math.min(windows.startupTimeMs + windows.cooldownPeriodMs, windows.horizonMs),
  );
}

/** Steps to ask `forecastFrom` for, so the forecast reaches `nowMs + reachMs` from the newest sample. */
export function stepsToCover(lastSampleMs: number, stepMs: number, nowMs: number, reachMs: number): number {
  return Math.max(1, Math.ceil((nowMs + reachMs - lastSampleMs) / stepMs));
}
