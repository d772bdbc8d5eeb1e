import type { ForecastResult } from '../types';
import type { ForecastView } from './forecast-port';

/**
 * Reduces a forecast to what the decision needs: the largest upper-quantile value over
 * `[nowMs, nowMs + leadMs]`, and the mean and lower bound at the end of that window. Points before `nowMs`
 * (the forecast starts at the step after the newest sample) are ignored; when the window holds no point,
 * the first point stands for it.
 */
export function forecastView(
  result: ForecastResult,
  nowMs: number,
  leadMs: number,
  method: string,
): ForecastView {
  let peak = -Infinity;
  let lastInside = -1;
  for (let i = 0; i < result.upper.length; i++) {
    const atMs = result.fromMs + i * result.stepMs;
    if (atMs < nowMs - result.stepMs || atMs > nowMs + leadMs) continue;
    peak = Math.max(peak, result.upper[i] as number);
    lastInside = i;
  }
  if (lastInside < 0) {
    lastInside = 0;
    peak = result.upper[0] ?? 0;
  }
  return {
    peakWithinLead: peak,
    meanAtLead: result.mean[lastInside] ?? 0,
    lowerAtLead: result.lower[lastInside] ?? 0,
    method,
  };
}

/** Steps to ask `forecastFrom` for, so the forecast reaches `nowMs + leadMs` from the newest sample. */
export function stepsToCover(lastSampleMs: number, stepMs: number, nowMs: number, leadMs: number): number {
  return Math.max(1, Math.ceil((nowMs + leadMs - lastSampleMs) / stepMs));
}
