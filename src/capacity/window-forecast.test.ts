import type { ForecastResult } from '../forecast/types';
import { summariseWindow } from './window-forecast';
import type { WindowRange } from './windows';

const MINUTE = 60_000;
const FROM = Date.parse('2024-04-01T00:00:00Z');

function range(minutes: number, resolutionMinutes: number): WindowRange {
  return {
    window: 'next_day',
    fromMs: FROM,
    toMs: FROM + minutes * MINUTE,
    resolutionMs: resolutionMinutes * MINUTE,
    timezone: 'UTC',
  };
}

/** A forecast starting 10 minutes before the window, one point a minute, mean = minute index. */
function forecast(points: number): ForecastResult {
  const mean = Array.from({ length: points }, (_, i) => i);
  return {
    fromMs: FROM - 10 * MINUTE,
    stepMs: MINUTE,
    mean,
    lower: mean.map((m) => m - 1),
    upper: mean.map((m) => m + 2),
  };
}

describe('summariseWindow', () => {
  it('cuts the forecast to the window and aggregates points at the resolution', () => {
    const { points, summary, resolutionMs } = summariseWindow(forecast(200), range(60, 5), 0.9);
    expect(resolutionMs).toBe(5 * MINUTE);
    expect(points).toHaveLength(12);
    // The first window minute is forecast index 10: the bucket holds 10..14.
    expect(points[0]).toEqual({ at: '2024-04-01T00:00:00.000Z', mean: 12, lower: 9, upper: 16 });
    expect(points[11]).toEqual({ at: '2024-04-01T00:55:00.000Z', mean: 67, lower: 64, upper: 71 });
    expect(summary.mean).toBe(39.5);
    expect(summary.peak).toEqual({ value: 69, at: '2024-04-01T00:59:00.000Z' });
    expect(summary.lower).toBe(9);
    expect(summary.upper).toBe(71);
    // The quantile summary leaves out the top 1 % of the window's time: 60 points → the highest but none.
    expect(summary.quantile).toEqual({ level: 0.9, value: 71 });
  });

  it('ignores a one-point spike of the upper band but keeps peaks that recur', () => {
    const f = forecast(1000);
    f.upper.fill(1);
    f.upper[500] = 100;
    expect(summariseWindow(f, range(900, 60), 0.9).summary.quantile.value).toBe(1);
    for (let i = 10; i < 900; i += 60) f.upper.fill(50, i, i + 10);
    expect(summariseWindow(f, range(900, 60), 0.9).summary.quantile.value).toBe(50);
  });

  it('reports at the model step when it is coarser than the window resolution', () => {
    const f: ForecastResult = {
      fromMs: FROM,
      stepMs: 10 * MINUTE,
      mean: [1, 2, 3],
      lower: [1, 2, 3],
      upper: [1, 2, 3],
    };
    const { points, resolutionMs } = summariseWindow(f, range(30, 5), 0.9);
    expect(resolutionMs).toBe(10 * MINUTE);
    expect(points.map((p) => p.mean)).toEqual([1, 2, 3]);
  });

  it('refuses a forecast that does not reach the window', () => {
    const f: ForecastResult = {
      fromMs: FROM - 60 * MINUTE,
      stepMs: MINUTE,
      mean: [1],
      lower: [1],
      upper: [1],
    };
    expect(() => summariseWindow(f, range(30, 5), 0.9)).toThrow('does not cover');
  });
});
