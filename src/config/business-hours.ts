import { MetadataError } from '../errors';
import { localFields, weekdayOf } from '../util/zoned-time';

/** One recurring window: on `days` (0 = Sunday … 6 = Saturday), from `startMinute` to `endMinute` local time. */
export interface BusinessHoursWindow {
  days: number[];
  startMinute: number;
  endMinute: number;
}

const FULL_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MAX_LENGTH = 1000;
const EXPECTED =
  'windows like "Mon-Fri 08:00-18:00", several joined by ";" (e.g. "Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00")';

/**
 * Parses `businessHours`. A range may wrap past midnight (`22:00-06:00`); the part after midnight belongs
 * to the next day, as a night shift would read it.
 */
export function parseBusinessHours(key: string, raw: string): BusinessHoursWindow[] {
  // The pattern below backtracks quadratically on long runs of spaces; no real schedule is this long.
  if (raw.length > MAX_LENGTH)
    throw new MetadataError(key, raw, `${EXPECTED}, at most ${MAX_LENGTH} characters`);
  const windows: BusinessHoursWindow[] = [];
  for (const part of raw.split(';')) {
    const text = part.trim();
    if (text === '') continue;
    const match =
      /^([A-Za-z,\- ]+?)\s+(\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}(?:\s*,\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2})*)$/.exec(
        text,
      );
    if (!match) throw new MetadataError(key, raw, EXPECTED);
    const days = parseDays(key, raw, match[1] as string);
    for (const range of (match[2] as string).split(',')) {
      const [from, to] = range.split('-').map((s) => parseClock(key, raw, s.trim()));
      if (from === undefined || to === undefined || from === to) throw new MetadataError(key, raw, EXPECTED);
      windows.push({ days, startMinute: from, endMinute: to });
    }
  }
  if (windows.length === 0) throw new MetadataError(key, raw, EXPECTED);
  return windows;
}

function parseDays(key: string, raw: string, text: string): number[] {
  const days = new Set<number>();
  for (const item of text.split(',')) {
    const bounds = item
      .trim()
      .split('-')
      .map((d) => dayIndex(d.trim().toLowerCase()));
    if (bounds.length === 0 || bounds.length > 2 || bounds.some((d) => d < 0)) {
      throw new MetadataError(key, raw, EXPECTED);
    }
    const from = bounds[0] as number;
    const to = bounds[bounds.length - 1] as number;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days].sort();
}

/** `Mon`, `Tues`, `Thursday`: at least three letters of the day's English name, and nothing else. */
function dayIndex(text: string): number {
  if (text.length < 3) return -1;
  return FULL_DAY_NAMES.findIndex((name) => name.startsWith(text));
}

function parseClock(key: string, raw: string, text: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0)) {
    throw new MetadataError(key, raw, EXPECTED);
  }
  return hours * 60 + minutes;
}

/** Throws unless `timezone` is an IANA name the runtime knows. */
export function parseTimezone(key: string, raw: string): string {
  const text = raw.trim();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    throw new MetadataError(key, raw, 'an IANA time zone such as UTC or Europe/Berlin');
  }
}

/** Local weekday (0 = Sunday) and minute of day of `atMs` in `timezone`; daylight saving from the runtime's tz data. */
export function localTime(atMs: number, timezone: string): { day: number; minute: number } {
  const fields = localFields(atMs, timezone);
  return { day: weekdayOf(fields), minute: fields.hour * 60 + fields.minute };
}

export function isWithinBusinessHours(
  windows: BusinessHoursWindow[],
  timezone: string,
  atMs: number,
): boolean {
  const { day, minute } = localTime(atMs, timezone);
  const previousDay = (day + 6) % 7;
  return windows.some((w) => {
    if (w.startMinute < w.endMinute) {
      return w.days.includes(day) && minute >= w.startMinute && minute < w.endMinute;
    }
    return (
      (w.days.includes(day) && minute >= w.startMinute) ||
      (w.days.includes(previousDay) && minute < w.endMinute)
    );
  });
}
