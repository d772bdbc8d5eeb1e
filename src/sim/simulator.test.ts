import { simulate, type SimulationOptions } from './simulator';
import type { StrategySpec } from './strategies';
import type { Trace } from './trace';

const MINUTE = 60_000;
const START = Date.parse('2024-01-01T00:00:00Z');
const REACTIVE: StrategySpec[] = [{ name: 'reactive', kind: 'reactive', headroom: 0 }];

function trace(values: number[], stepMs = MINUTE): Trace {
  return { startMs: START, stepMs, values: Float64Array.from(values), timeFormat: 'iso', filledGaps: 0 };
}

const steps = (...parts: Array<[count: number, value: number]>): number[] =>
  parts.flatMap(([count, value]) => Array<number>(count).fill(value));

describe('simulate: KEDA + HPA + pods, hand-worked', () => {
  // 10 idle minutes, 20 minutes at 50/s (5 replicas of 10), 20 idle minutes.
  const burst = trace(steps([10, 0], [20, 50], [20, 0]));
  const options: SimulationOptions = {
    target: 10,
    startupMs: 2 * MINUTE,
    strategies: REACTIVE,
    timeline: true,
  };

  it('wakes from zero, waits out the startup, then cools down to zero', async () => {
    const { results, timeline } = await simulate(burst, options);
    const track = timeline?.strategies[0];
    if (!track) throw new Error('no timeline');
    // 10:00: KEDA's poll activates (0 → 1) and the HPA's sync at the same moment asks for 5.
    expect([track.desired[9], track.desired[10], track.desired[11], track.desired[12]]).toEqual([0, 5, 5, 5]);
    expect([track.ready[10], track.ready[11], track.ready[12]]).toEqual([0, 0, 5]);
    // Load stops at 30:00; the HPA holds 5 for its 300 s window (last proposal of 5 at 29:45), then goes
    // to 1 at 34:45; KEDA's cooldown (last active poll 29:30) ends at the 35:00 poll.
    expect([track.desired[33], track.desired[34], track.desired[35]]).toEqual([5, 5, 0]);
    const reactive = results[0];
    expect(reactive).toMatchObject({ strategy: 'reactive', coldStarts: 1, peakReplicas: 5 });
    expect(reactive?.underProvisionedTimeshare).toBeCloseTo(2 / 50);
    expect(reactive?.unservedFraction).toBeCloseTo(2 / 20);
    // 5 replicas from 10:00 to 34:45, then 1 until 35:00.
    expect(reactive?.replicaHours).toBeCloseTo((5 * 24.75 + 0.25) / 60);
    // 0 → 1 → 5 → 1 → 0.
    expect(reactive?.scaleActionsPerHour).toBeCloseTo(4 / (50 / 60));
  });

  it('holds replicas for the scale-down window it is given, as the ScaledObject sets it', async () => {
    const withMin = { ...options, minReplicas: 1 };
    const { timeline } = await simulate(burst, { ...withMin, scaleDownWindowMs: 60_000 });
    const track = timeline?.strategies[0];
    if (!track) throw new Error('no timeline');
    // Last proposal of 5 at 29:45: with a 60 s window the HPA goes to 1 at 30:45, not 34:45.
    expect([track.desired[29], track.desired[30], track.desired[31]]).toEqual([5, 5, 1]);
    const held = (await simulate(burst, withMin)).results[0]?.replicaHours as number;
    const shorter = (await simulate(burst, { ...withMin, scaleDownWindowMs: 60_000 })).results[0]
      ?.replicaHours as number;
    // Four fewer minutes of four extra replicas.
    expect(held - shorter).toBeCloseTo((4 * 4) / 60);
  });

  it('applies the scale-up tolerance it is given: 5 % above 5 replicas adds one only with tolerance 0', async () => {
    // 10 minutes at 50/s (5 replicas of 10), then 52.5/s: 5 % above what 5 replicas serve.
    const creep = trace(steps([10, 50], [20, 52.5]));
    const withMin = { ...options, minReplicas: 1 };
    const peak = async (extra: Partial<SimulationOptions>): Promise<number> =>
      (await simulate(creep, { ...withMin, ...extra })).results[0]?.peakReplicas as number;
    expect(await peak({})).toBe(5);
    expect(await peak({ scaleUpTolerance: 0 })).toBe(6);
    expect(await peak({ scaleUpTolerance: 0.04 })).toBe(6);
    expect(await peak({ scaleUpTolerance: 0.05 })).toBe(5);
  });

  it('keeps one replica with --min 1, so there is no cold start', async () => {
    const { results } = await simulate(burst, { ...options, minReplicas: 1 });
    expect(results[0]?.coldStarts).toBe(0);
    expect(results[0]?.underProvisionedTimeshare).toBeCloseTo(2 / 50);
  });

  it('has the oracle ready before the load arrives', async () => {
    const { results } = await simulate(burst, {
      ...options,
      strategies: [...REACTIVE, { name: 'oracle', kind: 'oracle', headroom: 0 }],
    });
    expect(results[1]).toMatchObject({ strategy: 'oracle', coldStarts: 0, underProvisionedTimeshare: 0 });
  });

  it('gives the oracle the foresight it is given: a minute short of the startup makes it a minute late', async () => {
    const withOracle = {
      ...options,
      minReplicas: 1,
      strategies: [...REACTIVE, { name: 'oracle', kind: 'oracle', headroom: 0 } as const],
    };
    const onTime = (await simulate(burst, withOracle)).results[1];
    const late = (await simulate(burst, { ...withOracle, oracleForesightMs: MINUTE })).results[1];
    expect(onTime?.underProvisionedTimeshare).toBe(0);
    // By default it looks 2:45 ahead (startup, one poll, one sync) and asks for 5 at 7:15; looking one
    // minute ahead, it asks at 9:00, and they serve from 11:00: a minute short, 1:45 of 4 replicas saved.
    expect(late?.underProvisionedTimeshare).toBeCloseTo(1 / 50);
    expect((onTime?.replicaHours as number) - (late?.replicaHours as number)).toBeCloseTo((4 * 1.75) / 60);
    await expect(simulate(burst, { ...withOracle, oracleForesightMs: -1 })).rejects.toThrow(
      /oracle's foresight must be 0 ms or more/,
    );
  });

  it('drains a queue backlog once replicas are ready', async () => {
    // 10 messages/s for 10 minutes; each replica takes 4/s.
    const { results, timeline } = await simulate(trace(steps([10, 10], [10, 0]), MINUTE), {
      target: 4,
      startupMs: MINUTE,
      kind: 'queue',
      strategies: REACTIVE,
      timeline: true,
    });
    const backlog = timeline?.strategies[0]?.backlog;
    if (!backlog) throw new Error('no backlog');
    // The first minute fills the backlog while the first pods start.
    expect(backlog[1]).toBeGreaterThan(400);
    expect(backlog[19]).toBe(0);
    expect(results[0]?.coldStarts).toBe(1);
    expect(results[0]?.meanWaitSeconds).toBeGreaterThan(0);
    expect(results[0]?.unservedFraction).toBeGreaterThan(0);
  });

  it('scales a queue on its length per replica and serves it at the service rate', async () => {
    // 10 tasks/s for 10 minutes; a worker finishes 2 tasks/s; KEDA targets 100 waiting per replica.
    const { results, timeline } = await simulate(trace(steps([10, 10], [10, 0]), MINUTE), {
      target: 100,
      serviceRate: 2,
      startupMs: MINUTE,
      kind: 'queue',
      maxReplicas: 3,
      strategies: REACTIVE,
      timeline: true,
    });
    const backlog = timeline?.strategies[0]?.backlog;
    const desired = timeline?.strategies[0]?.desired;
    if (!backlog || !desired) throw new Error('no timeline');
    // Three workers (the most allowed) take 6 of the 10 tasks a second: the backlog grows by 4/s once
    // they are up, and they work it off at 6/s after the arrivals stop.
    expect(Math.max(...desired)).toBe(3);
    expect((backlog[9] as number) - (backlog[8] as number)).toBeCloseTo(240);
    expect((backlog[11] as number) - (backlog[12] as number)).toBeCloseTo(360);
    expect(results[0]?.underProvisionedTimeshare).toBeGreaterThan(0.5);
  });

  it('refuses a service rate for a rate replay', async () => {
    await expect(
      simulate(trace(steps([10, 10]), MINUTE), { target: 4, serviceRate: 2, startupMs: MINUTE }),
    ).rejects.toThrow(/a service rate is for queue replays/);
  });
});

describe('simulate: the frontier at the predictive strategy’s cost', () => {
  it('compares the predictive strategy with the reactive ones as headroom points', async () => {
    // Too short for a model: predictive runs live-only, so it is reactive at reactive's cost exactly,
    // the frontier's cheapest point.
    const { results } = await simulate(trace(steps([10, 0], [20, 50], [20, 0])), {
      target: 10,
      startupMs: 2 * MINUTE,
      strategies: [
        ...REACTIVE,
        { name: 'reactive-headroom-50', kind: 'reactive', headroom: 0.5 },
        { name: 'predictive', kind: 'predictive', headroom: 0 },
        { name: 'oracle', kind: 'oracle', headroom: 0 },
      ],
    });
    const [reactive, , predictive, oracle] = results;
    if (!reactive || !predictive) throw new Error('missing results');
    expect(predictive.replicaHours).toBe(reactive.replicaHours);
    expect(predictive.frontier).toEqual({
      costVsFrontier: 'within',
      frontier: {
        underProvisionedTimeshare: reactive.underProvisionedTimeshare,
        unservedFraction: reactive.unservedFraction,
      },
      underProvisionedRatio: 1,
      unservedRatio: 1,
      belowFrontier: false,
    });
    expect(reactive.frontier).toBeUndefined();
    expect(oracle?.frontier).toBeUndefined();
  });
});

describe('simulate: no strategy but the oracle sees the future', () => {
  // A day and a quarter of a daily cycle at 5-minute steps, with a spike 20 times the usual peak planted
  // 27.5 hours in. Retraining every 3 hours keeps the test fast; it changes nothing about what is seen.
  const stepMs = 5 * MINUTE;
  const perDay = 288;
  const spikeAt = 330;
  const values = Array.from({ length: 360 }, (_, i) => {
    const daily = 100 + 80 * Math.sin((2 * Math.PI * i) / perDay);
    const noise = 5 * Math.sin(i * 12.9898);
    return i >= spikeAt && i < spikeAt + 6 ? 4000 : daily + noise;
  });
  const options: SimulationOptions = {
    target: 100,
    startupMs: 3 * MINUTE,
    retrainIntervalMs: 3 * 60 * MINUTE,
    timeline: true,
  };

  it('gives every other strategy the same replicas up to the spike as a replay that stops before it', async () => {
    const full = await simulate(trace(values, stepMs), options);
    const cut = await simulate(trace(values.slice(0, spikeAt), stepMs), options);
    const spikeRow = (spikeAt * stepMs) / MINUTE;
    const predictive = full.results.find((r) => r.strategy === 'predictive');
    expect(predictive?.modelUsedShare).toBeGreaterThan(0.5);
    for (const track of full.timeline?.strategies ?? []) {
      const before = cut.timeline?.strategies.find((s) => s.name === track.name);
      if (!before) throw new Error(`no ${track.name} in the cut replay`);
      const desired = [...track.desired.subarray(0, spikeRow)];
      const ready = [...track.ready.subarray(0, spikeRow)];
      if (track.name === 'oracle') {
        // Perfect foresight scales up before the spike, ready at the row it starts.
        expect(desired).not.toEqual([...before.desired]);
        expect(track.ready[spikeRow]).toBeGreaterThanOrEqual(40);
      } else {
        expect({ name: track.name, desired, ready }).toEqual({
          name: track.name,
          desired: [...before.desired],
          ready: [...before.ready],
        });
        expect(track.ready[spikeRow]).toBeLessThan(10);
      }
    }
  }, 30_000);
});
