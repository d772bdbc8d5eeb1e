import type { CandidateResult } from './backtest';

export interface Selection {
  /** The best candidate by mean MASE over the scaling lead times. */
  best: CandidateResult;
  /** True when `best` beats last value and every seasonal naive baseline at every lead time. */
  usable: boolean;
  reason: string;
}

export const LAST_VALUE = 'last-value';

/** Baselines a model must beat: last value and the seasonal naive forecasts. */
export function isBaseline(name: string): boolean {
  return name === LAST_VALUE || name.startsWith('seasonal-naive');
}

/**
 * Picks the candidate with the lowest mean MASE over the lead times (ties go to the earlier, simpler
 * candidate) and applies the contract's gate: it is used only if its MASE is strictly lower than last
 * value's and every seasonal naive's at every lead time. Last value itself never passes (it is what the
 * scaler does without a model).
 */
export function selectModel(results: CandidateResult[], leadLabels: string[]): Selection {
  const valid = results.filter((r) => r.failure === undefined && Number.isFinite(r.meanMase));
  const lastValue = valid.find((r) => r.name === LAST_VALUE);
  if (lastValue === undefined) throw new Error('the last-value baseline must always be evaluated');
  let best = lastValue;
  for (const r of valid) if (r.meanMase < best.meanMase) best = r;
  if (best.name === LAST_VALUE) {
    return {
      best,
      usable: false,
      reason: `no method beat last value on the backtest (${describe(best, leadLabels)})`,
    };
  }
  const baselines = valid.filter((r) => isBaseline(r.name) && r.name !== best.name);
  for (const baseline of baselines) {
    for (let i = 0; i < leadLabels.length; i++) {
      const own = (best.scores[i] as { mase: number }).mase;
      const theirs = (baseline.scores[i] as { mase: number }).mase;
      if (!(own < theirs)) {
        return {
          best,
          usable: false,
          reason:
            `${best.name} did not beat ${baseline.name} at lead ${leadLabels[i]} ` +
            `(MASE ${own.toFixed(3)} vs ${theirs.toFixed(3)})`,
        };
      }
    }
  }
  const beaten = baselines.map((b) => b.name).join(', ');
  return {
    best,
    usable: true,
    reason: `${best.name} beat ${beaten} on the backtest (${describe(best, leadLabels)})`,
  };
}

function describe(result: CandidateResult, leadLabels: string[]): string {
  return leadLabels
    .map((label, i) => `MASE ${(result.scores[i]?.mase ?? NaN).toFixed(3)} at ${label}`)
    .join(', ');
}
