import type { DecisionRecord } from './decision-log';
import { explainDecision, type ExplainConfig } from './explain';

const config: ExplainConfig = {
  target: 10,
  quantile: 0.9,
  startupTimeMs: 180_000,
  leadTimeMs: 900_000,
  predictive: 'true',
  activationTarget: 0,
  businessHoursMultiplier: 1.5,
};
const AT = Date.parse('2026-03-02T09:00:00Z');

function record(overrides: Partial<DecisionRecord>): DecisionRecord {
  return {
    atMs: AT,
    live: 40,
    returned: 40,
    active: true,
    reason: 'live',
    forecastUsed: false,
    ...overrides,
  };
}

function explain(last: Partial<DecisionRecord>, previous?: Partial<DecisionRecord>, cfg = config) {
  return explainDecision(cfg, {
    last: record(last),
    ...(previous !== undefined && { previous: record({ atMs: AT - 30_000, ...previous }) }),
    points: [],
  });
}

/** A decision that raised the value to the forecast, 13 replicas' worth. */
const PREWARM: Partial<DecisionRecord> = {
  returned: 130,
  reason: 'forecast',
  forecastUsed: true,
  forecastMean: 110,
  forecastUpper: 130,
  method: 'anchored-seasonal',
  backtest: { mase: 0.42, coverage: 0.9 },
};

describe('explainDecision', () => {
  it('reads the forecast at the start-up time the decision used (a measured one)', () => {
    const view = explain({ ...PREWARM, startupTimeMs: 150_000 }, { returned: 40 });
    expect(view.reason).toBe('forecast 130 in 150s (q0.9), above live 40: pre-warming to 13 replicas');
    expect(view.forecast?.at).toBe('2026-03-02T09:02:30.000Z');
  });

  it('pre-warms on a forecast above live, with the replicas that implies and the change', () => {
    const view = explain(PREWARM, { returned: 40 });
    expect(view.reason).toBe('forecast 130 in 3m (q0.9), above live 40: pre-warming to 13 replicas');
    expect(view).toMatchObject({
      live: 40,
      returned: 130,
      target: 10,
      impliedReplicas: 13,
      change: 'up',
      confidence: { mase: 0.42, coverage: 0.9 },
      forecast: {
        mean: 110,
        upper: 130,
        quantile: 0.9,
        at: '2026-03-02T09:03:00.000Z',
        method: 'anchored-seasonal',
      },
    });
  });

  it('scales in on a forecast trough that live is above too', () => {
    const view = explain({ live: 21, returned: 21, forecastMean: 12, forecastUpper: 18 }, { returned: 60 });
    expect(view.change).toBe('down');
    expect(view.reason).toBe(
      'live 21 at or above the forecast 18 in 3m (q0.9): following live, scaling in to 3 replicas',
    );
  });

  it('holds when the replicas stay the same', () => {
    const view = explain(
      { returned: 95, reason: 'forecast', forecastUsed: true, forecastMean: 90, forecastUpper: 95 },
      { returned: 91 },
    );
    expect(view.change).toBe('hold');
    expect(view.reason).toBe('forecast 95 in 3m (q0.9), above live 40: holding 10 replicas');
  });

  it('says why it runs live-only, and when the forecast is only watched', () => {
    expect(explain({}).reason).toBe('no model has beaten the baselines yet: following live 40 (4 replicas)');
    expect(explain({}).confidence).toBeNull();
    expect(explain({}, undefined, { ...config, predictive: 'false' }).reason).toBe(
      'predictive: false: following live 40 (4 replicas)',
    );
    expect(
      explain({ forecastMean: 80, forecastUpper: 90 }, undefined, { ...config, predictive: 'shadow' }).reason,
    ).toBe('shadow mode: forecast 90 in 3m (q0.9) is not used; following live 40 (4 replicas)');
  });

  it('names a failed source and KEDA fallback, and a last good value', () => {
    const down = explain({ live: undefined, returned: undefined, error: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect(down.reason).toBe(
      "source down: connect ECONNREFUSED 127.0.0.1:9; KEDA applies the ScaledObject's fallback",
    );
    expect(down).toMatchObject({
      impliedReplicas: null,
      change: null,
      error: 'connect ECONNREFUSED 127.0.0.1:9',
    });
    expect(explain({ reason: 'fallback' }).reason).toBe(
      'source unreachable: serving the last good value 40 (4 replicas)',
    );
  });

  it('adds the business-hours multiplier and sleeping at zero', () => {
    expect(explain({ returned: 60, reason: 'business-hours' }).reason).toBe(
      'no model has beaten the baselines yet: following live 40 (6 replicas), times the business-hours multiplier 1.5',
    );
    expect(explain({ live: 0, returned: 0, active: false, forecastMean: 0, forecastUpper: 0 }).reason).toBe(
      'live 0 at or above the forecast 0 in 3m (q0.9): following live, holding 0 replicas; inactive: live at ' +
        'or below the activation level 0 and no forecast above it within 15m',
    );
  });
});
