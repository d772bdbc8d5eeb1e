import { DEFAULT_POLICIES, parseMultipliers, recommend, type WindowPolicy } from './recommend';
import { GIB, MIB } from './units';

const DAY = DEFAULT_POLICIES.next_day;
const MONTH = DEFAULT_POLICIES.next_month;

describe('recommend', () => {
  it('has the documented defaults: 80 %/120 % for day, week and weekend, 70 %/150 % for month', () => {
    for (const window of ['next_day', 'next_week', 'next_weekend'] as const) {
      expect(DEFAULT_POLICIES[window]).toEqual({
        requestMultiplier: 0.8,
        limitMultiplier: 1.2,
        allowBelowPeak: false,
      });
    }
    expect(MONTH).toEqual({ requestMultiplier: 0.7, limitMultiplier: 1.5, allowBelowPeak: false });
  });

  it('multiplies the forecast basis and rounds up to Kubernetes units', () => {
    const cpu = recommend('cpu', 1, 0.5, DAY);
    expect(cpu.request).toEqual({ value: 0.8, text: '800m', bound: 'forecast' });
    expect(cpu.limit).toEqual({ value: 1.2, text: '1200m', bound: 'forecast' });
    const memory = recommend('memory', GIB, 512 * MIB, MONTH);
    expect(memory.request.text).toBe('717Mi'); // 0.7 × 1024 = 716.8 → 717
    expect(memory.limit.text).toBe('1536Mi');
  });

  it('never goes below the observed peak unless asked', () => {
    const floored = recommend('cpu', 1, 1.1, DAY);
    expect(floored.request).toEqual({ value: 1.1, text: '1100m', bound: 'observed-peak' });
    expect(floored.limit).toEqual({ value: 1.2, text: '1200m', bound: 'forecast' });
    const both = recommend('memory', 600 * MIB, 900 * MIB, DAY);
    expect(both.request.text).toBe('900Mi');
    expect(both.limit.text).toBe('900Mi');
    expect(both.limit.bound).toBe('observed-peak');

    const allowed: WindowPolicy = { ...DAY, allowBelowPeak: true };
    const below = recommend('cpu', 1, 1.1, allowed);
    expect(below.request).toEqual({ value: 0.8, text: '800m', bound: 'forecast' });
  });

  it.each([
    [0.05, 3.2],
    [0.9, 0.91],
    [2.5, 30],
  ])('keeps request ≤ limit and both ≥ the peak (basis %d, peak %d)', (basis, peak) => {
    for (const policy of Object.values(DEFAULT_POLICIES)) {
      const rec = recommend('cpu', basis, peak, policy);
      expect(rec.request.value).toBeGreaterThanOrEqual(peak - 1e-9);
      expect(rec.limit.value).toBeGreaterThanOrEqual(rec.request.value);
    }
  });

  it('keeps the limit at least the request when rounding or a custom policy would invert them', () => {
    const rec = recommend('cpu', 0.001, undefined, {
      requestMultiplier: 1,
      limitMultiplier: 1,
      allowBelowPeak: false,
    });
    expect(rec.request.text).toBe('10m');
    expect(rec.limit.text).toBe('10m');
  });

  it('treats a NaN or negative basis as no forecast: the observed peak decides', () => {
    expect(recommend('cpu', NaN, 0.3, DAY).request.text).toBe('300m');
    expect(recommend('cpu', -1, undefined, DAY).request.text).toBe('10m');
  });
});

describe('parseMultipliers', () => {
  it.each([
    ['0.8:1.2', { requestMultiplier: 0.8, limitMultiplier: 1.2 }],
    [' 1 : 2 ', { requestMultiplier: 1, limitMultiplier: 2 }],
    ['.5:.75', { requestMultiplier: 0.5, limitMultiplier: 0.75 }],
  ])('%j', (text, expected) => {
    expect(parseMultipliers(text)).toEqual(expected);
  });

  it.each([
    ['0.8', 'expected REQUEST:LIMIT'],
    ['0:1', 'expected REQUEST:LIMIT'],
    ['1:11', 'at most 10'],
    ['a:b', 'expected REQUEST:LIMIT'],
    ['1.5:1.2', 'the limit multiplier is below the request'],
  ])('rejects %j', (text, message) => {
    expect(() => parseMultipliers(text)).toThrow(message);
  });
});
