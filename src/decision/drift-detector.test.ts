import { DRIFT_RULE, DriftDetector, driftThreshold } from './drift-detector';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Feeds `detector` one observation a minute over [fromMinute, toMinute); returns each judgement. */
function feed(
  detector: DriftDetector,
  fromMinute: number,
  toMinute: number,
  live: (minute: number) => number | undefined,
  /** null: the model has no backtest at the lead. */
  backtest: number | null = 0.4,
): Array<{ minute: number; degraded: boolean; retrain: boolean }> {
  const out = [];
  for (let m = fromMinute; m < toMinute; m++) {
    const judgement = detector.observe(m * MINUTE, live(m), backtest ?? undefined);
    out.push({ minute: m, degraded: judgement.degraded, retrain: judgement.retrain });
  }
  return out;
}

describe('driftThreshold', () => {
  it('is 1.5 times the backtest MASE, never below 1', () => {
    expect(driftThreshold(0.2)).toBe(1);
    expect(driftThreshold(2 / 3)).toBeCloseTo(1);
    expect(driftThreshold(0.8)).toBeCloseTo(1.2);
    expect(driftThreshold(2)).toBe(3);
    expect(DRIFT_RULE.sustainMs).toBe(HOUR);
  });
});

describe('DriftDetector', () => {
  it('turns degraded and asks for one retraining after an hour of unbroken exceedance', () => {
    const detector = new DriftDetector();
    const judged = feed(detector, 0, 61, () => 1.5);
    expect(judged.filter((j) => j.degraded).map((j) => j.minute)).toEqual([60]);
    expect(judged.filter((j) => j.retrain).map((j) => j.minute)).toEqual([60]);
  });

  it('never degrades on an intermittent exceedance, however long', () => {
    const detector = new DriftDetector();
    // Above the threshold for 59 minutes of every hour, at it for one.
    const judged = feed(detector, 0, 6 * 60, (m) => (m % 60 === 59 ? 1 : 5));
    expect(judged.some((j) => j.degraded || j.retrain)).toBe(false);
  });

  it('judges against max(1, 1.5 × backtest): above 1 is not enough for a model that promised 0.9', () => {
    const promisedLittle = new DriftDetector();
    expect(feed(promisedLittle, 0, 120, () => 1.3, 0.9).some((j) => j.degraded)).toBe(false);
    const exceeded = new DriftDetector();
    expect(feed(exceeded, 0, 61, () => 1.36, 0.9).at(-1)?.degraded).toBe(true);
    // A model that promised 0.2 is held to 1, not to 0.3.
    const floor = new DriftDetector();
    expect(feed(floor, 0, 120, () => 0.9, 0.2).some((j) => j.degraded)).toBe(false);
    expect(feed(new DriftDetector(), 0, 61, () => 1.01, 0.2).at(-1)?.degraded).toBe(true);
  });

  it('restarts the retraining clock after a retraining, and stays degraded while the error stays high', () => {
    const detector = new DriftDetector();
    const judged = feed(detector, 0, 3 * 60 + 1, () => 4);
    expect(judged.filter((j) => j.retrain).map((j) => j.minute)).toEqual([60, 120, 180]);
    expect(judged.every((j) => j.degraded === j.minute >= 60)).toBe(true);
  });

  it('clears as soon as the new model fits, and judges the next exceedance afresh', () => {
    const detector = new DriftDetector();
    feed(detector, 0, 61, () => 3);
    // The new model fits for a while: no longer degraded.
    const fitted = feed(detector, 61, 90, () => 0.5);
    expect(fitted.some((j) => j.degraded || j.retrain)).toBe(false);
    // A new exceedance needs a whole hour of its own.
    const again = feed(detector, 90, 151, () => 3);
    expect(again.filter((j) => j.retrain).map((j) => j.minute)).toEqual([150]);
    expect(again.find((j) => j.degraded)?.minute).toBe(150);
  });

  it('stays degraded while a new model has no score yet, and judges that model on an hour of its own', () => {
    const detector = new DriftDetector();
    feed(detector, 0, 61, () => 3);
    // Retrained at minute 61: the new model's first prediction comes due 15 minutes later.
    const waiting = feed(detector, 61, 76, () => undefined);
    expect(waiting.every((j) => j.degraded && !j.retrain)).toBe(true);
    // It does no better: still degraded, and retrained again an hour after its first score.
    const noBetter = feed(detector, 76, 137, () => 3);
    expect(noBetter.every((j) => j.degraded)).toBe(true);
    expect(noBetter.filter((j) => j.retrain).map((j) => j.minute)).toEqual([136]);
    // The next one fits: one score under the threshold clears it.
    feed(detector, 137, 152, () => undefined);
    expect(feed(detector, 152, 153, () => 0.4)[0]).toMatchObject({ degraded: false, retrain: false });
  });

  it('is never degraded without a backtest promise at the lead, or before any live score', () => {
    const noBacktest = new DriftDetector();
    expect(feed(noBacktest, 0, 180, () => 10, null).some((j) => j.degraded || j.retrain)).toBe(false);
    const nanBacktest = new DriftDetector();
    expect(feed(nanBacktest, 0, 180, () => 10, NaN).some((j) => j.degraded || j.retrain)).toBe(false);
    const noLive = new DriftDetector();
    expect(feed(noLive, 0, 180, () => undefined).some((j) => j.degraded || j.retrain)).toBe(false);
    // Nor is a forecast that stops promising anything (a model with no backtest at the lead, live-only).
    const degradedThenNone = new DriftDetector();
    feed(degradedThenNone, 0, 61, () => 3);
    expect(feed(degradedThenNone, 61, 62, () => 3, null)[0]?.degraded).toBe(false);
    // A gap in the promise breaks the hour, as a dip in the error does.
    const gap = new DriftDetector();
    feed(gap, 0, 50, () => 10);
    feed(gap, 50, 51, () => 10, null);
    expect(feed(gap, 51, 110, () => 10).some((j) => j.degraded)).toBe(false);
  });
});
