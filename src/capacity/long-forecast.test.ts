import { trainModel } from '../forecast';
import type { ForecastResult, RegularSeries, TrainedModel } from '../forecast/types';
import { forecastFrom } from '../forecast/predict';
import { ForecastRangeError, forecastThrough } from './long-forecast';

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

/** Highest point forecast within each local day `day` (0 = the day after the history). */
function dailyPeak(result: ForecastResult, day: number): number {
  const first = Math.round((END + day * DAY - result.fromMs) / result.stepMs);
  return Math.max(...result.mean.slice(first, first + 1440));
}

describe('forecastThrough', () => {
  it('reaches the end of a month in one call, bounds around the forecast and never below 0', () => {
    const until = END + 37 * DAY;
    const result = forecastThrough(model, history, until);
    expect(result.fromMs).toBe(END);
    expect(result.lastSampleMs).toBe(END - MINUTE);
    expect(result.mean).toHaveLength(37 * 1440 + 1);
    expect(result.fromMs + (result.mean.length - 1) * MINUTE).toBeGreaterThanOrEqual(until);
    for (let i = 0; i < result.mean.length; i += 97) {
      expect(result.lower[i]).toBeLessThanOrEqual(result.mean[i] as number);
      expect(result.upper[i]).toBeGreaterThanOrEqual(result.mean[i] as number);
      expect(result.lower[i]).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers the first minutes with the scaling band, the rest with the long-horizon band', () => {
    const result = forecastThrough(model, history, END + 2 * DAY);
    // The model was backtested up to its 30-minute horizon.
    expect(result.shortSteps).toBe(30);
    const short = forecastFrom(model, history, 30);
    expect(result.mean.slice(0, 30)).toEqual(short.mean);
    expect(result.upper.slice(0, 30)).toEqual(short.upper);
  });

  it('keeps the daily burst a month out', () => {
    const result = forecastThrough(model, history, END + 35 * DAY);
    const first = dailyPeak(result, 0);
    expect(first).toBeGreaterThan(4);
    for (const day of [7, 20, 34]) expect(dailyPeak(result, day)).toBeGreaterThan(0.95 * first);
  });

  it('widens the bound with the days ahead only up to the calibrated horizon, then holds it', () => {
    const result = forecastThrough(model, history, END + 30 * DAY);
    const width = (day: number): number => {
      // Same time of day (15:00), so only the lead differs.
      const i = Math.round((END + day * DAY + 15 * 60 * MINUTE - result.fromMs) / MINUTE);
      return (result.upper[i] as number) / (result.mean[i] as number);
    };
    expect(width(3)).toBeGreaterThanOrEqual(width(0));
    expect(width(6)).toBeGreaterThanOrEqual(width(3));
    expect(width(29)).toBeCloseTo(width(10), 9);
    // A quiet signal (noise 5 % of its level) keeps a bound of the same order a month out.
    expect(width(29)).toBeLessThan(1.5);
  });

  it('starts from the newest observed sample after the training window', () => {
    const tail: RegularSeries = { startMs: END, stepMs: MINUTE, values: [1, 1.1, 1.2, NaN, NaN] };
    const result = forecastThrough(model, tail, END + DAY);
    expect(result.lastSampleMs).toBe(END + 2 * MINUTE);
    expect(result.fromMs).toBe(END + 3 * MINUTE);
  });

  it('refuses to reach more than 100 days past the newest sample', () => {
    expect(() => forecastThrough(model, history, END + 101 * DAY)).toThrow(ForecastRangeError);
  });

  it('refuses recent samples on another step than the model', () => {
    expect(() =>
      forecastThrough(model, { startMs: END, stepMs: 5 * MINUTE, values: [1] }, END + DAY),
    ).toThrow(`${5 * MINUTE} ms`);
  });
});
