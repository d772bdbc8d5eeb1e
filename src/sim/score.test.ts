import { Scorecard } from './score';

const tick = (offered: number, shortfall = 0) => ({
  offered,
  shortfall,
  underProvisioned: shortfall > 0,
  wanted: offered > 0,
});

describe('Scorecard', () => {
  it('computes the six figures from ticks', () => {
    const card = new Scorecard();
    card.tick(tick(100), 2, 2, 1800);
    card.tick(tick(100, 25), 1, 3, 1800);
    card.scaleAction();
    const { score, details } = card.finish(0.8, undefined);
    expect(score).toEqual({
      underProvisionedTimeshare: 0.5,
      unservedFraction: 0.125,
      replicaHours: 2.5,
      coldStarts: 0,
      scaleActionsPerHour: 1,
      forecastMase: 0.8,
    });
    expect(details).toEqual({ meanReplicas: 2.5, peakReplicas: 3 });
  });

  it('counts a cold start once per spell at zero ready replicas in which demand waited', () => {
    const card = new Scorecard();
    card.tick(tick(0), 0, 0, 60); // idle at zero: not a cold start
    card.tick(tick(5, 5), 0, 1, 60); // demand arrives, the pod is starting
    card.tick(tick(5, 5), 0, 1, 60);
    card.tick(tick(5), 1, 1, 60); // ready: one cold start
    card.tick(tick(0), 0, 0, 60);
    card.tick(tick(0), 0, 1, 60); // woken ahead of demand: ready before it came
    card.tick(tick(5), 1, 1, 60);
    card.tick(tick(3, 3), 0, 0, 60); // the replay ends while demand waits: counted
    expect(card.finish(null, undefined).score.coldStarts).toBe(2);
  });

  it('reports the mean wait of a queue by Little’s law', () => {
    const card = new Scorecard();
    card.tick(tick(100), 1, 1, 10);
    expect(card.finish(null, 500).details.meanWaitSeconds).toBe(5);
  });
});
