/**
 * Calendar arithmetic in an IANA time zone with nothing but `Intl`: local dates, and the instant a local
 * day starts. Daylight-saving rules come from the runtime's time-zone data, so a day is 23, 24 or 25 hours
 * long exactly as the zone says.
 */

/** A calendar date; `month` is 1 to 12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timezone, format);
  }
  return format;
}

/** Local wall-clock fields of `atMs` in `timezone`. */
export function localFields(
  atMs: number,
  timezone: string,
): LocalDate & { hour: number; minute: number; second: number } {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timezone).formatToParts(atMs)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  return fields;
}

/** The local calendar date of `atMs` in `timezone`. */
export function localDateOf(atMs: number, timezone: string): LocalDate {
  const { year, month, day } = localFields(atMs, timezone);
  return { year, month, day };
}

/** How far local wall-clock time is ahead of UTC at `atMs` (e.g. +1 h in Berlin in winter). */
function utcOffsetMs(atMs: number, timezone: string): number {
  const f = localFields(atMs, timezone);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - Math.floor(atMs / 1000) * 1000;
}

/** `date` moved by `days` calendar days (month and year ends roll over). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** `date`'s month moved by `months`, on day 1. */
export function firstOfMonth(date: LocalDate, months: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: 1 };
}

/** Day of the week of a calendar date: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

function sameDate(a: LocalDate, b: LocalDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/**
 * The first instant of local day `date` in `timezone`. Usually local 00:00; where a daylight-saving jump
 * skips midnight (America/Santiago, America/Havana) the day starts at the jump, and where midnight happens
 * twice the first one counts.
 */
export function startOfLocalDay(date: LocalDate, timezone: string): number {
  const wallMidnight = Date.UTC(date.year, date.month - 1, date.day);
  // The offset in force at local midnight is the one of the day before or the day after: a transition
  // happens at most once around a given midnight, so one of these two is right.
  const candidates = [wallMidnight - DAY_MS, wallMidnight + DAY_MS].map(
    (probe) => wallMidnight - utcOffsetMs(probe, timezone),
  );
  const inDay = candidates.filter((t) => sameDate(localDateOf(t, timezone), date));
  // Neither lands in the day only for a date the zone skipped altogether (Pacific/Apia, 2011-12-30): the
  // later candidate is where the next day starts, so the skipped day comes out empty.
  return inDay.length > 0 ? Math.min(...inDay) : Math.max(...candidates);
}

/** `YYYY-MM-DD` of a local date. */
function formatLocalDate(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** Local wall-clock time of `atMs` as `YYYY-MM-DDTHH:MM±HH:MM`, for people reading the output. */
export function formatLocalTime(atMs: number, timezone: string): string {
  const f = localFields(atMs, timezone);
  const offsetMinutes = Math.round(utcOffsetMs(atMs, timezone) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${formatLocalDate(f)}T${pad(f.hour)}:${pad(f.minute)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
