import { DAY_MS, HOUR_MS, MINUTE_MS, formatDuration } from './duration';

describe('formatDuration', () => {
  it('prints a day as 1d whatever the caller', () => {
    expect(formatDuration(DAY_MS)).toBe('1d');
    expect(formatDuration(36 * HOUR_MS)).toBe('36h');
    expect(formatDuration(15 * MINUTE_MS)).toBe('15m');
  });

  it('prints lengths on an integer-step axis as steps, not milliseconds', () => {
    expect(formatDuration(16, 'step')).toBe('16 steps');
    expect(formatDuration(1, 'step')).toBe('1 step');
  });
});
