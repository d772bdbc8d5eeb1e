import { syntheticSeries } from './synthetic-series';
import { trendLabel } from './trend';

const STEP = 5 * 60_000;

describe('trendLabel', () => {
  it.each([
    ['increasing', { trendPerDay: 5 }],
    ['decreasing', { trendPerDay: -5 }],
    ['stable', {}],
  ])('labels a daily series %s', (label, extra) => {
    const values = syntheticSeries({ days: 14, stepMs: STEP, daily: 30, noise: 3, ...extra }).values;
    expect(trendLabel(values, 288)).toBe(label);
  });

  it('labels noise as large as the level volatile', () => {
    const values = syntheticSeries({ days: 14, stepMs: STEP, level: 10, noise: 20 }).values;
    expect(trendLabel(values, undefined)).toBe('volatile');
  });

  it.each([
    ['constant', 4],
    ['all zeros', 0],
  ])('labels a %s series stable', (_name, level) => {
    expect(trendLabel(new Array(1000).fill(level), 288)).toBe('stable');
  });
});
