import { LeadErrorTracker } from './lead-error-tracker';

const MIN = 60_000;

describe('LeadErrorTracker', () => {
  it('scores a prediction only when its moment arrives', () => {
    const tracker = new LeadErrorTracker(15 * MIN, MIN);
    tracker.record(0, 100, 10);
    tracker.observe(14 * MIN, 100);
    expect(tracker.mase()).toBeUndefined();
    tracker.observe(15 * MIN, 90);
    // model error 10, naive error |90 - 10| = 80
    expect(tracker.mase()).toBeCloseTo(10 / 80);
  });

  it('is 1 for a forecast that only repeats the live value', () => {
    const tracker = new LeadErrorTracker(5 * MIN, MIN);
    const series = [3, 8, 2, 9, 4, 7, 1, 6, 5, 10, 2, 8];
    series.forEach((value, i) => {
      tracker.observe(i * MIN, value);
      tracker.record(i * MIN, value, value);
    });
    expect(tracker.mase()).toBeCloseTo(1);
  });

  it('records at most one prediction per spacing and bounds its memory', () => {
    const tracker = new LeadErrorTracker(MIN, MIN, 3);
    for (let t = 0; t < 100 * MIN; t += 10_000) {
      tracker.observe(t, 5);
      tracker.record(t, t % MIN === 0 ? 5 : 1_000, 5);
    }
    expect(tracker.mase()).toBe(0);
  });

  it('drops predictions that came due long before the next reading', () => {
    const tracker = new LeadErrorTracker(MIN, MIN);
    tracker.record(0, 50, 0);
    tracker.observe(60 * MIN, 0);
    expect(tracker.mase()).toBeUndefined();
  });

  it('scores the current model on its own predictions, beside the window and the totals since the start', () => {
    const tracker = new LeadErrorTracker(2 * MIN, MIN);
    tracker.record(0, 10, 0);
    tracker.record(MIN, 10, 0);
    tracker.observe(2 * MIN, 20); // model 10, naive 20
    tracker.newModel();
    expect(tracker.modelMase()).toBeUndefined();
    expect(tracker.mase()).toBeCloseTo(10 / 20);
    tracker.record(2 * MIN, 19, 20);
    tracker.observe(3 * MIN, 20); // the old model's: model 10, naive 20
    expect(tracker.modelMase()).toBeUndefined();
    tracker.observe(4 * MIN, 22); // the new model's: model 3, naive 2
    expect(tracker.modelMase()).toBeCloseTo(3 / 2);
    expect(tracker.mase()).toBeCloseTo(23 / 42);
    expect(tracker.maseSinceStart()).toBeCloseTo(23 / 42);
  });

  it('scores a lead longer than its window', () => {
    const tracker = new LeadErrorTracker(1_000 * MIN, MIN, 3);
    for (let m = 0; m <= 1_001; m++) {
      tracker.observe(m * MIN, m);
      tracker.record(m * MIN, m + 1_000, m);
    }
    expect(tracker.mase()).toBe(0);
  });
});
