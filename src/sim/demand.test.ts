import { createDemandModel } from './demand';

describe('rate demand', () => {
  it('serves up to ready × target and loses the rest', () => {
    const demand = createDemandModel('rate');
    expect(demand.live(30)).toBe(30);
    expect(demand.serve(30, 2, 10, 15)).toEqual({
      offered: 450,
      shortfall: 150,
      underProvisioned: true,
      wanted: true,
    });
    expect(demand.serve(20, 2, 10, 15)).toMatchObject({ shortfall: 0, underProvisioned: false });
  });
});

describe('queue demand', () => {
  it('builds a backlog while arrivals exceed service, and drains it after', () => {
    const demand = createDemandModel('queue');
    // 10 messages/s arrive; one ready replica takes 4/s: the backlog grows by 6/s.
    let tick = demand.serve(10, 1, 4, 10);
    expect(demand.backlog).toBe(60);
    expect(tick).toMatchObject({ offered: 100, shortfall: 60, underProvisioned: true });
    expect(demand.live(10)).toBe(60);
    tick = demand.serve(10, 1, 4, 10);
    expect(demand.backlog).toBe(120);
    expect(tick.shortfall).toBe(100); // every arrival of the tick is still waiting
    // Four replicas take 16/s: the backlog shrinks by 6/s and is gone after 20 s.
    tick = demand.serve(10, 4, 4, 10);
    expect(demand.backlog).toBe(60);
    tick = demand.serve(10, 4, 4, 10);
    expect(demand.backlog).toBe(0);
    expect(tick).toMatchObject({ shortfall: 0, underProvisioned: false, wanted: true });
    // Backlog over time: triangle up to 120 over 20 s and back down over 20 s.
    expect(demand.backlogIntegral).toBeCloseTo((120 * 20) / 2 + (120 * 20) / 2);
  });

  it('counts a backlog left at zero replicas as waiting demand', () => {
    const demand = createDemandModel('queue');
    demand.serve(1, 0, 5, 10);
    const tick = demand.serve(0, 0, 5, 10);
    expect(tick).toMatchObject({ offered: 0, underProvisioned: true, wanted: true });
  });
});
