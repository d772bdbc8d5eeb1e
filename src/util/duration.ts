/** Lengths of time in milliseconds. */
export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', SECOND_MS],
];

/**
 * How a time axis counts: `ms` for timestamps, `step` for integer step numbers (series whose `t` is a
 * row count, where one unit of the axis is one step, not one millisecond).
 */
export type TimeUnit = 'ms' | 'step';

/**
 * A duration the way trigger metadata writes it, in the largest unit that divides it: `90s`, `15m`,
 * `1h`, `1d`, `7d`, `36h`, `1500ms` (and `0ms`). `parseDuration` reads every result back to the same
 * number. With `unit: 'step'` the length is a count of steps on an integer axis: `16 steps`.
 */
export function formatDuration(length: number, unit: TimeUnit = 'ms'): string {
  if (unit === 'step') return `${length} step${length === 1 ? '' : 's'}`;
  for (const [name, size] of UNITS) {
    if (length >= size && length % size === 0) return `${length / size}${name}`;
  }
  return `${length}ms`;
}
