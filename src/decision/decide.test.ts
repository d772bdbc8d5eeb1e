import { parseBusinessHours } from '../config/business-hours';
import { clampMetric, decide, type Decision, type DecisionConfig, type DecisionInput } from './decide';

const MAX = Number.MAX_SAFE_INTEGER;
// 2024-01-01 is a Monday.
const MON_10_UTC = Date.parse('2024-01-01T10:00:00Z');
const MON_07_UTC = Date.parse('2024-01-01T07:00:00Z');
const SAT_10_UTC = Date.parse('2024-01-06T10:00:00Z');
const SUN_2330_UTC = Date.parse('2024-01-07T23:30:00Z'); // Monday 08:30 in Tokyo

const BASE: DecisionConfig = {
  predictive: 'true',
  activationTarget: 0,
  businessHours: undefined,
  businessHoursMultiplier: 1,
  timezone: 'UTC',
};
const OFFICE = { businessHours: parseBusinessHours('businessHours', 'Mon-Fri 08:00-18:00') };

const input = (live: number, forecast?: number, extra: Partial<DecisionInput> = {}): DecisionInput => ({
  live,
  liveIsStale: false,
  // A forecast flat over every window: the rows below are about live against forecast, not about windows.
  forecast:
    forecast === undefined
      ? undefined
      : { peakWhenReady: forecast, peakWithinLead: forecast, peakWithinColdStartBudget: forecast },
  nowMs: MON_10_UTC,
  ...extra,
});

describe('decide', () => {
  it.each<[string, Partial<DecisionConfig>, DecisionInput, Decision]>([
    // value = max(live, forecast)
    [
      'live only, no model',
      {},
      input(5),
      { value: 5, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'idle, no model',
      {},
      input(0),
      { value: 0, active: false, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    // activity: what the source says activation compares (RabbitMQ MessageRate: rate or backlog)
    [
      'activity above the level keeps a trigger active at live 0',
      { activationTarget: 5 },
      input(0, undefined, { activity: 40 }),
      { value: 0, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'activity at the level is not above it: inactive',
      { activationTarget: 5 },
      input(3, undefined, { activity: 5 }),
      { value: 3, active: false, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'activity Infinity: active whatever the level',
      { activationTarget: 1e9 },
      input(2, undefined, { activity: Infinity }),
      { value: 2, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'forecast above live scales up ahead',
      {},
      input(2, 8),
      { value: 8, active: true, reason: 'forecast', forecastValue: 8, forecastUsed: true },
    ],
    [
      'forecast below live: scale-down follows live',
      {},
      input(8, 2),
      { value: 8, active: true, reason: 'live', forecastValue: 2, forecastUsed: false },
    ],
    [
      'forecast equal to live',
      {},
      input(5, 5),
      { value: 5, active: true, reason: 'live', forecastValue: 5, forecastUsed: false },
    ],
    [
      'fractional values are kept',
      {},
      input(0.125, 0.25),
      { value: 0.25, active: true, reason: 'forecast', forecastValue: 0.25, forecastUsed: true },
    ],
    // predictive false / shadow: the forecast is seen (for metrics) but never used
    [
      'predictive false ignores a higher forecast',
      { predictive: 'false' },
      input(2, 8),
      { value: 2, active: true, reason: 'live', forecastValue: 8, forecastUsed: false },
    ],
    [
      'shadow ignores a higher forecast but reports it',
      { predictive: 'shadow' },
      input(2, 8),
      { value: 2, active: true, reason: 'live', forecastValue: 8, forecastUsed: false },
    ],
    // activation: live > level OR forecast > level
    [
      'live above the activation level',
      { activationTarget: 3 },
      input(3.5),
      { value: 3.5, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'live at the activation level is not active',
      { activationTarget: 3 },
      input(3),
      { value: 3, active: false, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'forecast above the activation level wakes a trigger at zero',
      { activationTarget: 3 },
      input(0, 4),
      { value: 4, active: true, reason: 'forecast', forecastValue: 4, forecastUsed: true },
    ],
    [
      'forecast at the activation level does not',
      { activationTarget: 3 },
      input(0, 3),
      { value: 3, active: false, reason: 'forecast', forecastValue: 3, forecastUsed: true },
    ],
    [
      'live activates even when the forecast is lower',
      { activationTarget: 3 },
      input(4, 1),
      { value: 4, active: true, reason: 'live', forecastValue: 1, forecastUsed: false },
    ],
    [
      'predictive false: a forecast above activation does not activate',
      { predictive: 'false', activationTarget: 3 },
      input(0, 10),
      { value: 0, active: false, reason: 'live', forecastValue: 10, forecastUsed: false },
    ],
    [
      'shadow: a forecast above activation does not activate',
      { predictive: 'shadow', activationTarget: 3 },
      input(1, 10),
      { value: 1, active: false, reason: 'live', forecastValue: 10, forecastUsed: false },
    ],
    [
      'activation 0: any positive live value activates',
      {},
      input(0.001),
      { value: 0.001, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    // business hours: the multiplier applies inside the hours only
    [
      'inside business hours the value is multiplied',
      { ...OFFICE, businessHoursMultiplier: 2 },
      input(5),
      { value: 10, active: true, reason: 'business-hours', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'inside business hours max(live, forecast) is multiplied',
      { ...OFFICE, businessHoursMultiplier: 1.5 },
      input(2, 8),
      { value: 12, active: true, reason: 'business-hours', forecastValue: 8, forecastUsed: true },
    ],
    [
      'before business hours the value is not multiplied',
      { ...OFFICE, businessHoursMultiplier: 2 },
      input(5, undefined, { nowMs: MON_07_UTC }),
      { value: 5, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'at the weekend the value is not multiplied',
      { ...OFFICE, businessHoursMultiplier: 2 },
      input(2, 8, { nowMs: SAT_10_UTC }),
      { value: 8, active: true, reason: 'forecast', forecastValue: 8, forecastUsed: true },
    ],
    [
      'a multiplier below 1 lowers the value inside the hours',
      { ...OFFICE, businessHoursMultiplier: 0.5 },
      input(5),
      { value: 2.5, active: true, reason: 'business-hours', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'a multiplier of 1 changes nothing, not even the reason',
      { ...OFFICE, businessHoursMultiplier: 1 },
      input(5),
      { value: 5, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'a multiplier without business hours changes nothing',
      { businessHoursMultiplier: 3 },
      input(5),
      { value: 5, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'business hours are read in the trigger timezone',
      { ...OFFICE, businessHoursMultiplier: 2, timezone: 'Asia/Tokyo' },
      input(5, undefined, { nowMs: SUN_2330_UTC }),
      { value: 10, active: true, reason: 'business-hours', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'the multiplier does not change activation',
      { ...OFFICE, businessHoursMultiplier: 2, activationTarget: 6 },
      input(5),
      { value: 10, active: false, reason: 'business-hours', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'zero stays zero inside business hours',
      { ...OFFICE, businessHoursMultiplier: 2 },
      input(0),
      { value: 0, active: false, reason: 'business-hours', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'shadow inside business hours multiplies live only',
      { ...OFFICE, businessHoursMultiplier: 2, predictive: 'shadow' },
      input(2, 8),
      { value: 4, active: true, reason: 'business-hours', forecastValue: 8, forecastUsed: false },
    ],
    // a stale live value (source failing, within maxStaleness)
    [
      'a stale live value is served with reason fallback',
      {},
      input(5, undefined, { liveIsStale: true }),
      { value: 5, active: true, reason: 'fallback', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'a stale live value above a lower forecast is still fallback',
      {},
      input(5, 2, { liveIsStale: true }),
      { value: 5, active: true, reason: 'fallback', forecastValue: 2, forecastUsed: false },
    ],
    [
      'a stale live value still activates',
      { activationTarget: 1 },
      input(5, undefined, { liveIsStale: true }),
      { value: 5, active: true, reason: 'fallback', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'a stale zero is fallback and inactive',
      {},
      input(0, undefined, { liveIsStale: true }),
      { value: 0, active: false, reason: 'fallback', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'with a stale live value a higher forecast still wins, and says so',
      {},
      input(2, 8, { liveIsStale: true }),
      { value: 8, active: true, reason: 'forecast', forecastValue: 8, forecastUsed: true },
    ],
    [
      'predictive false with a stale live value is fallback',
      { predictive: 'false' },
      input(2, 8, { liveIsStale: true }),
      { value: 2, active: true, reason: 'fallback', forecastValue: 8, forecastUsed: false },
    ],
    // NaN, Inf and negatives never reach KEDA
    [
      'NaN live is 0',
      {},
      input(NaN),
      { value: 0, active: false, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'negative live is 0',
      {},
      input(-5),
      { value: 0, active: false, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      '-Infinity live is 0',
      {},
      input(-Infinity),
      { value: 0, active: false, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      '+Infinity live saturates (load too high to count is not "no load")',
      {},
      input(Infinity),
      { value: MAX, active: true, reason: 'live', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'NaN forecast is 0: live decides',
      {},
      input(3, NaN),
      { value: 3, active: true, reason: 'live', forecastValue: 0, forecastUsed: false },
    ],
    [
      'negative forecast is 0',
      { activationTarget: 0 },
      input(0, -4),
      { value: 0, active: false, reason: 'live', forecastValue: 0, forecastUsed: false },
    ],
    [
      '+Infinity forecast saturates',
      {},
      input(3, Infinity),
      { value: MAX, active: true, reason: 'forecast', forecastValue: MAX, forecastUsed: true },
    ],
    [
      'NaN live with a NaN forecast is 0 and inactive',
      {},
      input(NaN, NaN),
      { value: 0, active: false, reason: 'live', forecastValue: 0, forecastUsed: false },
    ],
    [
      'a huge value times the multiplier stays finite',
      { ...OFFICE, businessHoursMultiplier: 100 },
      input(1e300),
      { value: MAX, active: true, reason: 'business-hours', forecastValue: undefined, forecastUsed: false },
    ],
    [
      'negative live with NaN inside business hours is 0',
      { ...OFFICE, businessHoursMultiplier: 2 },
      input(-1, NaN),
      { value: 0, active: false, reason: 'business-hours', forecastValue: 0, forecastUsed: false },
    ],
  ])('%s', (_name, config, decisionInput, expected) => {
    expect(decide({ ...BASE, ...config }, decisionInput)).toEqual(expected);
  });

  it.each<[string, Partial<DecisionConfig>, number, [number, number, number], Decision]>([
    // [live, [peakWhenReady, peakWithinLead, peakWithinColdStartBudget]]
    [
      'capacity follows the forecast when ready, not the peak of the lead window',
      {},
      1,
      [2, 8, 8],
      { value: 2, active: true, reason: 'forecast', forecastValue: 2, forecastUsed: true },
    ],
    [
      'load due within the lead wakes the trigger before any capacity is bought',
      {},
      0,
      [0, 5, 0],
      { value: 0, active: true, reason: 'live', forecastValue: 0, forecastUsed: false },
    ],
    [
      'load due within the cold-start budget keeps the trigger awake',
      {},
      0,
      [0, 0, 3],
      { value: 0, active: true, reason: 'live', forecastValue: 0, forecastUsed: false },
    ],
    [
      'nothing due in any window: inactive',
      { activationTarget: 4 },
      0,
      [1, 4, 4],
      { value: 1, active: false, reason: 'forecast', forecastValue: 1, forecastUsed: true },
    ],
    [
      'shadow: neither window wakes the trigger',
      { predictive: 'shadow' },
      0,
      [0, 5, 5],
      { value: 0, active: false, reason: 'live', forecastValue: 0, forecastUsed: false },
    ],
  ])('%s', (_name, config, live, [ready, lead, budget], expected) => {
    const forecast = { peakWhenReady: ready, peakWithinLead: lead, peakWithinColdStartBudget: budget };
    expect(decide({ ...BASE, ...config }, input(live, undefined, { forecast }))).toEqual(expected);
  });

  it('the cold-start budget keeps an awake deployment up but does not wake a sleeping one', () => {
    const budgetOnly = { peakWhenReady: 0, peakWithinLead: 0, peakWithinColdStartBudget: 3 };
    expect(decide(BASE, input(0, undefined, { forecast: budgetOnly, asleep: false })).active).toBe(true);
    expect(decide(BASE, input(0, undefined, { forecast: budgetOnly, asleep: true })).active).toBe(false);
    const leadToo = { ...budgetOnly, peakWithinLead: 3 };
    expect(decide(BASE, input(0, undefined, { forecast: leadToo, asleep: true })).active).toBe(true);
    expect(decide(BASE, input(2, undefined, { forecast: budgetOnly, asleep: true })).active).toBe(true);
  });

  it('is pure: the same input gives the same decision and nothing is mutated', () => {
    const config: DecisionConfig = { ...BASE, ...OFFICE, businessHoursMultiplier: 2, activationTarget: 1 };
    const decisionInput = input(2, 8);
    const configCopy = structuredClone(config);
    const inputCopy = structuredClone(decisionInput);
    const first = decide(config, decisionInput);
    expect(decide(config, decisionInput)).toEqual(first);
    expect(config).toEqual(configCopy);
    expect(decisionInput).toEqual(inputCopy);
  });

  it('never returns NaN, Infinity or a negative value, and never drops below live', () => {
    // A seeded generator: the same cases on every run.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const specials = [NaN, Infinity, -Infinity, -1, 0, 1e-9, 1e308, Number.MAX_SAFE_INTEGER];
    const pick = () =>
      random() < 0.2 ? specials[Math.floor(random() * specials.length)]! : random() * 1_000;
    for (let i = 0; i < 2_000; i++) {
      const config: DecisionConfig = {
        ...BASE,
        ...(random() < 0.5 ? OFFICE : {}),
        predictive: (['true', 'false', 'shadow'] as const)[Math.floor(random() * 3)]!,
        activationTarget: random() * 10,
        businessHoursMultiplier: random() < 0.5 ? 1 : 0.1 + random() * 5,
      };
      const live = pick();
      const decision = decide(
        config,
        input(live, random() < 0.3 ? undefined : pick(), { nowMs: random() * 2e12 }),
      );
      expect(Number.isFinite(decision.value)).toBe(true);
      expect(decision.value).toBeGreaterThanOrEqual(0);
      expect(decision.value).toBeLessThanOrEqual(MAX);
      if (config.businessHoursMultiplier >= 1)
        expect(decision.value).toBeGreaterThanOrEqual(clampMetric(live));
    }
  });
});

describe('clampMetric', () => {
  it.each<[number, number]>([
    [0, 0],
    [-0, 0],
    [1.5, 1.5],
    [0.001, 0.001],
    [1e15, 1e15],
    [MAX, MAX],
    [MAX + 2, MAX],
    [1e300, MAX],
    [Number.MAX_VALUE, MAX],
    [Infinity, MAX],
    [-1, 0],
    [-1e-9, 0],
    [-Infinity, 0],
    [NaN, 0],
  ])('%d → %d', (value, clamped) => {
    expect(clampMetric(value)).toBe(clamped);
  });
});
