import { WorkerPoolFitter } from '../forecast/lifecycle/model-fitter';
import { trainModel } from '../forecast/train';
import type { RegularSeries, TrainedModel, TrainingOptions } from '../forecast/types';
import { resultRecord } from './report';
import { simulate, type SimulationOptions, type SimulationResult, type StrategyResult } from './simulator';
import type { Trace } from './trace';
import { fitKey, PrefetchingFitter, TrainingPlan, type PrefetchPool } from './training-prefetch';
import { simulatedTrigger } from './trigger';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const START = Date.parse('2024-01-01T00:00:00Z');

const options: TrainingOptions = {
  seasonality: 'auto',
  leadTimesMs: [15 * MINUTE],
  horizonMs: 30 * MINUTE,
  quantile: 0.9,
  anomalyThreshold: 3.5,
};

function series(length: number, phase = 0): RegularSeries {
  return {
    startMs: START,
    stepMs: MINUTE,
    values: Array.from({ length }, (_, i) => 100 + 50 * Math.sin((2 * Math.PI * (i + phase)) / 1440)),
  };
}

/**
 * `days` of 1-minute data with a daily cycle (busy from about 07:00 to 21:00) and deterministic noise.
 * With `nightsOff`, demand is 0 from 00:00 to 05:00, so deployments scale to zero every night.
 */
function dailyTrace(days: number, nightsOff = false): Trace {
  const values = Float64Array.from({ length: days * 1440 }, (_, i) => {
    const minute = i % 1440;
    if (nightsOff && minute < 300) return 0;
    const daily = Math.max(0, Math.sin((Math.PI * (minute - 420)) / 840));
    const noise = 8 * Math.sin(i * 12.9898) + 5 * Math.sin(i * 0.731);
    return Math.max(0, Math.round(40 + 900 * daily + noise));
  });
  return { startMs: START, stepMs: MINUTE, values, timeFormat: 'iso', filledGaps: 0 };
}

/** Everything a replay reports except what is wall-clock time or says how the models were fitted. */
function comparable(result: SimulationResult): unknown {
  const without = (record: object, keys: string[]): Record<string, unknown> =>
    Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
  return {
    lines: result.results.map((r) => without(resultRecord(r), ['trainingSeconds'])),
    results: result.results.map((r) => ({
      ...without(r, ['elapsedMs', 'training']),
      training: r.training && without(r.training, ['trainingMs', 'prefetchHits', 'prefetchMisses']),
    })),
    timeline: result.timeline,
  };
}

const predictiveOf = (result: SimulationResult): StrategyResult =>
  result.results.find((r) => r.strategy === 'predictive') as StrategyResult;

describe('simulate with training prefetched on worker threads', () => {
  it('gives every strategy exactly the results of inline training, with every fit prefetched', async () => {
    const trace = dailyTrace(3);
    const settings: SimulationOptions = { target: 100, startupMs: 2 * MINUTE, timeline: true };
    const inline = await simulate(trace, { ...settings, trainingWorkers: 0 });
    const prefetched = await simulate(trace, { ...settings, trainingWorkers: 2 });

    const training = predictiveOf(prefetched).training;
    const fits = (training?.attempts ?? 0) - (training?.skipped ?? 0);
    expect(fits).toBeGreaterThan(60);
    // The first day's model, trained on the night alone, drifts once the day begins: a retraining the drift
    // rule asks for is a fit no plan made before the replay can foresee, unless it falls when a scheduled
    // one was due anyway. Those are the only misses.
    const drift = training?.driftRetrains ?? 0;
    const misses = training?.prefetchMisses ?? 0;
    expect(misses).toBeGreaterThan(0);
    expect(misses).toBeLessThanOrEqual(drift);
    expect(training).toMatchObject({ failed: 0, prefetchHits: fits - misses });
    expect(predictiveOf(inline).training?.prefetchHits).toBeUndefined();
    // The models were used: the comparison covers forecast-driven decisions, not a live-only replay.
    expect(predictiveOf(inline).modelUsedShare).toBeGreaterThan(0.5);
    expect(comparable(prefetched)).toEqual(comparable(inline));
  }, 120_000);

  it('with drift retraining off (DRIFT_RETRAINING false on the server), fits only on schedule: none missed', async () => {
    const trace = dailyTrace(3);
    const settings: SimulationOptions = {
      target: 100,
      startupMs: 2 * MINUTE,
      timeline: true,
      driftRetraining: false,
    };
    const inline = await simulate(trace, { ...settings, trainingWorkers: 0 });
    const prefetched = await simulate(trace, { ...settings, trainingWorkers: 2 });

    const training = predictiveOf(prefetched).training;
    const fits = (training?.attempts ?? 0) - (training?.skipped ?? 0);
    expect(fits).toBeGreaterThan(60);
    expect(training).toMatchObject({ driftRetrains: 0, prefetchMisses: 0, prefetchHits: fits, failed: 0 });
    expect(predictiveOf(inline).modelUsedShare).toBeGreaterThan(0.5);
    expect(comparable(prefetched)).toEqual(comparable(inline));
  }, 120_000);

  it('still matches inline training when the guessed histories are wrong (prefetch misses)', async () => {
    // Polls every 90 s and demand at 0 every night: with no replica there is no HPA sync, so some
    // 1-minute slots get no reading and the history differs from the plan's, which assumes syncs.
    const trace = dailyTrace(2, true);
    const settings: SimulationOptions = {
      target: 100,
      startupMs: 2 * MINUTE,
      pollingMs: 90_000,
      timeline: true,
    };
    const inline = await simulate(trace, { ...settings, trainingWorkers: 0 });
    const prefetched = await simulate(trace, { ...settings, trainingWorkers: 2 });

    expect(predictiveOf(prefetched).training?.prefetchMisses).toBeGreaterThan(0);
    expect(comparable(prefetched)).toEqual(comparable(inline));
  }, 120_000);

  it('fits the models of a queue replay inline', async () => {
    const trace = dailyTrace(2);
    const result = await simulate(trace, {
      target: 100,
      startupMs: 2 * MINUTE,
      kind: 'queue',
      trainingWorkers: 2,
      strategies: [{ name: 'predictive', kind: 'predictive', headroom: 0 }],
    });
    expect(predictiveOf(result).training?.prefetchHits).toBeUndefined();
  }, 60_000);
});

/** A pool that answers from a table (or fails), and records what it was asked. */
class FakePool implements PrefetchPool {
  readonly asked: number[] = [];
  constructor(private readonly answer: (nowMs: number) => Promise<TrainedModel>) {}

  fit(_history: RegularSeries, _options: TrainingOptions, nowMs: number): Promise<TrainedModel> {
    this.asked.push(nowMs);
    return this.answer(nowMs);
  }
}

const standIn = (nowMs: number): TrainedModel => ({
  ...trainModel(series(300), options, nowMs),
  reason: 'prefetched',
});

describe('PrefetchingFitter', () => {
  const history = series(3_000);
  const nowMs = START + 3_000 * MINUTE;

  it('answers a fit from the prefetched one with the same inputs', async () => {
    const pool = new FakePool(async (at) => standIn(at));
    const fitter = new PrefetchingFitter(pool);
    fitter.prefetch(history, options, nowMs);
    const model = await fitter.fit({ ...history, values: [...history.values] }, { ...options }, nowMs);
    expect(model.reason).toBe('prefetched');
    expect(fitter.stats).toEqual({ prefetched: 1, hits: 1, misses: 0 });
    expect(fitter.pending).toBe(0);
  });

  it.each([
    ['another time', history, options, nowMs + MINUTE],
    [
      'one value changed',
      { ...history, values: history.values.map((v, i) => (i === 1234 ? v + 1e-9 : v)) },
      options,
      nowMs,
    ],
    ['a gap', { ...history, values: history.values.map((v, i) => (i === 10 ? NaN : v)) }, options, nowMs],
    ['another start', { ...history, startMs: START + MINUTE }, options, nowMs],
    ['another quantile', history, { ...options, quantile: 0.95 }, nowMs],
  ])('fits inline on a miss (%s), exactly as trainModel', async (_case, asked, askedOptions, askedNow) => {
    const pool = new FakePool(async (at) => standIn(at));
    const fitter = new PrefetchingFitter(pool);
    fitter.prefetch(history, options, nowMs);
    const seen: boolean[] = [];
    fitter.onFit = (_at, _key, hit) => seen.push(hit);
    const model = await fitter.fit(asked, askedOptions, askedNow);
    expect(model).toEqual(trainModel(asked, askedOptions, askedNow));
    expect(fitter.stats).toEqual({ prefetched: 1, hits: 0, misses: 1 });
    expect(seen).toEqual([false]);
    // The prefetched fit is still there for a fit with its inputs.
    expect(fitter.pending).toBe(1);
  });

  it('fits inline when the prefetched fit failed (a crashed worker), exactly as trainModel', async () => {
    const pool = new FakePool(() => Promise.reject(new Error('training worker exited')));
    const fitter = new PrefetchingFitter(pool);
    fitter.prefetch(history, options, nowMs);
    const model = await fitter.fit(history, options, nowMs);
    expect(model).toEqual(trainModel(history, options, nowMs));
    expect(fitter.stats.hits).toBe(1);
  });

  it('passes a training error on exactly as an inline fit does', async () => {
    const bad = { startMs: 0, stepMs: MINUTE, values: [1, Infinity, 3] };
    const pool = new FakePool(() => Promise.reject(new Error('from the worker')));
    const fitter = new PrefetchingFitter(pool);
    fitter.prefetch(bad, options, 0);
    const inlineError = (() => {
      try {
        trainModel(bad, options, 0);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(inlineError).toBeInstanceOf(Error);
    await expect(fitter.fit(bad, options, 0)).rejects.toThrow((inlineError as Error).message);
  });

  it('withdraws what was not taken', async () => {
    const pool = new WorkerPoolFitter(1);
    try {
      const fitter = new PrefetchingFitter(pool);
      let settled = 0;
      for (let i = 0; i < 3; i++) fitter.prefetch(series(2_000, i), options, nowMs, () => settled++);
      fitter.discardAll();
      expect(fitter.pending).toBe(0);
      // The first was already running; the two queued behind it never ran.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBeGreaterThanOrEqual(2);
      const model = await fitter.fit(series(2_000), options, nowMs);
      expect(model).toEqual(trainModel(series(2_000), options, nowMs));
      expect(fitter.stats.misses).toBe(1);
    } finally {
      await pool.close();
    }
  }, 30_000);
});

describe('fitKey', () => {
  const base = series(100);

  it('is the same for equal inputs and differs for any difference trainModel could see', () => {
    const key = fitKey(base, options, 1);
    expect(fitKey({ ...base, values: [...base.values] }, { ...options }, 1)).toBe(key);
    const variants: Array<[RegularSeries, TrainingOptions, number]> = [
      [base, options, 2],
      [{ ...base, stepMs: 30_000 }, options, 1],
      [{ ...base, values: base.values.slice(1) }, options, 1],
      [{ ...base, values: base.values.map((v, i) => (i === 5 ? NaN : v)) }, options, 1],
      [{ ...base, values: [0, ...base.values.slice(1)] }, options, 1],
      [{ ...base, values: [-0, ...base.values.slice(1)] }, options, 1],
      [base, { ...options, leadTimesMs: [5 * MINUTE] }, 1],
      [base, { ...options, seasonalPeriodsMs: [DAY] }, 1],
    ];
    const keys = variants.map(([h, o, at]) => fitKey(h, o, at));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
  });

  it('refuses arrays that are not all numbers', () => {
    const sparse = [1, 2, 3];
    delete sparse[1];
    expect(fitKey({ ...base, values: sparse }, options, 1)).toBeUndefined();
  });
});

describe('TrainingPlan', () => {
  const config = simulatedTrigger({ target: '100' });
  // 2 days at 1-minute steps, 15 s ticks: polls every 2 ticks, syncs every tick.
  const values = Float64Array.from({ length: 2 * 1440 }, (_, i) => i + 0.1);
  const plan = new TrainingPlan(
    values,
    MINUTE,
    { startMs: START, tickMs: 15_000, ticks: 2 * 1440 * 4, pollEvery: 2, syncEvery: 1 },
    config,
    { retrainIntervalMs: 60 * MINUTE, trainingLockTtlMs: 5 * MINUTE, endMs: START + 2 * DAY },
  );

  it('trains first once 60 samples exist, then every interval', () => {
    // Attempts every 5 minutes from the start (the retry after too few samples); at 60:00 the slots of
    // minutes 0 to 59 are stored.
    expect(plan.firstFit()).toBe(START + 60 * MINUTE);
    expect(plan.nextFit(START + 60 * MINUTE)).toBe(START + 120 * MINUTE);
    expect(plan.nextFit(START + 2 * DAY - 30 * MINUTE)).toBeUndefined();
  });

  it('reads the window before now, each slot its first reading as float32, nothing not yet read', () => {
    const at = START + 90 * MINUTE + 30_000;
    const history = plan.history(at);
    expect(history.stepMs).toBe(MINUTE);
    expect(history.startMs + history.values.length * MINUTE).toBe(START + 91 * MINUTE);
    const tail = history.values.slice(-92);
    expect(tail[0]).toBeNaN();
    expect(tail.slice(1)).toEqual(Array.from({ length: 91 }, (_, i) => Math.fround(i + 0.1)));
  });
});
