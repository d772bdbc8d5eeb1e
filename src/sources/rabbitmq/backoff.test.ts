import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  const options = { initialDelayMs: 250, maxDelayMs: 10_000 };

  it('doubles from the initial delay and stops at the cap', () => {
    const upper = [0, 1, 2, 3, 4, 5, 6, 10, 50].map((attempt) => backoffDelayMs(attempt, options, () => 1));
    expect(upper).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('keeps at least half of the delay whatever the jitter', () => {
    expect(backoffDelayMs(0, options, () => 0)).toBe(125);
    expect(backoffDelayMs(20, options, () => 0)).toBe(5000);
    for (let i = 0; i < 100; i += 1) {
      const delay = backoffDelayMs(3, options);
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });
});
