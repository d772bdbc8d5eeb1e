import { addDays, firstOfMonth, localDateOf, startOfLocalDay, weekdayOf } from '../util/zoned-time';

/** The planning windows of the capacity API and the `recommend` tool. */
export const CAPACITY_WINDOWS = ['next_day', 'next_week', 'next_weekend', 'next_month'] as const;
/** One of `CAPACITY_WINDOWS`. */
export type CapacityWindow = (typeof CAPACITY_WINDOWS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Resolution of the points each window reports: fine enough to show the daily shape, coarse enough that a
 * month stays a readable ~120 points. A model sampled more coarsely than this reports at its own step.
 */
const WINDOW_RESOLUTION_MS: Readonly<Record<CapacityWindow, number>> = {
  next_day: 5 * MINUTE,
  next_week: HOUR,
  next_weekend: HOUR,
  next_month: 6 * HOUR,
};

/** One planning window as instants: `[fromMs, toMs)`. */
export interface WindowRange {
  window: CapacityWindow;
  fromMs: number;
  toMs: number;
  /** Resolution of the reported points. */
  resolutionMs: number;
  /** The IANA zone the calendar boundaries were computed in. */
  timezone: string;
}

/** True when `value` names a window. */
export function isCapacityWindow(value: string): value is CapacityWindow {
  return (CAPACITY_WINDOWS as readonly string[]).includes(value);
}

/**
 * The calendar window after `nowMs`, in `timezone`. Every window starts at a local midnight strictly after
 * today, so "next" never means the one in progress:
 * - `next_day`: tomorrow, 00:00 to 00:00 (23 or 25 hours on daylight-saving days);
 * - `next_week`: the next Monday 00:00 to the Monday after (ISO weeks; on a Monday, the one in 7 days);
 * - `next_weekend`: the next Saturday 00:00 to Monday 00:00 (on a Saturday or Sunday, the following one);
 * - `next_month`: the next calendar month, 1st 00:00 to the 1st of the month after: what budgets and
 *   capacity reviews plan by, at the price of reaching up to two months ahead on the 1st of a month.
 */
export function windowRange(window: CapacityWindow, nowMs: number, timezone: string): WindowRange {
  const today = localDateOf(nowMs, timezone);
  const weekday = weekdayOf(today);
  const daysUntil = (target: number): number => (target - weekday + 7) % 7 || 7;
  let from;
  let to;
  switch (window) {
    case 'next_day':
      from = addDays(today, 1);
      to = addDays(today, 2);
      break;
    case 'next_week':
      from = addDays(today, daysUntil(1));
      to = addDays(from, 7);
      break;
    case 'next_weekend':
      from = addDays(today, daysUntil(6));
      to = addDays(from, 2);
      break;
    case 'next_month':
      from = firstOfMonth(today, 1);
      to = firstOfMonth(today, 2);
      break;
  }
  return {
    window,
    fromMs: startOfLocalDay(from, timezone),
    toMs: startOfLocalDay(to, timezone),
    resolutionMs: WINDOW_RESOLUTION_MS[window],
    timezone,
  };
}
