import { isSeasonal, mase, naive2, owa, smape } from './m4-scoring';

describe('M4 scoring', () => {
  it('computes sMAPE in percent with M4 denominators', () => {
    expect(smape([100, 100], [110, 100])).toBeCloseTo((100 * (20 / 210)) / 2, 10);
    expect(smape([0], [0])).toBe(0);
  });

  it('scales MASE by the in-sample seasonal naive error', () => {
    // In-sample lag-2 changes are all 2: a forecast off by 1 everywhere scores 0.5.
    expect(mase([0, 1, 2, 3, 4, 5], [7, 8], [8, 9], 2)).toBeCloseTo(0.5, 12);
  });

  it('Naive2 is the last value on a flat season and follows the season when there is one', () => {
    expect(naive2([3, 3, 3, 5], 3, 2)).toEqual([5, 5, 5]);
    const daily = Array.from({ length: 24 * 14 }, (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / 24));
    expect(isSeasonal(daily)).toBe(true);
    const forecast = naive2(daily, 24);
    for (let h = 0; h < 24; h++) {
      const truth = 100 + 50 * Math.sin((2 * Math.PI * (daily.length + h)) / 24);
      expect(Math.abs((forecast[h] as number) - truth)).toBeLessThan(2);
    }
  });

  it('OWA is 1 for Naive2 itself', () => {
    expect(owa({ smape: 10, mase: 2 }, { smape: 10, mase: 2 })).toBe(1);
    expect(owa({ smape: 5, mase: 2 }, { smape: 10, mase: 2 })).toBe(0.75);
  });
});
