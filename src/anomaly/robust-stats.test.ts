import { hampelScores } from './hampel';
import { finiteMean, median, medianAbsoluteDeviation, quantile, quantileSorted } from './robust-stats';
import { centredMovingMean } from './seasonal-residual';

describe('robust statistics', () => {
  it('ignore gaps', () => {
    expect(median([3, NaN, 1, 2])).toBe(2);
    expect(finiteMean([1, NaN, 3])).toBe(2);
    expect(Number.isNaN(median([NaN, NaN]))).toBe(true);
  });

  it('interpolate quantiles like R type 7', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6);
    expect(quantile([10], 0.1)).toBe(10);
  });

  it('compute the MAD around the median', () => {
    expect(medianAbsoluteDeviation([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });

  it('give a centred moving mean clipped at the ends', () => {
    expect(Array.from(centredMovingMean([1, 2, 3, 4, 5], 3))).toEqual([1.5, 2, 3, 4, 4.5]);
  });

  it('score a spike against its local window', () => {
    const values = [1, 2, 1, 2, 1, 50, 1, 2, 1, 2, 1];
    const { median: m, z } = hampelScores(values, 3, 0);
    expect(m[5]).toBe(1);
    expect(z[5] as number).toBeGreaterThan(20);
    expect(z[4] as number).toBeLessThan(1);
  });
});

describe('quantileSorted nearest-rank', () => {
  it('is always one of the values: the smallest with a share p at or below it', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantileSorted(sorted, 0.99, 'nearest-rank')).toBe(10);
    expect(quantileSorted(sorted, 0.5, 'nearest-rank')).toBe(5);
    expect(quantileSorted(sorted, 0.5)).toBe(5.5);
    expect(quantileSorted(sorted, 0, 'nearest-rank')).toBe(1);
    expect(quantileSorted([], 0.5, 'nearest-rank')).toBeNaN();
  });
});

describe('finiteMean minCount', () => {
  it('is NaN when fewer than minCount values are present', () => {
    expect(finiteMean([1, NaN, 3], 0, 3, 2)).toBe(2);
    expect(finiteMean([1, NaN, NaN], 0, 3, 2)).toBeNaN();
    expect(finiteMean([NaN, NaN])).toBeNaN();
  });
});
