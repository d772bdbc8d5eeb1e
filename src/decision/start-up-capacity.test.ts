import { forecastView, type ViewWindows } from '../forecast/port/forecast-view';
import type { ForecastResult } from '../forecast/types';
import { KedaModel } from '../sim/keda-model';
import { decide, type DecisionConfig } from './decide';
import { SleepEstimate } from './sleep-estimate';

/**
 * The decision over hand-worked traces, with a forecast that knows the trace exactly (its upper quantile
 * is the trace itself), so each expectation can be worked out by hand from the windows:
 * capacity follows `[now + startupTime, now + startupTime + 30s]`, waking `[now, now + leadTime]` and the
 * cold-start budget `[now, now + startupTime + cooldownPeriod]`. One point a minute; a point stands for its
 * minute.
 */

const MINUTE = 60_000;
const T0 = Date.parse('2024-03-04T00:00:00Z');
const at = (minute: number): number => T0 + minute * MINUTE;

const CONFIG: DecisionConfig = {
  predictive: 'true',
  activationTarget: 0,
  businessHours: undefined,
  businessHoursMultiplier: 1,
  timezone: 'UTC',
};
const WINDOWS: ViewWindows = {
  leadTimeMs: 15 * MINUTE,
  startupTimeMs: 2 * MINUTE,
  cooldownPeriodMs: 5 * MINUTE,
  horizonMs: 30 * MINUTE,
};

/** A trace of `minutes` points, `valueAt(minute)` each. */
function trace(minutes: number, valueAt: (minute: number) => number): number[] {
  return Array.from({ length: minutes }, (_, m) => valueAt(m));
}

/** The forecast a perfect model would give at any time: the whole trace, from minute 0. */
function knownFuture(values: number[]): ForecastResult {
  return { fromMs: T0, stepMs: MINUTE, mean: values, lower: values, upper: values };
}

/**
 * The decision at `minute` (fractions for the polls between): live is the trace at that minute; `asleep`
 * is what `SleepEstimate` tells the step.
 */
function decisionAt(values: number[], minute: number, windows: ViewWindows = WINDOWS, asleep = false) {
  const nowMs = T0 + Math.round(minute * MINUTE);
  const live = values[Math.floor(minute)] as number;
  const forecast = forecastView(knownFuture(values), nowMs, windows, { method: 'known', scores: [] });
  return decide(CONFIG, { live, liveIsStale: false, forecast, nowMs, asleep });
}

/** The first poll (every 30 s) from `fromMinute` on at which `test` holds. */
function firstPoll(fromMinute: number, test: (minute: number) => boolean): number | undefined {
  for (let minute = fromMinute; minute < fromMinute + 240; minute += 0.5) if (test(minute)) return minute;
  return undefined;
}

describe('capacity follows the forecast when a replica started now could serve', () => {
  it('a step up: capacity rises startupTime (plus one poll) before the step, not leadTime before', () => {
    const values = trace(120, (m) => (m < 60 ? 0 : 100));
    // A value returned at 57:30 stands until the poll at 58:00, whose replicas serve from 60:00.
    expect(firstPoll(30, (m) => decisionAt(values, m).value >= 100)).toBe(57.5);
    for (const minute of [45, 50, 55, 57]) {
      expect(decisionAt(values, minute)).toMatchObject({ value: 0, reason: 'live', active: true });
    }
    expect(decisionAt(values, 58)).toMatchObject({ value: 100, reason: 'forecast', forecastValue: 100 });
    // Waking is still the lead's business: active from 15 minutes before the step.
    expect(firstPoll(30, (m) => decisionAt(values, m).active)).toBe(45);
  });

  it('a ramp: the value tracks the ramp startupTime ahead, not its top', () => {
    // 0 until minute 60, then +10 a minute up to 100 at minute 70.
    const values = trace(120, (m) => Math.min(100, Math.max(0, (m - 60) * 10)));
    for (let minute = 56; minute <= 70; minute++) {
      // The window [m + 2, m + 2.5] touches the points of minutes m + 1 and m + 2.
      const expected = Math.max(values[minute] as number, values[minute + 2] as number);
      expect({ minute, value: decisionAt(values, minute).value }).toEqual({ minute, value: expected });
    }
    // The whole lead window would have asked for the top of the ramp already.
    expect(decisionAt(values, 60).value).toBe(20);
  });

  it('a burst after silence: woken ahead by the lead, capacity only for the burst itself', () => {
    const values = trace(180, (m) => (m >= 90 && m < 93 ? 50 : 0));
    expect(firstPoll(0, (m) => decisionAt(values, m).active)).toBe(75);
    expect(firstPoll(0, (m) => decisionAt(values, m).value > 0)).toBe(87.5);
    expect(decisionAt(values, 90).value).toBe(50);
    expect(decisionAt(values, 92).value).toBe(50);
    // After the burst the forecast no longer holds capacity.
    expect(decisionAt(values, 93).value).toBe(0);
    expect(decisionAt(values, 93).forecastValue).toBe(0);
  });

  it('with startupTime 0, follows the forecast of the next poll', () => {
    const values = trace(120, (m) => (m < 60 ? 0 : 100));
    const windows = { ...WINDOWS, startupTimeMs: 0 };
    expect(firstPoll(30, (m) => decisionAt(values, m, windows).value >= 100)).toBe(59.5);
  });
});

describe('the cold-start budget', () => {
  // A short lead, so only the budget can keep the deployment awake between bursts.
  const SHORT_LEAD: ViewWindows = {
    leadTimeMs: 2 * MINUTE,
    startupTimeMs: 2 * MINUTE,
    cooldownPeriodMs: 10 * MINUTE,
    horizonMs: 30 * MINUTE,
  };

  /** Bursts of 3 minutes starting at the given minutes. */
  const bursts = (starts: number[]) =>
    trace(300, (m) => (starts.some((start) => m >= start && m < start + 3) ? 40 : 0));

  /**
   * KEDA polling IsActive every 30 s from minute 50 with a deployment at one replica, the trigger telling
   * an asleep deployment from its own answers as `EvaluationStep` does; the minutes KEDA scaled it to zero
   * and back up.
   */
  function replayKeda(values: number[]): { sleeps: number[]; wakes: number[] } {
    const keda = new KedaModel({
      pollingMs: 30_000,
      cooldownMs: 10 * MINUTE,
      minReplicas: 0,
      maxReplicas: 10,
    });
    const estimate = new SleepEstimate(SHORT_LEAD.cooldownPeriodMs);
    keda.markActive(at(50));
    estimate.record(at(50), true);
    let replicas = 1;
    const sleeps: number[] = [];
    const wakes: number[] = [];
    for (let minute = 50; minute < 280; minute += 0.5) {
      const decision = decisionAt(values, minute, SHORT_LEAD, estimate.asleep(at(minute)));
      estimate.record(at(minute), decision.active);
      const set = keda.poll(at(minute), decision.active, replicas);
      if (set === undefined) continue;
      if (set === 0 && replicas > 0) sleeps.push(minute);
      if (set > 0 && replicas === 0) wakes.push(minute);
      replicas = set;
    }
    return { sleeps, wakes };
  }

  it('keeps a deployment awake between bursts closer than startupTime + cooldownPeriod', () => {
    const values = bursts([60, 70]);
    // Between the bursts neither live load nor the 2-minute lead window sees anything...
    expect(decisionAt(values, 64, { ...SHORT_LEAD, cooldownPeriodMs: 0 }).active).toBe(false);
    // ...but the next burst is due before a deployment going inactive could sleep and wake again.
    for (let minute = 63; minute < 70; minute += 0.5)
      expect(decisionAt(values, minute, SHORT_LEAD).active).toBe(true);
    expect(replayKeda(values)).toEqual({ sleeps: [83.5], wakes: [] });
  });

  it('lets a deployment sleep across a gap longer than the budget, and wakes it by the lead', () => {
    const values = bursts([60, 120]);
    expect(decisionAt(values, 63.5, SHORT_LEAD).active).toBe(false);
    // Awake, the deployment would be held up from 108, when the budget starts to see the next burst 12
    // minutes ahead; asleep since 73.5, it is woken when the 2-minute lead sees it.
    expect(firstPoll(63.5, (m) => decisionAt(values, m, SHORT_LEAD).active)).toBe(108);
    expect(firstPoll(80, (m) => decisionAt(values, m, SHORT_LEAD, true).active)).toBe(118);
    expect(replayKeda(values)).toEqual({ sleeps: [73.5, 133.5], wakes: [118] });
  });

  it('looks no further than the horizon', () => {
    const values = bursts([60, 95]);
    const longCooldown = { ...SHORT_LEAD, cooldownPeriodMs: 60 * MINUTE, horizonMs: 20 * MINUTE };
    expect(decisionAt(values, 70, longCooldown).active).toBe(false);
    expect(decisionAt(values, 75, longCooldown).active).toBe(true);
  });
});
