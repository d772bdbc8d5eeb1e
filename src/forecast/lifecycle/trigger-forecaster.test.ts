import { simulatedTrigger } from '../../sim/trigger';
import { syntheticSeries } from '../synthetic-series';
import { MODEL_FORMAT_VERSION } from '../model-state';
import { trainModel } from '../train';
import type { TrainedModel } from '../types';
import { trainingOptions } from './model-key';
import { LIFECYCLE_DEFAULTS, retryDelayMs, type TrainingSchedule } from './training-schedule';
import { TriggerForecaster } from './trigger-forecaster';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const START = Date.parse('2024-03-04T00:00:00Z');
const SCHEDULE: TrainingSchedule = { retrainIntervalMs: 60 * MINUTE, trainingLockTtlMs: 4 * MINUTE };

describe('retryDelayMs', () => {
  it.each([
    ['saved', 60 * MINUTE],
    ['kept_previous', 60 * MINUTE],
    ['skipped', 5 * MINUTE],
    ['failed', 5 * MINUTE],
    ['locked', MINUTE],
  ] as const)('after %s waits %d ms', (outcome, expected) => {
    expect(retryDelayMs(outcome, SCHEDULE)).toBe(expected);
  });

  it('never waits longer than the interval after nothing to show', () => {
    expect(retryDelayMs('skipped', { ...SCHEDULE, retrainIntervalMs: 2 * MINUTE })).toBe(2 * MINUTE);
  });
});

describe('TriggerForecaster', () => {
  const config = simulatedTrigger({ target: '10', leadTime: '10m' });
  /** Two days of a daily cycle ending at START, trained at START. */
  const trainedModel = (): TrainedModel =>
    trainModel(
      syntheticSeries({
        days: 2,
        stepMs: MINUTE,
        startMs: START - 2 * DAY,
        level: 50,
        daily: 20,
        noise: 1,
        seed: 3,
      }),
      trainingOptions(config),
      START,
    );

  it('hands out the first reading of each history slot for storage', () => {
    const forecaster = new TriggerForecaster(config);
    expect(forecaster.observe({ value: 1, atMs: START })).toBe(true);
    expect(forecaster.observe({ value: 2, atMs: START + 30_000 })).toBe(false);
    expect(forecaster.observe({ value: 3, atMs: START + MINUTE })).toBe(true);
  });

  it('forecasts from the last reading of each slot, and says nothing without a model', () => {
    const model = trainedModel();
    expect(model.usable).toBe(true);
    const views = [[20, 90], [90], [20]].map((readings) => {
      const forecaster = new TriggerForecaster(config);
      expect(forecaster.view(START + MINUTE)).toBeUndefined();
      forecaster.adopt({ model, version: 1 });
      for (const value of readings) forecaster.observe({ value, atMs: START + 30_000 });
      return forecaster.view(START + MINUTE);
    });
    expect(views[0]).toBeDefined();
    expect(views[0]).toEqual(views[1]);
    expect(views[0]).not.toEqual(views[2]);
  });

  it('answers each trigger sharing the model with its own start-up time and cooldown', () => {
    const forecaster = new TriggerForecaster(config);
    forecaster.adopt({ model: trainedModel(), version: 1 });
    forecaster.observe({ value: 50, atMs: START + 30_000 });
    const now = START + MINUTE;
    const quick = forecaster.view(now, { ...config, startupTimeMs: 0 });
    // A longer start-up reads further ahead than the first view's forecast reached: not a stale cache.
    const slow = forecaster.view(now, { ...config, startupTimeMs: 10 * MINUTE, cooldownPeriodMs: 0 });
    const reference = new TriggerForecaster({ ...config, startupTimeMs: 10 * MINUTE, cooldownPeriodMs: 0 });
    reference.adopt({ model: trainedModel(), version: 1 });
    reference.observe({ value: 50, atMs: START + 30_000 });
    expect(slow).toEqual(reference.view(now));
    expect(slow?.peakWhenReady).not.toBe(quick?.peakWhenReady);
    expect(slow?.peakWithinLead).toBe(quick?.peakWithinLead);
  });

  it('schedules trainings: due at once, after the retry wait, and a whole interval after a model', () => {
    const forecaster = new TriggerForecaster(config);
    expect(forecaster.trainingDue(START, SCHEDULE)).toBe(true);
    forecaster.attempted('skipped', START, SCHEDULE);
    expect(forecaster.trainingDue(START + 5 * MINUTE - 1, SCHEDULE)).toBe(false);
    expect(forecaster.trainingDue(START + 5 * MINUTE, SCHEDULE)).toBe(true);

    const model = trainedModel();
    expect(forecaster.adopt({ model, version: 1 })).toBe(true);
    expect(forecaster.adopt({ model, version: 1 })).toBe(false);
    // A model trained by any replica pushes the next training an interval past its own training.
    expect(forecaster.trainingDue(START + 30 * MINUTE, SCHEDULE)).toBe(false);
    expect(forecaster.trainingDue(START + 60 * MINUTE, SCHEDULE)).toBe(true);
  });

  it('trains at once when asked (drift), and only once: the next attempt answers the request', () => {
    const forecaster = new TriggerForecaster(config);
    forecaster.adopt({ model: trainedModel(), version: 1 });
    forecaster.attempted('saved', START, SCHEDULE);
    expect(forecaster.trainingDue(START + 10 * MINUTE, SCHEDULE)).toBe(false);
    forecaster.requestTraining();
    expect(forecaster.trainingDue(START + 10 * MINUTE, SCHEDULE)).toBe(true);
    forecaster.attempted('kept_previous', START + 10 * MINUTE, SCHEDULE);
    expect(forecaster.trainingDue(START + 11 * MINUTE, SCHEDULE)).toBe(false);
    // Another replica holds the lock: its model is reloaded, so the request is answered too.
    forecaster.requestTraining();
    forecaster.attempted('locked', START + 12 * MINUTE, SCHEDULE);
    expect(forecaster.trainingDue(START + 12 * MINUTE + 1, SCHEDULE)).toBe(false);
  });

  it('does not take a model stored in an older format, so the trigger trains at once', () => {
    const forecaster = new TriggerForecaster(config);
    const stored = { ...trainedModel(), formatVersion: MODEL_FORMAT_VERSION - 1 };
    expect(forecaster.adopt({ model: stored, version: 3 })).toBe(false);
    expect(forecaster.current).toEqual({ model: undefined, version: 0 });
    expect(forecaster.trainingDue(START, SCHEDULE)).toBe(true);
  });

  it('bounds the tail it keeps to two days of samples', () => {
    const forecaster = new TriggerForecaster(config);
    const slots = LIFECYCLE_DEFAULTS.maxRecentSamples + 10;
    for (let i = 0; i < slots; i++) forecaster.observe({ value: i, atMs: START + i * MINUTE });
    forecaster.adopt({ model: trainedModel(), version: 1 });
    expect(forecaster.tailStartMs(START + slots * MINUTE)).toBe(
      START + (slots - LIFECYCLE_DEFAULTS.maxRecentSamples) * MINUTE,
    );
  });
});
