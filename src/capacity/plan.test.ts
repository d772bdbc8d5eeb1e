import { trainModel } from '../forecast';
import type { RegularSeries } from '../forecast/types';
import { planWindows } from './plan';

const MINUTE = 60_000;
const STEP = 5 * MINUTE;
const DAY = 1440 * MINUTE;
/** A Monday, 00:00 UTC. */
const MONDAY = Date.parse('2024-03-04T00:00:00Z');
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** CPU cores at `ms`, noise aside: a working-hours hump peaking near 0.45 on weekdays, at half on weekends. */
function expectedCores(ms: number): number {
  const day = Math.floor((ms - MONDAY) / DAY);
  const weekend = ((day % 7) + 7) % 7 >= 5;
  const hour = (ms - MONDAY - day * DAY) / 3_600_000;
  const hump = Math.exp(-(((hour - 14) / 3.5) ** 2));
  return (weekend ? 0.5 : 1) * (0.1 + 0.35 * hump);
}

/** `days` of 5-minute CPU ending at midnight after `endDay` days from MONDAY, with ±5 % noise. */
function cpuHistory(days: number, endDay: number): RegularSeries {
  let seed = 7 + days * 31 + endDay;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const startMs = MONDAY + (endDay - days) * DAY;
  const values: number[] = [];
  for (let t = startMs; t < MONDAY + endDay * DAY; t += STEP) {
    values.push(expectedCores(t) * (1 + 0.1 * (random() - 0.5)));
  }
  return { startMs, stepMs: STEP, values };
}

function meanOver(fromMs: number, toMs: number): number {
  let sum = 0;
  let count = 0;
  for (let t = fromMs; t < toMs; t += STEP) {
    sum += expectedCores(t);
    count++;
  }
  return sum / count;
}

describe('capacity windows of a weekday/weekend series', () => {
  // 14 and 28 days of history ending at the midnight that starts each day of the week.
  const cases = [14, 28].flatMap((days) =>
    WEEKDAY_NAMES.map((name, weekday) => ({ days, name, endDay: 28 + weekday })),
  );

  it.each(cases)(
    '$days days ending before a $name: next_day at that day’s level, next_weekend at the weekend level, month bound near the peak',
    ({ days, endDay }) => {
      const history = cpuHistory(days, endDay);
      const nowMs = MONDAY + endDay * DAY - STEP;
      const model = trainModel(
        history,
        {
          seasonality: 'auto',
          leadTimesMs: [15 * MINUTE],
          horizonMs: 30 * MINUTE,
          quantile: 0.9,
          anomalyThreshold: 3.5,
        },
        nowMs + STEP,
      );
      // "now" is the last five minutes of the day before: next_day is the day the history ends before.
      const [day, weekend, month] = planWindows({ model, history, timezone: 'UTC', nowMs }, [
        'next_day',
        'next_weekend',
        'next_month',
      ]);
      expect(day?.range.fromMs).toBe(MONDAY + endDay * DAY);
      const dayTruth = meanOver(day!.range.fromMs, day!.range.toMs);
      expect(Math.abs(day!.summary.mean / dayTruth - 1)).toBeLessThan(0.1);
      const weekendTruth = meanOver(weekend!.range.fromMs, weekend!.range.toMs);
      expect(Math.abs(weekend!.summary.mean / weekendTruth - 1)).toBeLessThan(0.1);
      // A month out the bound stays near what the workload did, not at a multiple of it.
      expect(month!.summary.quantile.value).toBeLessThan(1.15 * month!.observedPeak!);
    },
  );
});
