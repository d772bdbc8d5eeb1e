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
