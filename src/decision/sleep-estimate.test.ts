import { SleepEstimate } from './sleep-estimate';

const SECOND = 1_000;

describe('SleepEstimate', () => {
  it('is awake until the answers have been inactive for longer than the cooldown period', () => {
    const estimate = new SleepEstimate(300 * SECOND);
    expect(estimate.asleep(0)).toBe(false);
    estimate.record(0, true);
    estimate.record(30 * SECOND, false);
    // KEDA's last active time is 0 s and it scales to zero at its first poll more than 300 s later,
    // 330 s; the estimate follows one poll after, so it never ends a cooldown first.
    expect(estimate.asleep(330 * SECOND)).toBe(false);
    estimate.record(330 * SECOND, false);
    expect(estimate.asleep(360 * SECOND)).toBe(true);
  });

  it('wakes with an active answer and counts the next cooldown from the next inactive one', () => {
    const estimate = new SleepEstimate(300 * SECOND);
    estimate.record(0, false);
    expect(estimate.asleep(301 * SECOND)).toBe(true);
    estimate.record(400 * SECOND, true);
    expect(estimate.asleep(400 * SECOND)).toBe(false);
    estimate.record(430 * SECOND, false);
    estimate.record(460 * SECOND, false);
    expect(estimate.asleep(730 * SECOND)).toBe(false);
    expect(estimate.asleep(731 * SECOND)).toBe(true);
  });

  it('with no cooldown period, is asleep from the poll after the first inactive answer', () => {
    const estimate = new SleepEstimate(0);
    estimate.record(0, false);
    expect(estimate.asleep(0)).toBe(false);
    expect(estimate.asleep(30 * SECOND)).toBe(true);
  });
});
