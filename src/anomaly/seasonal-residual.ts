import { MAD_TO_SIGMA, finiteSlice, quantileSorted, isMissing as isMissingValue } from './robust-stats';

/** Bound once: a call through the module binding (a getter under some loaders) costs more in these loops. */
const isMissing = isMissingValue;

/** What a point is expected to be from its slow level and its seasonal slot, and how far it is from that. */
export interface SeasonalScores {
  /** level + seasonal profile: the value a point is replaced by when it is flagged. */
  expected: Float64Array;
  /** Robust z-score of the residual against the MAD of the residuals of the same period. */
  z: Float64Array;
}

/**
 * Residuals from a decomposition built to resist the outliers it is looking for: the level is a centred
 * moving mean over one full period (a spike is diluted by the period length), the profile is the median
 * per slot across periods, and each period is scaled by its own MAD so a busy week does not make a
 * quiet week's noise look anomalous (load grows and shrinks; one global scale would not fit both).
 * Needs at least two periods; returns undefined otherwise.
 */
export function seasonalScores(values: ArrayLike<number>, period: number): SeasonalScores | undefined {
  const n = values.length;
  if (period < 2 || n < 2 * period) return undefined;
  const level = centredMovingMean(values, period);
  const slots = period;
  const profile = new Float64Array(slots);
  const column = new Float64Array(Math.ceil(n / period));
  for (let slot = 0; slot < slots; slot++) {
    let count = 0;
    for (let i = slot; i < n; i += period) {
      const detrended = (values[i] as number) - (level[i] as number);
      if (!isMissing(detrended)) column[count++] = detrended;
    }
    profile[slot] = count === 0 ? 0 : quantileSorted(column.subarray(0, count).sort(), 0.5);
  }
  const expected = new Float64Array(n);
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    expected[i] = (level[i] as number) + (profile[i % period] as number);
    residual[i] = (values[i] as number) - (expected[i] as number);
  }
  const z = new Float64Array(n);
  for (let from = 0; from < n; from += period) {
    const to = Math.min(n, from + period);
    // A short trailing piece borrows the previous full period's spread.
    const scaleFrom = to - from < period / 2 ? Math.max(0, to - period) : from;
    const absolute = finiteSlice(residual, scaleFrom, to);
    for (let i = 0; i < absolute.length; i++) absolute[i] = Math.abs(absolute[i] as number);
    const scale = MAD_TO_SIGMA * quantileSorted(absolute.sort(), 0.5);
    for (let i = from; i < to; i++) {
      const r = Math.abs(residual[i] as number);
      z[i] = isMissing(r) || r === 0 ? 0 : scale > 0 ? r / scale : Infinity;
    }
  }
  return { expected, z };
}

/**
 * Mean of the finite values in a window of `width` points centred on each point; the window is clipped at
 * the ends (so the first and last half-periods see a one-sided mean).
 */
export function centredMovingMean(values: ArrayLike<number>, width: number): Float64Array {
  const n = values.length;
  const sums = new Float64Array(n + 1);
  const counts = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    const finite = !isMissing(v);
    sums[i + 1] = (sums[i] as number) + (finite ? v : 0);
    counts[i + 1] = (counts[i] as number) + (finite ? 1 : 0);
  }
  const before = Math.floor((width - 1) / 2);
  const after = width - 1 - before;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const from = Math.max(0, i - before);
    const to = Math.min(n, i + after + 1);
    const count = (counts[to] as number) - (counts[from] as number);
    out[i] = count === 0 ? NaN : ((sums[to] as number) - (sums[from] as number)) / count;
  }
  return out;
}
