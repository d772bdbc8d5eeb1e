import { isMissing as isMissingValue } from '../../anomaly/robust-stats';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const isMissing = isMissingValue;

/** The seasonal periods a profile method may use, in blocks. */
export interface ProfilePeriods {
  /** One day (or, without a calendar, the series' own season). */
  day: number;
  /** One week: seven of `day`. */
  week: number;
}

/**
 * A forecast that repeats: the value at lead L (1-based) is `values[(L − 1) mod values.length]`. Every
 * profile method forecasts this way, which is what lets a forecast reach a month ahead in one call and
 * keep the weekly shape all the way.
 */
export type Profile = Float64Array;

/**
 * A long-horizon method: builds the profile that follows the block `origin` of `values` (inclusive),
 * reading only blocks at or before it. Returns undefined when the history before the origin is too short.
 */
export interface ProfileMethod {
  readonly name: string;
  /** True when the profile reads last week (or weeks): only useful on a series with a weekly pattern. */
  readonly readsWeeks: boolean;
  /** Blocks of history the method reads, counted back from the origin (inclusive). */
  historyBlocks(periods: ProfilePeriods): number;
  profile(values: ArrayLike<number>, origin: number, periods: ProfilePeriods): Profile | undefined;
}

/**
 * The value one `period` back from each of the next `length` blocks, averaged over the `cycles` most recent
 * cycles (gaps skipped), or their median. Leads beyond a period repeat the profile, so cycle k of lead j
 * is `origin + 1 + j − k × period`.
 */
function cycleProfile(
  values: ArrayLike<number>,
  origin: number,
  period: number,
  cycles: number,
  reduce: 'mean' | 'median',
): Profile {
  const out = new Float64Array(period);
  const buffer = new Float64Array(cycles);
  for (let j = 0; j < period; j++) {
    let count = 0;
    for (let k = 1; k <= cycles; k++) {
      const index = origin + 1 + j - k * period;
      if (index < 0) break;
      const v = values[index] as number;
      if (!isMissing(v)) buffer[count++] = v;
    }
    out[j] = count === 0 ? NaN : reduce === 'mean' ? meanOf(buffer, count) : medianOf(buffer, count);
  }
  return out;
}

function meanOf(buffer: Float64Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += buffer[i] as number;
  return sum / count;
}

/**
 * Sorts the first `count` values in place. An insertion sort: a profile's buffer holds a value per cycle
 * (a handful), and `subarray(...).sort()` costs an allocation and a call per lead of every origin.
 */
function medianOf(buffer: Float64Array, count: number): number {
  for (let i = 1; i < count; i++) {
    const v = buffer[i] as number;
    let j = i - 1;
    while (j >= 0 && (buffer[j] as number) > v) {
      buffer[j + 1] = buffer[j] as number;
      j--;
    }
    buffer[j + 1] = v;
  }
  const middle = count >> 1;
  return count % 2 === 1
    ? (buffer[middle] as number)
    : ((buffer[middle - 1] as number) + (buffer[middle] as number)) / 2;
}

/** Mean of the finite values in `[from, to)` of `values`; NaN when none. */
function windowMean(values: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  let count = 0;
  for (let i = Math.max(0, from); i < to; i++) {
    const v = values[i] as number;
    if (!isMissing(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}

/** The ratio `now / before` of two levels, or 1 when it is not a meaningful scaling (zero, negative, gap). */
function levelRatio(now: number, before: number): number {
  return now > 0 && before > 0 ? now / before : 1;
}

/** Mean over cycles of a period: `cycles` of them, or their median. */
function cycleMethod(
  name: string,
  pick: (p: ProfilePeriods) => number,
  cycles: number,
  reduce: 'mean' | 'median',
): ProfileMethod {
  return {
    name,
    readsWeeks: pick === week,
    historyBlocks: (p) => cycles * pick(p),
    profile(values, origin, periods) {
      const period = pick(periods);
      if (origin + 1 < cycles * period) return undefined;
      return cycleProfile(values, origin, period, cycles, reduce);
    },
  };
}

const day = (p: ProfilePeriods): number => p.day;
const week = (p: ProfilePeriods): number => p.week;

/** The last value, held: the baseline a series with no season falls back to. */
export const LAST_VALUE_PROFILE: ProfileMethod = {
  name: 'last-value',
  readsWeeks: false,
  historyBlocks: () => 1,
  profile(values, origin) {
    for (let i = origin; i >= 0; i--) {
      const v = values[i] as number;
      if (!isMissing(v)) return Float64Array.of(v);
    }
    return undefined;
  },
};

/**
 * Last week's values scaled by how the last day compares with the same day a week earlier: the weekly
 * shape (weekday against weekend) at today's level.
 */
const LEVELLED_WEEK: ProfileMethod = {
  name: 'levelled-week',
  readsWeeks: true,
  historyBlocks: (p) => p.week + p.day,
  profile(values, origin, periods) {
    const { day: d, week: w } = periods;
    if (origin + 1 < w + d) return undefined;
    const base = cycleProfile(values, origin, w, 1, 'mean');
    const ratio = levelRatio(
      windowMean(values, origin + 1 - d, origin + 1),
      windowMean(values, origin + 1 - d - w, origin + 1 - w),
    );
    for (let j = 0; j < base.length; j++) base[j] = (base[j] as number) * ratio;
    return base;
  },
};

/** The mean daily shape of the last week, scaled to the level of the last day. */
const LEVELLED_DAY: ProfileMethod = {
  name: 'levelled-day',
  readsWeeks: false,
  historyBlocks: (p) => 7 * p.day,
  profile(values, origin, periods) {
    const d = periods.day;
    if (origin + 1 < 7 * d) return undefined;
    const base = cycleProfile(values, origin, d, 7, 'mean');
    const ratio = levelRatio(windowMean(values, origin + 1 - d, origin + 1), windowMean(base, 0, d));
    for (let j = 0; j < base.length; j++) base[j] = (base[j] as number) * ratio;
    return base;
  },
};

/** Every long-horizon method, simplest first (a tie in the backtest goes to the simpler). */
export const PROFILE_METHODS: readonly ProfileMethod[] = [
  LAST_VALUE_PROFILE,
  cycleMethod('seasonal-naive-day', day, 1, 'mean'),
  cycleMethod('seasonal-naive-week', week, 1, 'mean'),
  cycleMethod('mean-2-days', day, 2, 'mean'),
  cycleMethod('mean-3-days', day, 3, 'mean'),
  cycleMethod('mean-7-days', day, 7, 'mean'),
  cycleMethod('median-5-days', day, 5, 'median'),
  cycleMethod('mean-2-weeks', week, 2, 'mean'),
  LEVELLED_WEEK,
  LEVELLED_DAY,
];

/** The baselines among them: what a learned combination must beat to be used. */
export const PROFILE_BASELINES: readonly string[] = [
  'last-value',
  'seasonal-naive-day',
  'seasonal-naive-week',
];

export function profileMethod(name: string): ProfileMethod {
  const method = PROFILE_METHODS.find((m) => m.name === name);
  if (method === undefined) throw new Error(`unknown long-horizon method ${JSON.stringify(name)}`);
  return method;
}

/**
 * Profiles with their gaps filled: a slot no cycle observed takes the mean of the profile's observed
 * slots, so a forecast never carries a gap.
 */
export function filledProfile(
  method: ProfileMethod,
  values: ArrayLike<number>,
  origin: number,
  periods: ProfilePeriods,
): Profile | undefined {
  const profile = method.profile(values, origin, periods);
  if (profile === undefined) return undefined;
  const mean = windowMean(profile, 0, profile.length);
  if (isMissing(mean)) return undefined;
  for (let j = 0; j < profile.length; j++) if (isMissing(profile[j] as number)) profile[j] = mean;
  return profile;
}
