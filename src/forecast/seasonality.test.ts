import { DAY_MS, WEEK_MS, autocorrelation, detectDominantPeriod, detectSeasonality } from './seasonality';
import { gaussian, seededRandom, syntheticSeries } from './synthetic-series';

const STEP = 5 * 60_000;

function detect(
  values: number[],
): Record<string, { detected: boolean; confidence: number; reason?: string }> {
  const out: Record<string, { detected: boolean; confidence: number; reason?: string }> = {};
  for (const test of detectSeasonality(values, STEP)) {
    out[test.periodMs === DAY_MS ? 'day' : 'week'] = test;
  }
  return out;
}

describe('detectSeasonality', () => {
  it('finds a daily season with high confidence and no weekly one in a purely daily series', () => {
    const result = detect(syntheticSeries({ days: 21, stepMs: STEP, daily: 30, noise: 5 }).values);
    expect(result.day?.detected).toBe(true);
    expect(result.day?.confidence).toBeGreaterThan(0.8);
    expect(result.week?.detected).toBe(false);
  });

  it('finds both in a series with a weekend effect', () => {
    const result = detect(
      syntheticSeries({ days: 21, stepMs: STEP, daily: 30, weekend: -40, noise: 5 }).values,
    );
    expect(result.day?.detected).toBe(true);
    expect(result.week?.detected).toBe(true);
  });

  it('is not fooled by a trend', () => {
    const result = detect(syntheticSeries({ days: 21, stepMs: STEP, trendPerDay: 20, noise: 5 }).values);
    expect(result.day?.detected).toBe(false);
    expect(result.week?.detected).toBe(false);
  });

  it('finds nothing in white noise', () => {
    const result = detect(syntheticSeries({ days: 21, stepMs: STEP, noise: 10 }).values);
    expect(result.day?.detected).toBe(false);
    expect(result.day?.confidence).toBeLessThan(0.1);
    expect(result.week?.detected).toBe(false);
  });

  it('does not test a period with fewer than two cycles of history', () => {
    const result = detect(syntheticSeries({ days: 10, stepMs: STEP, daily: 30, weekend: -40 }).values);
    expect(result.day?.detected).toBe(true);
    expect(result.week?.detected).toBe(false);
    expect(result.week?.reason).toMatch(/two cycles/);
    expect(detect(syntheticSeries({ days: 1.5, stepMs: STEP, daily: 30 }).values).day?.detected).toBe(false);
  });

  it('handles gaps', () => {
    const values = syntheticSeries({ days: 14, stepMs: STEP, daily: 30, noise: 3 }).values;
    const random = seededRandom(9);
    for (let i = 0; i < values.length; i++) if (random() < 0.2) values[i] = NaN;
    expect(detect(values).day?.detected).toBe(true);
  });

  it.each([
    ['constant', 5],
    ['all zeros', 0],
  ])('reports no season with confidence 0 for a %s series', (_name, level) => {
    const result = detect(new Array(14 * 288).fill(level));
    expect(result.day).toMatchObject({ detected: false, confidence: 0 });
    expect(result.week).toMatchObject({ detected: false, confidence: 0 });
  });
});

describe('detectDominantPeriod', () => {
  it('finds the period of a seasonal series with no calendar, not a multiple of it', () => {
    const normal = gaussian(seededRandom(4));
    const values = Array.from({ length: 600 }, (_, i) => 10 * Math.sin((2 * Math.PI * i) / 24) + normal());
    expect(detectDominantPeriod(values)).toMatchObject({ period: 24, detected: true });
  });

  it('finds none in a persistent series that merely decays (AR(1), φ = 0.99)', () => {
    const normal = gaussian(seededRandom(6));
    let x = 0;
    const values = Array.from({ length: 3000 }, () => (x = 0.99 * x + normal()));
    expect(detectDominantPeriod(values)?.detected ?? false).toBe(false);
  });

  it('finds none in noise', () => {
    const normal = gaussian(seededRandom(5));
    expect(detectDominantPeriod(Array.from({ length: 600 }, () => normal()))?.detected ?? false).toBe(false);
  });
});

describe('autocorrelation', () => {
  it('is 1 at the period of a pure cycle and NaN for a constant', () => {
    const cycle = Array.from({ length: 100 }, (_, i) => (i % 10) - 4.5);
    expect(autocorrelation(cycle, 10).value).toBeCloseTo(1, 1);
    expect(Number.isNaN(autocorrelation([3, 3, 3, 3], 1).value)).toBe(true);
  });

  it('weekly periods are a week long', () => {
    expect(detectSeasonality(new Array(10).fill(1), STEP).map((t) => t.periodMs)).toEqual([DAY_MS, WEEK_MS]);
  });
});
