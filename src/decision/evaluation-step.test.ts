import type { ForecastPort, ForecastView } from '../forecast/port/forecast-port';
import { parseTriggerMetadata } from '../sources/trigger-metadata';
import { EvaluationStep } from './evaluation-step';

const MINUTE = 60_000;
const BASE = {
  source: 'prometheus',
  serverAddress: 'http://127.0.0.1:9090',
  query: 'sum(rate(requests_total[1m]))',
  threshold: '10',
  startupTime: '2m',
};

/** A forecast of 100 everywhere whose calibrated bound claims 110. */
const STEADY_FORECAST: ForecastPort = {
  view: (): ForecastView => ({
    peakWhenReady: 110,
    meanWhenReady: 100,
    lowerWhenReady: 90,
    peakWithinLead: 110,
    peakWithinColdStartBudget: 110,
    meanAtLead: 100,
    method: 'fake',
  }),
  observe: () => undefined,
};

/** Runs a step once a minute for `minutes` on `live(minute)`; returns the values it returned. */
function replay(step: EvaluationStep, minutes: number, live: (minute: number) => number): number[] {
  const values: number[] = [];
  for (let m = 0; m < minutes; m++) {
    const nowMs = m * MINUTE;
    values.push(step.run({ value: live(m), atMs: nowMs }, false, nowMs).decision.value);
  }
  return values;
}

describe('EvaluationStep with a shortfallTarget', () => {
  it('widens the capacity bound while the load keeps exceeding it', () => {
    const step = new EvaluationStep(
      parseTriggerMetadata({ ...BASE, shortfallTarget: '0.05' }),
      STEADY_FORECAST,
    );
    // Load sits at 100 but every tenth minute spikes to 130: far more than 5 % of moments above 110.
    const values = replay(step, 600, (m) => (m % 10 === 0 ? 130 : 100));
    expect(values[1]).toBe(110);
    expect(step.widthFactor()).toBeGreaterThan(2);
    // The bound now covers the spikes (130 = 100 + 3 × 10), so misses stop pushing it up.
    expect(step.widthFactor()).toBeLessThan(3.2);
    expect(values[values.length - 1]).toBeGreaterThan(120);
  });

  it('narrows a bound wider than the target needs, down to the forecast itself', () => {
    const step = new EvaluationStep(
      parseTriggerMetadata({ ...BASE, shortfallTarget: '0.2' }),
      STEADY_FORECAST,
    );
    const values = replay(step, 600, () => 95);
    expect(step.widthFactor()).toBe(0);
    expect(values[values.length - 1]).toBe(100);
  });

  it('keeps the quantile bound as trained without one', () => {
    const step = new EvaluationStep(parseTriggerMetadata(BASE), STEADY_FORECAST);
    const values = replay(step, 120, (m) => (m % 10 === 0 ? 130 : 100));
    expect(step.widthFactor()).toBeUndefined();
    expect(new Set(values.filter((_, m) => m % 10 !== 0))).toEqual(new Set([110]));
  });

  it('learns nothing from a stale reading', () => {
    const step = new EvaluationStep(
      parseTriggerMetadata({ ...BASE, shortfallTarget: '0.05' }),
      STEADY_FORECAST,
    );
    for (let m = 0; m < 60; m++) step.run({ value: 500, atMs: 0 }, true, m * MINUTE);
    expect(step.widthFactor()).toBe(1);
  });
});

describe('EvaluationStep and drift', () => {
  /** A forecast port whose model the test swaps, recording the retrainings asked for. */
  function driftingForecast(): {
    port: ForecastPort;
    model: { trainedAtMs: number; meanAtLead: number };
    retrainings: Array<{ atMs: number; liveMase: number; threshold: number }>;
  } {
    const model = { trainedAtMs: 0, meanAtLead: 100 };
    const retrainings: Array<{ atMs: number; liveMase: number; threshold: number }> = [];
    let nowMs = 0;
    const port: ForecastPort = {
      view: (_config, atMs): ForecastView => {
        nowMs = atMs;
        return {
          peakWhenReady: model.meanAtLead,
          meanWhenReady: model.meanAtLead,
          lowerWhenReady: model.meanAtLead,
          peakWithinLead: model.meanAtLead,
          peakWithinColdStartBudget: model.meanAtLead,
          meanAtLead: model.meanAtLead,
          method: 'fake',
          backtestLeadRatio: 0.5,
          modelTrainedAtMs: model.trainedAtMs,
        };
      },
      observe: () => undefined,
      retrain: (_config, drift) => retrainings.push({ atMs: nowMs, ...drift }),
    };
    return { port, model, retrainings };
  }

  // The load jumped from 100 to about 200; the model still forecasts 100.
  const shifted = (m: number): number => 200 + (m % 2) * 4;

  it('asks for a retraining after an hour worse than promised, then judges the new model on its own', () => {
    const { port, model, retrainings } = driftingForecast();
    const step = new EvaluationStep(parseTriggerMetadata(BASE), port);
    // The first prediction (15 minutes' lead) is scored at minute 15: the hour runs from there.
    const degradedAt: number[] = [];
    for (let m = 0; m <= 75; m++) {
      step.run({ value: shifted(m), atMs: m * MINUTE }, false, m * MINUTE);
      if (step.degraded()) degradedAt.push(m);
    }
    expect(retrainings).toHaveLength(1);
    expect(retrainings[0]).toMatchObject({ atMs: 75 * MINUTE, threshold: 1 });
    expect(retrainings[0]!.liveMase).toBeGreaterThan(20);
    expect(degradedAt).toEqual([75]);

    // The new model fits the new level. It is judged on its own predictions: none until the first comes
    // due, and those are good.
    model.trainedAtMs = 76 * MINUTE;
    model.meanAtLead = 202;
    for (let m = 76; m <= 240; m++) {
      step.run({ value: shifted(m), atMs: m * MINUTE }, false, m * MINUTE);
      if (step.degraded()) degradedAt.push(m);
    }
    // Degraded until the new model's first prediction, made at minute 76, is scored.
    expect(degradedAt).toEqual(Array.from({ length: 91 - 75 }, (_, i) => 75 + i));
    expect(retrainings).toHaveLength(1);
    // The exported rolling error still spans both models; a replay's score, the whole run.
    expect(step.leadMase()).toBeGreaterThan(1);
    expect(step.leadMaseSinceStart()).toBeGreaterThan(1);
  });

  it('gives a model from a scheduled retraining a whole hour of its own before judging it drifted', () => {
    const { port, model, retrainings } = driftingForecast();
    const step = new EvaluationStep(parseTriggerMetadata(BASE), port);
    for (let m = 0; m <= 200; m++) {
      // Retrained on schedule at minute 50, and no better.
      if (m === 50) model.trainedAtMs = 50 * MINUTE;
      step.run({ value: shifted(m), atMs: m * MINUTE }, false, m * MINUTE);
      if (m === 70) expect(step.degraded()).toBe(false);
    }
    // Its first prediction is scored at minute 65: an hour from there.
    expect(retrainings.map((r) => r.atMs / MINUTE)).toEqual([125, 185]);
  });

  it('asks again only after another full hour when the retraining did not help', () => {
    const { port, retrainings } = driftingForecast();
    const step = new EvaluationStep(parseTriggerMetadata(BASE), port);
    for (let m = 0; m <= 200; m++) step.run({ value: shifted(m), atMs: m * MINUTE }, false, m * MINUTE);
    expect(retrainings.map((r) => r.atMs / MINUTE)).toEqual([75, 135, 195]);
    expect(step.degraded()).toBe(true);
  });

  it('takes its drift window from the server (DRIFT_WINDOW) instead of the hour', () => {
    const { port, retrainings } = driftingForecast();
    const step = new EvaluationStep(parseTriggerMetadata(BASE), port, undefined, 20 * MINUTE);
    for (let m = 0; m <= 80; m++) step.run({ value: shifted(m), atMs: m * MINUTE }, false, m * MINUTE);
    // Scored from minute 15 on, as above: 20 minutes from there, and every 20 minutes while no better.
    expect(retrainings.map((r) => r.atMs / MINUTE)).toEqual([35, 55, 75]);
    expect(step.degraded()).toBe(true);
  });

  it('judges nothing while the trigger runs live-only', () => {
    const { port, retrainings } = driftingForecast();
    const step = new EvaluationStep(parseTriggerMetadata({ ...BASE, predictive: 'false' }), port);
    for (let m = 0; m <= 200; m++) step.run({ value: shifted(m), atMs: m * MINUTE }, false, m * MINUTE);
    expect(retrainings).toEqual([]);
    expect(step.degraded()).toBe(false);
  });
});

describe('EvaluationStep and the cold-start budget', () => {
  /** Load forecast only within the cold-start budget (`budgetPeak`): nothing within the lead. */
  const budgetOnly = (budgetPeak: (nowMs: number) => number): ForecastPort => ({
    view: (_config, nowMs): ForecastView => ({
      peakWhenReady: 0,
      meanWhenReady: 0,
      lowerWhenReady: 0,
      peakWithinLead: 0,
      peakWithinColdStartBudget: budgetPeak(nowMs),
      meanAtLead: 0,
      method: 'fake',
    }),
    observe: () => undefined,
  });
  const config = parseTriggerMetadata({ ...BASE, cooldownPeriod: '5m', activationThreshold: '1' });

  /** IsActive's answers once a minute for `minutes`, on `live(minute)`. */
  function answers(step: EvaluationStep, minutes: number, live: (minute: number) => number): boolean[] {
    const active: boolean[] = [];
    for (let m = 0; m < minutes; m++)
      active.push(step.run({ value: live(m), atMs: m * MINUTE }, false, m * MINUTE).decision.active);
    return active;
  }

  it('holds an awake deployment up while load is forecast within the budget', () => {
    const step = new EvaluationStep(
      config,
      budgetOnly(() => 5),
    );
    // Live load at minute 0, then none: the budget keeps answering active, so no cooldown starts.
    expect(answers(step, 30, (m) => (m === 0 ? 3 : 0)).every((active) => active)).toBe(true);
  });

  it('does not wake a deployment asleep for its cooldown period: the lead does', () => {
    // Nothing due until minute 10; from then on load within the budget only.
    const step = new EvaluationStep(
      config,
      budgetOnly((nowMs) => (nowMs >= 10 * MINUTE ? 5 : 0)),
    );
    // Inactive from minute 0, so at zero after five minutes: the budget's load at minute 10 wakes nothing.
    expect(answers(step, 20, () => 0).some((active) => active)).toBe(false);
  });
});
