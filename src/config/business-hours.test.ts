import {
  isWithinBusinessHours,
  localTime,
  parseBusinessHours,
  parseTimezone,
  type BusinessHoursWindow,
} from './business-hours';

const EXPECTED =
  'windows like "Mon-Fri 08:00-18:00", several joined by ";" (e.g. "Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00")';
const WEEKDAYS = [1, 2, 3, 4, 5];
const at = (iso: string): number => Date.parse(iso);

describe('parseBusinessHours', () => {
  it.each<[string, BusinessHoursWindow[]]>([
    ['Mon-Fri 08:00-18:00', [{ days: WEEKDAYS, startMinute: 480, endMinute: 1080 }]],
    ['mon-fri 8:00-18:00', [{ days: WEEKDAYS, startMinute: 480, endMinute: 1080 }]],
    ['Monday-Friday 08:00 - 18:00', [{ days: WEEKDAYS, startMinute: 480, endMinute: 1080 }]],
    ['Tues,Thurs 09:30-17:15', [{ days: [2, 4], startMinute: 570, endMinute: 1035 }]],
    ['Mon,Wed,Fri 09:00-17:00', [{ days: [1, 3, 5], startMinute: 540, endMinute: 1020 }]],
    ['Mon-Wed, Fri 09:00-17:00', [{ days: [1, 2, 3, 5], startMinute: 540, endMinute: 1020 }]],
    ['Sat-Mon 10:00-14:00', [{ days: [0, 1, 6], startMinute: 600, endMinute: 840 }]],
    ['Fri-Mon 10:00-14:00', [{ days: [0, 1, 5, 6], startMinute: 600, endMinute: 840 }]],
    ['Tue-Mon 00:00-24:00', [{ days: [0, 1, 2, 3, 4, 5, 6], startMinute: 0, endMinute: 1440 }]],
    ['Sun 00:00-24:00', [{ days: [0], startMinute: 0, endMinute: 1440 }]],
    ['Fri 22:00-06:00', [{ days: [5], startMinute: 1320, endMinute: 360 }]],
    [
      'Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00',
      [
        { days: WEEKDAYS, startMinute: 480, endMinute: 720 },
        { days: WEEKDAYS, startMinute: 780, endMinute: 1080 },
        { days: [6], startMinute: 600, endMinute: 840 },
      ],
    ],
    [' ; Mon 08:00-09:00 ;; ', [{ days: [1], startMinute: 480, endMinute: 540 }]],
  ])('%j', (raw, windows) => {
    expect(parseBusinessHours('businessHours', raw)).toEqual(windows);
  });

  it.each([
    '',
    ' ; ',
    'Mon-Fri',
    '08:00-18:00',
    'Mon-Fri 08:00',
    'Mon-Fri 08:00 18:00',
    'Mon-Fri 8am-6pm',
    'Mon-Fri 0800-1800',
    'Mon-Fri 08:00-08:00',
    'Mon-Fri 08:60-09:00',
    'Mon-Fri 24:30-23:00',
    'Mon-Fri 08:00-25:00',
    'Mon-Fri 08:00-18:00-20:00',
    'Mo-Fr 08:00-18:00',
    'Monkey 08:00-18:00',
    'Fridays 08:00-18:00',
    'Mon-Wed-Fri 08:00-18:00',
    'Mon- 08:00-18:00',
    'Mon,,Fri 08:00-18:00',
    'Mon-Fri 08:00-18:00; weekends',
    'Montag-Freitag 08:00-18:00',
  ])('refuses %j, naming the key and the form', (raw) => {
    expect(() => parseBusinessHours('businessHours', raw)).toThrow(
      `metadata key "businessHours" has invalid value ${JSON.stringify(raw)}: expected ${EXPECTED}`,
    );
  });

  it('refuses schedules over 1000 characters before matching them', () => {
    const raw = 'Mon' + ' '.repeat(100_000) + 'x';
    const started = performance.now();
    expect(() => parseBusinessHours('businessHours', raw)).toThrow(
      `expected ${EXPECTED}, at most 1000 characters`,
    );
    expect(performance.now() - started).toBeLessThan(100);
    expect(parseBusinessHours('businessHours', `Mon 08:00-09:00;${' '.repeat(980)}`)).toHaveLength(1);
  });
});

describe('isWithinBusinessHours (UTC)', () => {
  // 2024-01-01 is a Monday.
  it.each<[string, string, boolean]>([
    ['Mon-Fri 08:00-18:00', '2024-01-01T08:00:00Z', true],
    ['Mon-Fri 08:00-18:00', '2024-01-01T07:59:59Z', false],
    ['Mon-Fri 08:00-18:00', '2024-01-01T17:59:59Z', true],
    ['Mon-Fri 08:00-18:00', '2024-01-01T18:00:00Z', false],
    ['Mon-Fri 08:00-18:00', '2024-01-05T12:00:00Z', true],
    ['Mon-Fri 08:00-18:00', '2024-01-06T12:00:00Z', false],
    ['Mon-Fri 08:00-18:00', '2024-01-07T12:00:00Z', false],
    // Several windows: a lunch break and a Saturday.
    ['Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00', '2024-01-02T11:59:00Z', true],
    ['Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00', '2024-01-02T12:30:00Z', false],
    ['Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00', '2024-01-02T13:00:00Z', true],
    ['Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00', '2024-01-06T10:00:00Z', true],
    ['Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00', '2024-01-06T14:00:00Z', false],
    ['Mon-Fri 08:00-12:00,13:00-18:00; Sat 10:00-14:00', '2024-01-07T10:00:00Z', false],
    // A range wrapping midnight: the part after midnight belongs to the day the shift started.
    ['Fri 22:00-06:00', '2024-01-05T21:59:00Z', false],
    ['Fri 22:00-06:00', '2024-01-05T22:00:00Z', true],
    ['Fri 22:00-06:00', '2024-01-05T23:59:00Z', true],
    ['Fri 22:00-06:00', '2024-01-06T00:00:00Z', true],
    ['Fri 22:00-06:00', '2024-01-06T05:59:00Z', true],
    ['Fri 22:00-06:00', '2024-01-06T06:00:00Z', false],
    ['Fri 22:00-06:00', '2024-01-05T05:00:00Z', false],
    ['Fri 22:00-06:00', '2024-01-06T22:30:00Z', false],
    // Wrapping the week: Saturday night runs into Sunday, Sunday night into Monday.
    ['Sat 22:00-02:00', '2024-01-07T01:00:00Z', true],
    ['Sun 22:00-02:00', '2024-01-08T01:59:00Z', true],
    ['Sun 22:00-02:00', '2024-01-01T01:00:00Z', true],
    ['Sun 22:00-02:00', '2024-01-02T01:00:00Z', false],
    ['Sat-Mon 00:00-24:00', '2024-01-06T00:00:00Z', true],
    ['Sat-Mon 00:00-24:00', '2024-01-07T12:00:00Z', true],
    ['Sat-Mon 00:00-24:00', '2024-01-08T23:59:59Z', true],
    ['Sat-Mon 00:00-24:00', '2024-01-09T00:00:00Z', false],
    ['Sat-Mon 00:00-24:00', '2024-01-05T23:59:59Z', false],
    ['Sat-Mon 09:00-17:00', '2024-01-07T09:00:00Z', true],
    ['Sat-Mon 09:00-17:00', '2024-01-03T09:00:00Z', false],
  ])('%j at %s → %s', (schedule, iso, expected) => {
    expect(isWithinBusinessHours(parseBusinessHours('businessHours', schedule), 'UTC', at(iso))).toBe(
      expected,
    );
  });
});

describe('isWithinBusinessHours across daylight-saving changes', () => {
  // Europe/Berlin: CET (UTC+1) until 2024-03-31 01:00Z, CEST (UTC+2) until 2024-10-27 01:00Z, then CET.
  const weekdays = parseBusinessHours('businessHours', 'Mon-Fri 08:00-18:00');
  const everyDay = parseBusinessHours('businessHours', 'Mon-Sun 08:00-18:00');

  it.each<[string, string, BusinessHoursWindow[], string, boolean]>([
    ['Fri before the March change, 07:59 CET', 'Europe/Berlin', weekdays, '2024-03-29T06:59:00Z', false],
    ['Fri before the March change, 08:00 CET', 'Europe/Berlin', weekdays, '2024-03-29T07:00:00Z', true],
    ['Fri before the March change, 17:59 CET', 'Europe/Berlin', weekdays, '2024-03-29T16:59:00Z', true],
    ['Fri before the March change, 18:00 CET', 'Europe/Berlin', weekdays, '2024-03-29T17:00:00Z', false],
    ['Sun of the March change, 08:00 CEST', 'Europe/Berlin', everyDay, '2024-03-31T06:00:00Z', true],
    ['Sun of the March change, 07:59 CEST', 'Europe/Berlin', everyDay, '2024-03-31T05:59:00Z', false],
    ['Mon after the March change, 07:59 CEST', 'Europe/Berlin', weekdays, '2024-04-01T05:59:00Z', false],
    ['Mon after the March change, 08:00 CEST', 'Europe/Berlin', weekdays, '2024-04-01T06:00:00Z', true],
    ['Mon after the March change, 18:00 CEST', 'Europe/Berlin', weekdays, '2024-04-01T16:00:00Z', false],
    ['Fri before the October change, 07:59 CEST', 'Europe/Berlin', weekdays, '2024-10-25T05:59:00Z', false],
    ['Fri before the October change, 08:00 CEST', 'Europe/Berlin', weekdays, '2024-10-25T06:00:00Z', true],
    ['Sun of the October change, 08:00 CET', 'Europe/Berlin', everyDay, '2024-10-27T07:00:00Z', true],
    ['Sun of the October change, 07:59 CET', 'Europe/Berlin', everyDay, '2024-10-27T06:59:00Z', false],
    [
      'Mon after the October change, 07:00 CET (08:00 in summer time)',
      'Europe/Berlin',
      weekdays,
      '2024-10-28T06:00:00Z',
      false,
    ],
    ['Mon after the October change, 07:59 CET', 'Europe/Berlin', weekdays, '2024-10-28T06:59:00Z', false],
    ['Mon after the October change, 08:00 CET', 'Europe/Berlin', weekdays, '2024-10-28T07:00:00Z', true],
    ['Mon after the October change, 17:59 CET', 'Europe/Berlin', weekdays, '2024-10-28T16:59:00Z', true],
    [
      'New York, Fri before its March change, 08:00 EST',
      'America/New_York',
      weekdays,
      '2024-03-08T13:00:00Z',
      true,
    ],
    [
      'New York, Mon after its March change, 08:00 EDT',
      'America/New_York',
      weekdays,
      '2024-03-11T12:00:00Z',
      true,
    ],
    [
      'New York, Mon after its March change, 07:00 EDT',
      'America/New_York',
      weekdays,
      '2024-03-11T11:00:00Z',
      false,
    ],
    // The local weekday decides: Monday 08:00 in Tokyo is still Sunday in UTC.
    ['Tokyo, Mon 08:00 JST (Sun 23:00Z)', 'Asia/Tokyo', weekdays, '2024-01-07T23:00:00Z', true],
    ['Tokyo, Sat 08:00 JST (Fri 23:00Z)', 'Asia/Tokyo', weekdays, '2024-01-05T23:00:00Z', false],
  ])('%s', (_name, timezone, windows, iso, expected) => {
    expect(isWithinBusinessHours(windows, timezone, at(iso))).toBe(expected);
  });

  it('wraps midnight in local time across the March change (the night is an hour shorter)', () => {
    const night = parseBusinessHours('businessHours', 'Sat 22:00-06:00');
    // Sat 22:00 CET = 21:00Z; Sun 05:59 CEST = 03:59Z; Sun 06:00 CEST = 04:00Z.
    expect(isWithinBusinessHours(night, 'Europe/Berlin', at('2024-03-30T21:00:00Z'))).toBe(true);
    expect(isWithinBusinessHours(night, 'Europe/Berlin', at('2024-03-31T03:59:00Z'))).toBe(true);
    expect(isWithinBusinessHours(night, 'Europe/Berlin', at('2024-03-31T04:00:00Z'))).toBe(false);
  });
});

describe('localTime', () => {
  it.each<[string, string, number, number]>([
    ['2024-01-01T00:00:00Z', 'UTC', 1, 0],
    ['2024-01-01T23:59:00Z', 'UTC', 1, 1439],
    ['2024-01-07T12:34:00Z', 'UTC', 0, 754],
    ['2024-01-06T23:30:00Z', 'Europe/Berlin', 0, 30],
    ['2024-07-06T22:30:00Z', 'Europe/Berlin', 0, 30],
    ['2024-03-31T00:59:00Z', 'Europe/Berlin', 0, 119],
    ['2024-03-31T01:00:00Z', 'Europe/Berlin', 0, 180],
    ['2024-10-27T00:59:00Z', 'Europe/Berlin', 0, 179],
    ['2024-10-27T01:00:00Z', 'Europe/Berlin', 0, 120],
    ['2024-01-01T00:00:00Z', 'America/Los_Angeles', 0, 960],
    ['2024-01-01T00:00:00Z', 'Asia/Kolkata', 1, 330],
  ])('%s in %s is day %d, minute %d', (iso, timezone, day, minute) => {
    expect(localTime(at(iso), timezone)).toEqual({ day, minute });
  });
});

describe('parseTimezone', () => {
  it.each<[string, string]>([
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Europe/Berlin', 'Europe/Berlin'],
    [' Asia/Tokyo ', 'Asia/Tokyo'],
    ['Australia/Lord_Howe', 'Australia/Lord_Howe'],
  ])('%j is %j', (raw, timezone) => {
    expect(parseTimezone('timezone', raw)).toBe(timezone);
  });

  it.each(['Mars/Olympus_Mons', 'Europe/Berlinn', 'CEST+2', 'Berlin', 'UTC+25'])('refuses %j', (raw) => {
    expect(() => parseTimezone('timezone', raw)).toThrow(
      `metadata key "timezone" has invalid value ${JSON.stringify(raw)}: expected an IANA time zone such as UTC or Europe/Berlin`,
    );
  });
});
