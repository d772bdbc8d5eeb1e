import { DecisionLog } from './decision-log';

const MINUTE = 60_000;

describe('DecisionLog', () => {
  it('keeps the last decision and the one before that returned a value', () => {
    const log = new DecisionLog();
    log.record('t', { atMs: 0, live: 1, returned: 1 });
    log.record('t', { atMs: MINUTE, live: 2, returned: 2 });
    log.record('t', { atMs: 2 * MINUTE, error: 'down' });
    const history = log.history('t');
    expect(history?.last).toEqual({ atMs: 2 * MINUTE, error: 'down' });
    expect(history?.previous).toEqual({ atMs: MINUTE, live: 2, returned: 2 });
  });

  it('plots a point a minute at most, over the last day only', () => {
    const log = new DecisionLog();
    for (let s = 0; s <= 26 * 3600; s += 30) log.record('t', { atMs: s * 1000, live: s, returned: s });
    const points = log.history('t')?.points ?? [];
    expect(points).toHaveLength(24 * 60 + 1);
    expect(points[0]?.atMs).toBe(2 * 3600 * 1000);
    expect(points[1]!.atMs - points[0]!.atMs).toBe(MINUTE);
  });

  it('forgets a trigger', () => {
    const log = new DecisionLog();
    log.record('t', { atMs: 0, live: 1, returned: 1 });
    log.forget('t');
    expect(log.history('t')).toBeUndefined();
  });
});
