import { DEFAULT_STRATEGIES, Lookahead, ReactivePolicy, reactiveStrategy } from './strategies';
import { simulatedTrigger } from './trigger';

describe('Lookahead', () => {
  it('gives the largest value over [now, now + window] as time moves on', () => {
    const values = Float64Array.from([1, 5, 2, 2, 9, 0, 0, 3]);
    const look = new Lookahead(values, 0, 60_000, 120_000);
    const peaks = [0, 30, 60, 120, 180, 240, 300, 360, 420, 480].map((s) => look.peak(s * 1000));
    // At 30 s the window [30 s, 150 s] covers samples 0..2; at 480 s only the last sample is left.
    expect(peaks).toEqual([5, 5, 5, 9, 9, 9, 3, 3, 3, 3]);
  });
});

describe('DEFAULT_STRATEGIES', () => {
  it('draws the frontier from reactive scaling with 0 to 100 % headroom, then predictive and oracle', () => {
    expect(DEFAULT_STRATEGIES.map((s) => [s.name, s.kind, s.headroom])).toEqual([
      ['reactive', 'reactive', 0],
      ['reactive-headroom-10', 'reactive', 0.1],
      ['reactive-headroom-20', 'reactive', 0.2],
      ['reactive-headroom-30', 'reactive', 0.3],
      ['reactive-headroom-50', 'reactive', 0.5],
      ['reactive-headroom-75', 'reactive', 0.75],
      ['reactive-headroom-100', 'reactive', 1],
      ['predictive', 'predictive', 0],
      ['oracle', 'oracle', 0],
    ]);
  });

  it('names a headroom in whole percent', () => {
    expect(reactiveStrategy(0.15).name).toBe('reactive-headroom-15');
    expect(reactiveStrategy(0).name).toBe('reactive');
  });
});

describe('ReactivePolicy', () => {
  const trigger = simulatedTrigger({ target: '10' });

  it('returns the live value, times 1 + headroom, active above the activation level', () => {
    expect(new ReactivePolicy(trigger, 0).evaluate(0, 42)).toEqual({ value: 42, active: true });
    expect(new ReactivePolicy(trigger, 0.2).evaluate(0, 50)).toEqual({ value: 60, active: true });
    expect(new ReactivePolicy(trigger, 0.2).evaluate(0, 0)).toEqual({ value: 0, active: false });
  });
});

describe('simulatedTrigger', () => {
  it('gets the server’s defaults from the trigger metadata parser', () => {
    const trigger = simulatedTrigger({ target: '100', leadTime: '5m' });
    expect(trigger).toMatchObject({
      target: 100,
      leadTimeMs: 300_000,
      horizonMs: 1_800_000,
      sampleIntervalMs: 60_000,
      historyWindowMs: 14 * 86_400_000,
      quantile: 0.9,
      predictive: 'true',
    });
  });

  it('stretches the horizon to a lead beyond 30m', () => {
    expect(simulatedTrigger({ target: '1', leadTime: '45m' }).horizonMs).toBe(2_700_000);
  });

  it('takes startupTime and cooldownPeriod from the replay’s pods and KEDA', () => {
    expect(simulatedTrigger({ target: '1', startupTime: '90s', cooldownPeriod: '2m' })).toMatchObject({
      startupTimeMs: 90_000,
      cooldownPeriodMs: 120_000,
    });
  });

  it('lets trigger metadata set startupTime and cooldownPeriod explicitly', () => {
    const trigger = simulatedTrigger({
      target: '1',
      startupTime: '90s',
      cooldownPeriod: '2m',
      metadata: { startupTime: '4m', cooldownPeriod: '30m' },
    });
    expect(trigger).toMatchObject({ startupTimeMs: 240_000, cooldownPeriodMs: 1_800_000 });
  });

  it('stretches the horizon to a start-up time and a poll beyond 30m', () => {
    const trigger = simulatedTrigger({ target: '1', leadTime: '45m', startupTime: '45m' });
    expect(trigger.horizonMs).toBe(45 * 60_000 + 30_000);
  });

  it('refuses a start-up time longer than the lead, naming startupTime', () => {
    expect(() => simulatedTrigger({ target: '1', leadTime: '5m', startupTime: '10m' })).toThrow(
      'metadata key "startupTime" has invalid value "10m": expected a duration no longer than leadTime (5m)',
    );
  });
});
