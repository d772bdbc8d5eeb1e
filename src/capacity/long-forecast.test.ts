import { trainModel } from '../forecast';
import type { ForecastResult, RegularSeries, TrainedModel } from '../forecast/types';
import {
  ForecastRangeError,
  dailyDrift,
  forecastThrough,
  normalQuantile,
  widenForDrift,
  type LongForecastOptions,
} from './long-forecast';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const END = Date.parse('2024-03-25T00:00:00Z');

/** Two weeks of 1-minute load: a daily wave, and a 10-minute burst at 09:00 every day. */
function spikyHistory(): RegularSeries {
  const values: number[] = [];
  let seed = 11;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const startMs = END - 14 * DAY;
  for (let t = startMs; t < END; t += MINUTE) {
    const minute = (((t % DAY) + DAY) % DAY) / MINUTE;
    const wave = 1 + 0.5 * Math.sin((2 * Math.PI * minute) / 1440);
    const burst = minute >= 540 && minute < 550 ? 4 : 0;
    values.push(wave + burst + 0.05 * random());
  }
  return { startMs, stepMs: MINUTE, values };
}

let history: RegularSeries;
let model: TrainedModel;

beforeAll(() => {
  history = spikyHistory();
  model = trainModel(
    history,
    {
      seasonality: 'daily',
      leadTimesMs: [15 * MINUTE],
      horizonMs: 30 * MINUTE,
      quantile: 0.9,
      anomalyThreshold: 5,
    },
    END,
  );
});

const options = (drift: number | undefined): LongForecastOptions => ({
  calibratedLeadMs: 30 * MINUTE,
  dailyDriftStd: drift,
  quantile: 0.9,
  nonNegative: true,
});

/** Highest point forecast within each local day `day` (0 = the day after the history). */
function dailyPeak(result: ForecastResult, day: number): number {
  const first = Math.round((END + day * DAY - result.fromMs) / result.stepMs);
  return Math.max(...result.mean.slice(first, first + 1440));
}

describe('forecastThrough', () => {
  it('rolls past MAX_FORECAST_STEPS to the end of a month, a day per call', () => {
    const until = END + 37 * DAY;
    const result = forecastThrough(model, history, until, options(undefined));
    expect(result.fromMs).toBe(END);
    expect(result.lastSampleMs).toBe(END - MINUTE);
    expect(result.mean).toHaveLength(37 * 1440 + 1);
    expect(result.fromMs + (result.mean.length - 1) * MINUTE).toBeGreaterThanOrEqual(until);
    expect(result.chunks).toBeGreaterThanOrEqual(37);
    expect(result.chunks).toBeLessThanOrEqual(40);
    for (let i = 0; i < result.mean.length; i += 97) {
      expect(result.lower[i]).toBeLessThanOrEqual(result.mean[i] as number);
      expect(result.upper[i]).toBeGreaterThanOrEqual(result.mean[i] as number);
      expect(result.lower[i]).toBeGreaterThanOrEqual(0);
    }
  });

  it('keeps the daily burst a month out: fed-back days are not smoothed pass after pass', () => {
    const result = forecastThrough(model, history, END + 35 * DAY, options(0));
    const first = dailyPeak(result, 0);
    expect(first).toBeGreaterThan(4);
    for (const day of [7, 20, 34]) expect(dailyPeak(result, day)).toBeGreaterThan(0.95 * first);
  });

  it('widens the band with the days past the calibrated lead, by the measured drift', () => {
    const result = forecastThrough(model, history, END + 30 * DAY, options(0.2));
    const width = (day: number): number => {
      // Same time of day (15:00), so the model's own band is the same.
      const i = Math.round((END + day * DAY + 15 * 60 * MINUTE - result.fromMs) / MINUTE);
      return (result.upper[i] as number) - (result.mean[i] as number);
    };
    expect(width(7)).toBeGreaterThan(width(1));
    expect(width(29)).toBeGreaterThan(width(7));
    // The drift part alone: z(0.9) × 0.2 × √29 ≈ 1.38, added in quadrature to the model's band.
    expect(width(29)).toBeGreaterThan(normalQuantile(0.9) * 0.2 * Math.sqrt(29));
    const flat = forecastThrough(model, history, END + 30 * DAY, options(0));
    const flatWidth = (day: number): number => {
      const i = Math.round((END + day * DAY + 15 * 60 * MINUTE - flat.fromMs) / MINUTE);
      return (flat.upper[i] as number) - (flat.mean[i] as number);
    };
    expect(flatWidth(29)).toBeCloseTo(flatWidth(2), 6);
  });

  it('starts from the newest observed sample after the training window', () => {
    const tail: RegularSeries = { startMs: END, stepMs: MINUTE, values: [1, 1.1, 1.2, NaN, NaN] };
    const result = forecastThrough(model, tail, END + DAY, options(undefined));
    expect(result.lastSampleMs).toBe(END + 2 * MINUTE);
    expect(result.fromMs).toBe(END + 3 * MINUTE);
  });

  it('refuses to reach more than 100 days past the newest sample', () => {
    expect(() => forecastThrough(model, history, END + 101 * DAY, options(undefined))).toThrow(
      ForecastRangeError,
    );
  });

  it('refuses recent samples on another step than the model', () => {
    expect(() =>
      forecastThrough(
        model,
        { startMs: END, stepMs: 5 * MINUTE, values: [1] },
        END + DAY,
        options(undefined),
      ),
    ).toThrow('5 ms'.replace('5 ms', `${5 * MINUTE} ms`));
  });
});

describe('widenForDrift', () => {
  const result = (): ForecastResult => ({
    fromMs: 0,
    stepMs: DAY,
    mean: [10, 10, 10],
    lower: [8, 8, 8],
    upper: [13, 13, 13],
  });

  it('adds z × drift × √days in quadrature past the calibrated lead', () => {
    const r = result();
    widenForDrift(r, -DAY, { calibratedLeadMs: DAY, dailyDriftStd: 2, quantile: 0.9, nonNegative: true });
    const z = normalQuantile(0.9);
    // Point 0 sits at the calibrated lead: unchanged. Points 1 and 2 are 1 and 2 days past it.
    expect(r.upper[0]).toBe(13);
    expect(r.upper[1]).toBeCloseTo(10 + Math.hypot(3, z * 2), 9);
    expect(r.lower[2]).toBeCloseTo(10 - Math.hypot(2, z * 2 * Math.SQRT2), 9);
  });

  it('scales the band by √(1 + days) without a drift estimate, and clamps lower bounds at zero', () => {
    const r = result();
    widenForDrift(r, -DAY, {
      calibratedLeadMs: 0,
      dailyDriftStd: undefined,
      quantile: 0.9,
      nonNegative: true,
    });
    expect(r.upper[1]).toBeCloseTo(10 + 3 * Math.sqrt(3), 9);
    const wide: ForecastResult = { fromMs: 0, stepMs: DAY, mean: [1], lower: [0.2], upper: [2] };
    widenForDrift(wide, -100 * DAY, {
      calibratedLeadMs: 0,
      dailyDriftStd: 1,
      quantile: 0.9,
      nonNegative: true,
    });
    expect(wide.lower[0]).toBe(0);
  });
});

describe('dailyDrift', () => {
  const days = (means: number[], stepMs = 60 * MINUTE): RegularSeries => ({
    startMs: 0,
    stepMs,
    values: means.flatMap((m) => new Array<number>(Math.round(DAY / stepMs)).fill(m)),
  });

  it('is the root mean square of day-to-day changes of the daily mean', () => {
    expect(dailyDrift(days([5, 5, 5, 5]))).toBe(0);
    expect(dailyDrift(days([1, 2, 1, 2]))).toBeCloseTo(1, 12);
    expect(dailyDrift(days([0, 3, 3, 7]))).toBeCloseTo(Math.sqrt((9 + 0 + 16) / 3), 12);
  });

  it('needs three usable days', () => {
    expect(dailyDrift(days([1, 2]))).toBeUndefined();
    const gappy = days([1, 2, 3]);
    gappy.values.fill(NaN, 0, 20);
    expect(dailyDrift(gappy)).toBeUndefined();
  });
});

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.9, 1.2815516],
    [0.975, 1.959964],
    [0.999, 3.090232],
    [0.01, -2.326348],
  ])('%d → %d', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 5);
  });

  it('rejects 0 and 1', () => {
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});
