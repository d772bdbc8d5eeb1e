import { windowRange, type CapacityWindow } from './windows';
import { formatLocalTime, startOfLocalDay } from '../util/zoned-time';

const HOUR = 3_600_000;

/** The window as local wall-clock times with offsets, and its length in hours. */
function local(window: CapacityWindow, nowIso: string, timezone: string): [string, string, number] {
  const range = windowRange(window, Date.parse(nowIso), timezone);
  return [
    formatLocalTime(range.fromMs, timezone),
    formatLocalTime(range.toMs, timezone),
    (range.toMs - range.fromMs) / HOUR,
  ];
}

describe('windowRange', () => {
  it.each<[CapacityWindow, string, string, [string, string, number]]>([
    // Friday before the spring change in Berlin (31 March 2024, 02:00 → 03:00).
    [
      'next_day',
      '2024-03-29T12:00:00Z',
      'Europe/Berlin',
      ['2024-03-30T00:00+01:00', '2024-03-31T00:00+01:00', 24],
    ],
    [
      'next_weekend',
      '2024-03-29T12:00:00Z',
      'Europe/Berlin',
      ['2024-03-30T00:00+01:00', '2024-04-01T00:00+02:00', 47],
    ],
    [
      'next_week',
      '2024-03-29T12:00:00Z',
      'Europe/Berlin',
      ['2024-04-01T00:00+02:00', '2024-04-08T00:00+02:00', 168],
    ],
    [
      'next_month',
      '2024-03-29T12:00:00Z',
      'Europe/Berlin',
      ['2024-04-01T00:00+02:00', '2024-05-01T00:00+02:00', 720],
    ],
    // The day of the change is 23 hours long; on a Saturday "next weekend" is the following one.
    [
      'next_day',
      '2024-03-30T10:00:00Z',
      'Europe/Berlin',
      ['2024-03-31T00:00+01:00', '2024-04-01T00:00+02:00', 23],
    ],
    [
      'next_weekend',
      '2024-03-30T10:00:00Z',
      'Europe/Berlin',
      ['2024-04-06T00:00+02:00', '2024-04-08T00:00+02:00', 48],
    ],
    [
      'next_week',
      '2024-03-30T10:00:00Z',
      'Europe/Berlin',
      ['2024-04-01T00:00+02:00', '2024-04-08T00:00+02:00', 168],
    ],
    // Autumn: the day of the change (27 October 2024) is 25 hours; October holds one extra hour.
    [
      'next_day',
      '2024-10-26T08:00:00Z',
      'Europe/Berlin',
      ['2024-10-27T00:00+02:00', '2024-10-28T00:00+01:00', 25],
    ],
    [
      'next_week',
      '2024-10-26T08:00:00Z',
      'Europe/Berlin',
      ['2024-10-28T00:00+01:00', '2024-11-04T00:00+01:00', 168],
    ],
    [
      'next_weekend',
      '2024-10-20T08:00:00Z',
      'Europe/Berlin',
      ['2024-10-26T00:00+02:00', '2024-10-28T00:00+01:00', 49],
    ],
    [
      'next_month',
      '2024-09-15T08:00:00Z',
      'Europe/Berlin',
      ['2024-10-01T00:00+02:00', '2024-11-01T00:00+01:00', 745],
    ],
    // New York changes on other dates (10 March and 3 November 2024) at 02:00 local.
    [
      'next_day',
      '2024-03-09T15:00:00Z',
      'America/New_York',
      ['2024-03-10T00:00-05:00', '2024-03-11T00:00-04:00', 23],
    ],
    [
      'next_weekend',
      '2024-03-08T15:00:00Z',
      'America/New_York',
      ['2024-03-09T00:00-05:00', '2024-03-11T00:00-04:00', 47],
    ],
    [
      'next_day',
      '2024-11-02T12:00:00Z',
      'America/New_York',
      ['2024-11-03T00:00-04:00', '2024-11-04T00:00-05:00', 25],
    ],
    [
      'next_month',
      '2024-10-15T12:00:00Z',
      'America/New_York',
      ['2024-11-01T00:00-04:00', '2024-12-01T00:00-05:00', 721],
    ],
    // 03:30 UTC on 1 November is still 31 October in New York: next month is November, not December.
    [
      'next_month',
      '2024-11-01T03:30:00Z',
      'America/New_York',
      ['2024-11-01T00:00-04:00', '2024-12-01T00:00-05:00', 721],
    ],
    [
      'next_day',
      '2024-11-01T03:30:00Z',
      'America/New_York',
      ['2024-11-01T00:00-04:00', '2024-11-02T00:00-04:00', 24],
    ],
    // ...and 22:30 UTC on 31 March is already 1 April in Berlin.
    [
      'next_day',
      '2024-03-31T22:30:00Z',
      'Europe/Berlin',
      ['2024-04-02T00:00+02:00', '2024-04-03T00:00+02:00', 24],
    ],
    [
      'next_month',
      '2024-03-31T22:30:00Z',
      'Europe/Berlin',
      ['2024-05-01T00:00+02:00', '2024-06-01T00:00+02:00', 744],
    ],
    ['next_month', '2024-03-31T22:30:00Z', 'UTC', ['2024-04-01T00:00+00:00', '2024-05-01T00:00+00:00', 720]],
    // Month and year ends, leap February.
    ['next_day', '2024-01-31T23:30:00Z', 'UTC', ['2024-02-01T00:00+00:00', '2024-02-02T00:00+00:00', 24]],
    ['next_month', '2024-01-31T23:30:00Z', 'UTC', ['2024-02-01T00:00+00:00', '2024-03-01T00:00+00:00', 696]],
    ['next_month', '2023-01-15T00:00:00Z', 'UTC', ['2023-02-01T00:00+00:00', '2023-03-01T00:00+00:00', 672]],
    ['next_month', '2024-12-15T00:00:00Z', 'UTC', ['2025-01-01T00:00+00:00', '2025-02-01T00:00+00:00', 744]],
    ['next_day', '2024-12-31T12:00:00Z', 'UTC', ['2025-01-01T00:00+00:00', '2025-01-02T00:00+00:00', 24]],
    ['next_week', '2024-12-31T12:00:00Z', 'UTC', ['2025-01-06T00:00+00:00', '2025-01-13T00:00+00:00', 168]],
    // On a Monday the next week is the one after; on a Sunday the next weekend is six days away.
    ['next_week', '2024-03-04T09:00:00Z', 'UTC', ['2024-03-11T00:00+00:00', '2024-03-18T00:00+00:00', 168]],
    ['next_week', '2024-03-10T23:59:00Z', 'UTC', ['2024-03-11T00:00+00:00', '2024-03-18T00:00+00:00', 168]],
    ['next_weekend', '2024-03-10T12:00:00Z', 'UTC', ['2024-03-16T00:00+00:00', '2024-03-18T00:00+00:00', 48]],
    ['next_weekend', '2024-03-15T23:59:00Z', 'UTC', ['2024-03-16T00:00+00:00', '2024-03-18T00:00+00:00', 48]],
    // Half-hour offsets, and a zone whose spring change skips midnight (Santiago: 00:00 → 01:00).
    [
      'next_day',
      '2024-06-10T20:00:00Z',
      'Asia/Kolkata',
      ['2024-06-12T00:00+05:30', '2024-06-13T00:00+05:30', 24],
    ],
    [
      'next_day',
      '2024-09-07T12:00:00Z',
      'America/Santiago',
      ['2024-09-08T01:00-03:00', '2024-09-09T00:00-03:00', 23],
    ],
  ])('%s at %s in %s', (window, nowIso, timezone, expected) => {
    expect(local(window, nowIso, timezone)).toEqual(expected);
  });

  it('reports the resolution of each window', () => {
    const now = Date.parse('2024-03-29T12:00:00Z');
    expect(windowRange('next_day', now, 'UTC').resolutionMs).toBe(5 * 60_000);
    expect(windowRange('next_week', now, 'UTC').resolutionMs).toBe(HOUR);
    expect(windowRange('next_weekend', now, 'UTC').resolutionMs).toBe(HOUR);
    expect(windowRange('next_month', now, 'UTC').resolutionMs).toBe(6 * HOUR);
  });

  it('always starts after now', () => {
    for (
      let t = Date.parse('2024-03-25T00:00:00Z');
      t < Date.parse('2024-04-08T00:00:00Z');
      t += 3 * HOUR + 7
    ) {
      for (const window of ['next_day', 'next_week', 'next_weekend', 'next_month'] as const) {
        for (const timezone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Auckland']) {
          const range = windowRange(window, t, timezone);
          expect(range.fromMs).toBeGreaterThan(t);
          expect(range.toMs).toBeGreaterThan(range.fromMs);
        }
      }
    }
  });
});

describe('startOfLocalDay', () => {
  it.each<[string, [number, number, number], string]>([
    ['Europe/Berlin', [2024, 3, 31], '2024-03-30T23:00:00.000Z'],
    ['America/New_York', [2024, 11, 3], '2024-11-03T04:00:00.000Z'],
    // Havana jumps from 00:00 to 01:00: the day starts at the jump.
    ['America/Havana', [2024, 3, 10], '2024-03-10T05:00:00.000Z'],
    // Santiago falls back from 24:00 to 23:00 on the 6th: the 7th still starts once, at 00:00 -04:00.
    ['America/Santiago', [2024, 4, 7], '2024-04-07T04:00:00.000Z'],
    // Samoa skipped 30 December 2011 altogether: the day is empty, at the start of the 31st.
    ['Pacific/Apia', [2011, 12, 30], '2011-12-30T10:00:00.000Z'],
    ['Pacific/Apia', [2011, 12, 31], '2011-12-30T10:00:00.000Z'],
  ])('%s %j', (timezone, [year, month, day], iso) => {
    expect(new Date(startOfLocalDay({ year, month, day }, timezone)).toISOString()).toBe(iso);
  });
});
