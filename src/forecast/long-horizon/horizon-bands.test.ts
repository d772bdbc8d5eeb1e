import { seededRandom, gaussian } from '../synthetic-series';
import { IDENTITY } from '../transform';
import {
  applyResidual,
  bandsFromResiduals,
  binEndsFor,
  boundResidual,
  conformalQuantile,
  orderStatistic,
} from './horizon-bands';

const FIVE_MINUTE_PERIODS = { day: 288, week: 2016 };

describe('binEndsFor', () => {
  it('bins the first hour, the first six hours, then one bin a day up to the horizon', () => {
    expect(binEndsFor(FIVE_MINUTE_PERIODS, 2016)).toEqual([12, 72, 288, 576, 864, 1152, 1440, 1728, 2016]);
  });

  it('stops at the horizon, however short', () => {
    expect(binEndsFor(FIVE_MINUTE_PERIODS, 6)).toEqual([6]);
    expect(binEndsFor(FIVE_MINUTE_PERIODS, 100)).toEqual([12, 72, 100]);
  });

  it('keeps a bin a day for two weeks, then doubles the bins, so a long horizon needs few', () => {
    const ends = binEndsFor(FIVE_MINUTE_PERIODS, 100 * 288);
    const days = ends.map((end) => end / 288);
    expect(days.slice(2, 16)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(days.slice(16)).toEqual([15, 17, 21, 29, 45, 77, 100]);
  });

  it('stays small for a series that counts steps, even for a horizon of a million steps', () => {
    const ends = binEndsFor({ day: 1, week: 7 }, 1_000_000);
    expect(ends.length).toBeLessThan(40);
    expect(ends[ends.length - 1]).toBe(1_000_000);
    for (let i = 1; i < ends.length; i++) expect(ends[i]).toBeGreaterThan(ends[i - 1] as number);
  });
});

describe('conformalQuantile', () => {
  it('takes rank ⌈(m + 1) q⌉ for an upper level and ⌊(m + 1) q⌋ for a lower one', () => {
    const sorted = Float64Array.from({ length: 19 }, (_, i) => i + 1);
    expect(conformalQuantile(sorted, 0.9)).toBe(18);
    expect(conformalQuantile(sorted, 0.1)).toBe(2);
    // Fewer residuals than the level can resolve: the largest (smallest) one.
    expect(conformalQuantile(Float64Array.of(1, 2, 3), 0.9)).toBe(3);
    expect(conformalQuantile(Float64Array.of(1, 2, 3), 0.1)).toBe(1);
  });
});

describe('orderStatistic', () => {
  it.each([
    ['distinct values', (r: () => number) => r()],
    ['many repeats', (r: () => number) => Math.floor(r() * 5)],
    ['one value', () => 7],
    ['ascending', (_r: () => number, i: number) => i],
    ['descending', (_r: () => number, i: number) => -i],
  ])('gives what sorting gives at every rank, on %s', (_name, value) => {
    const random = seededRandom(13);
    for (const length of [1, 2, 3, 10, 257]) {
      const values = Float64Array.from({ length }, (_, i) => value(random, i));
      const sorted = values.slice().sort();
      for (let k = 0; k < length; k++) expect(orderStatistic(values.slice(), k)).toBe(sorted[k]);
    }
  });
});

describe('bandsFromResiduals', () => {
  const binEnds = [12, 72, 288, 576];
  const normal = gaussian(seededRandom(3));
  const sample = (count: number, sd: number): number[] => Array.from({ length: count }, () => sd * normal());

  it('is monotone in the lead: a longer lead is never more certain, even when its residuals were smaller', () => {
    const bands = bandsFromResiduals(
      binEnds,
      [sample(500, 1), sample(500, 2), sample(500, 0.5), sample(500, 3)],
      0.9,
    );
    for (let i = 1; i < binEnds.length; i++) {
      expect(bands.upper[i]).toBeGreaterThanOrEqual(bands.upper[i - 1] as number);
      expect(bands.lower[i]).toBeLessThanOrEqual(bands.lower[i - 1] as number);
    }
    expect(bands.upper[2]).toBe(bands.upper[1]);
    expect(bands.counts).toEqual([500, 500, 500, 500]);
  });

  it('is bounded by the residuals it saw, and grows only as they do', () => {
    const residuals = [sample(400, 1), sample(400, 1), sample(400, 1), sample(400, 1)];
    const bands = bandsFromResiduals(binEnds, residuals, 0.9);
    const largest = Math.max(...residuals.flat());
    const smallest = Math.min(...residuals.flat());
    for (let i = 0; i < binEnds.length; i++) {
      expect(bands.upper[i]).toBeLessThanOrEqual(largest);
      expect(bands.lower[i]).toBeGreaterThanOrEqual(smallest);
      // Same distribution at every lead: the band stays near the normal quantile, 1.28.
      expect(bands.upper[i]).toBeGreaterThan(1.1);
      expect(bands.upper[i]).toBeLessThan(1.5);
    }
  });

  it('lets a bin with too few residuals borrow the band before it', () => {
    const bands = bandsFromResiduals(binEnds, [sample(100, 1), sample(3, 10), sample(100, 2), []], 0.9);
    expect(bands.counts).toEqual([100, 0, 100, 0]);
    expect(bands.upper[1]).toBe(bands.upper[0]);
    expect(bands.upper[3]).toBe(bands.upper[2]);
  });

  it('covers the quantile it was built for on fresh draws of the same noise', () => {
    for (const [quantile, sd] of [
      [0.9, 1],
      [0.8, 5],
      [0.95, 0.2],
    ] as const) {
      const bands = bandsFromResiduals([1], [sample(2000, sd)], quantile);
      const fresh = sample(20_000, sd);
      const covered = fresh.filter((r) => r <= boundResidual(bands, 1, 'upper')).length / fresh.length;
      const below = fresh.filter((r) => r < boundResidual(bands, 1, 'lower')).length / fresh.length;
      expect(Math.abs(covered - quantile)).toBeLessThan(0.02);
      expect(Math.abs(below - (1 - quantile))).toBeLessThan(0.02);
    }
  });

  it('holds the last band past the horizon', () => {
    const bands = bandsFromResiduals(
      binEnds,
      binEnds.map(() => sample(100, 1)),
      0.9,
    );
    expect(boundResidual(bands, 10_000, 'upper')).toBe(bands.upper[3]);
    expect(applyResidual(IDENTITY, 5, 1.5)).toBe(6.5);
  });
});
