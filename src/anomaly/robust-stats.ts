/**
 * Order statistics that ignore gaps (NaN). Shared by the anomaly filter and the forecasters, which both
 * need medians and quantiles of series that may have missing samples.
 */

/**
 * True for a gap (NaN). `v !== v` rather than `Number.isNaN`: the same test, but it stays inlined when the
 * code runs in another realm (Jest's vm context makes a builtin call in a hot loop ~100× slower).
 */
export function isMissing(value: number): boolean {
  return value !== value;
}

/** 1.4826 × MAD estimates the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/** The finite values of `values[from, to)`, copied into a new array. */
export function finiteSlice(values: ArrayLike<number>, from = 0, to = values.length): Float64Array {
  const out = new Float64Array(Math.max(0, to - from));
  let count = 0;
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (!isMissing(v)) out[count++] = v;
  }
  return out.subarray(0, count);
}

/**
 * How {@link quantileSorted} picks a value between order statistics:
 * - `linear`: interpolated (type 7, the default of R and NumPy), for estimates of a distribution;
 * - `nearest-rank`: the smallest value with at least a share `p` of the values at or below it (type 1),
 *   always one of the values: "the level reached in the busiest 1 % of the time".
 */
export type QuantileMethod = 'linear' | 'nearest-rank';

/** The `p` quantile (0..1) of `sorted` (ascending). NaN for an empty array. */
export function quantileSorted(
  sorted: ArrayLike<number>,
  p: number,
  method: QuantileMethod = 'linear',
): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (method === 'nearest-rank') {
    return sorted[Math.max(0, Math.min(n - 1, Math.ceil(p * n) - 1))] as number;
  }
  const position = Math.min(Math.max(p, 0), 1) * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const fraction = position - below;
  return (sorted[below] as number) * (1 - fraction) + (sorted[above] as number) * fraction;
}

/** The `p` quantile of the finite values of `values` (NaN when there are none). */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantileSorted(finiteSlice(values).sort(), p);
}

/** Median of the finite values (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation from `center` over the finite values. */
export function medianAbsoluteDeviation(values: ArrayLike<number>, center = median(values)): number {
  const finite = finiteSlice(values);
  for (let i = 0; i < finite.length; i++) finite[i] = Math.abs((finite[i] as number) - center);
  return quantileSorted(finite.sort(), 0.5);
}

/**
 * Mean of the finite values of `values[from, to)`; NaN when there are none, or fewer than `minCount`
 * (a mean of too few samples is not trusted).
 */
export function finiteMean(values: ArrayLike<number>, from = 0, to = values.length, minCount = 1): number {
  let sum = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (!isMissing(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 || count < minCount ? NaN : sum / count;
}
