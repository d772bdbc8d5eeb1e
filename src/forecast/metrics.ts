import { isMissing as isMissingValue } from '../anomaly/robust-stats';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const isMissing = isMissingValue;

/**
 * Scale of MASE: the mean absolute error of the in-sample seasonal naive forecast at `lag` (one day,
 * as in the README baselines; lag 1, the one-step naive, when there is no day of history). Falls back to
 * the mean absolute level, then 1, so a flat series still gets finite scores.
 */
export function maseScale(values: ArrayLike<number>, lag: number): number {
  let sum = 0;
  let count = 0;
  for (let i = lag; i < values.length; i++) {
    const d = Math.abs((values[i] as number) - (values[i - lag] as number));
    if (!isMissing(d)) {
      sum += d;
      count++;
    }
  }
  if (count > 0 && sum > 0) return sum / count;
  let level = 0;
  let observed = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!isMissing(v)) {
      level += Math.abs(v);
      observed++;
    }
  }
  return observed > 0 && level > 0 ? level / observed : 1;
}

/** Symmetric absolute percentage error of one forecast, in % (0 when both are 0). */
export function smapeTerm(forecast: number, actual: number): number {
  const denominator = (forecast < 0 ? -forecast : forecast) + (actual < 0 ? -actual : actual);
  const error = forecast > actual ? forecast - actual : actual - forecast;
  return denominator === 0 ? 0 : (200 * error) / denominator;
}

/** Pinball (quantile) loss of the `q` forecast `bound` for `actual`: 0 when exact, linear either side. */
export function pinballLoss(actual: number, bound: number, q: number): number {
  return actual >= bound ? q * (actual - bound) : (1 - q) * (bound - actual);
}

/** Running MASE / sMAPE / coverage accumulator for one method at one lead. */
export class ErrorAccumulator {
  private absolute = 0;
  private smape = 0;
  private covered = 0;
  private count = 0;

  add(forecast: number, actual: number, upper?: number): void {
    if (isMissing(forecast) || isMissing(actual)) return;
    this.absolute += forecast > actual ? forecast - actual : actual - forecast;
    this.smape += smapeTerm(forecast, actual);
    if (upper !== undefined && actual <= upper) this.covered++;
    this.count++;
  }

  get samples(): number {
    return this.count;
  }

  mase(scale: number): number {
    return this.count === 0 ? NaN : this.absolute / this.count / scale;
  }

  meanSmape(): number {
    return this.count === 0 ? NaN : this.smape / this.count;
  }

  coverage(): number {
    return this.count === 0 ? NaN : this.covered / this.count;
  }
}
