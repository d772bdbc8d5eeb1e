import { compareWithFrontier, frontierAt, type CostAndShortfall } from './frontier';

const point = (
  strategy: string,
  replicaHours: number,
  underProvisionedTimeshare: number,
  unservedFraction = 0,
): CostAndShortfall => ({ strategy, replicaHours, underProvisionedTimeshare, unservedFraction });

/** Headroom 0 to 100 %, cost up and shortfall down at every step, as replays mostly give. */
const HEADROOM: CostAndShortfall[] = [
  point('reactive', 100, 0.08, 0.04),
  point('reactive-headroom-10', 110, 0.05, 0.03),
  point('reactive-headroom-20', 120, 0.03, 0.015),
  point('reactive-headroom-30', 130, 0.02, 0.01),
  point('reactive-headroom-50', 150, 0.01, 0.006),
  point('reactive-headroom-75', 175, 0.004, 0.002),
  point('reactive-headroom-100', 200, 0.002, 0.001),
];

describe('frontierAt', () => {
  it.each([
    ['the cheapest point', 100, 0.08, 0.04],
    ['halfway from 10 % to 20 %', 115, 0.04, 0.0225],
    ['a point', 150, 0.01, 0.006],
    ['halfway from 50 % to 75 %', 162.5, 0.007, 0.004],
    ['a fifth of the way from 75 % to 100 %', 180, 0.0036, 0.0018],
    ['the dearest point', 200, 0.002, 0.001],
  ])('interpolates by replica-hours at %s (%d replica-h)', (_name, replicaHours, under, unserved) => {
    expect(frontierAt(HEADROOM, replicaHours, 'underProvisionedTimeshare')).toBeCloseTo(under, 12);
    expect(frontierAt(HEADROOM, replicaHours, 'unservedFraction')).toBeCloseTo(unserved, 12);
  });

  it.each([
    ['cheaper than reactive', 99.9],
    ['dearer than 100 % headroom', 200.1],
  ])('is undefined %s: never extrapolated', (_name, replicaHours) => {
    expect(frontierAt(HEADROOM, replicaHours, 'underProvisionedTimeshare')).toBeUndefined();
    expect(frontierAt(HEADROOM, replicaHours, 'unservedFraction')).toBeUndefined();
  });

  it('is undefined without points', () => {
    expect(frontierAt([], 100, 'underProvisionedTimeshare')).toBeUndefined();
  });

  it('is the point itself when there is one and the cost matches', () => {
    const only = [point('reactive', 100, 0.08)];
    expect(frontierAt(only, 100, 'underProvisionedTimeshare')).toBe(0.08);
    expect(frontierAt(only, 100.5, 'underProvisionedTimeshare')).toBeUndefined();
  });

  it('skips a point that costs more and is short more often than a cheaper one', () => {
    // 10 % costs more than none and is short more often: the frontier runs from reactive to 20 %.
    const points = [point('reactive', 100, 0.05), point('h10', 110, 0.06), point('h20', 120, 0.01)];
    expect(frontierAt(points, 105, 'underProvisionedTimeshare')).toBeCloseTo(0.04, 12);
    expect(frontierAt(points, 110, 'underProvisionedTimeshare')).toBeCloseTo(0.03, 12);
  });

  it('follows cost, not headroom, when more headroom happened to cost less', () => {
    // 20 % cost less than 10 % and is short less often: 10 % is never the one to buy.
    const points = [
      point('reactive', 100, 0.05),
      point('h10', 115, 0.03),
      point('h20', 112, 0.02),
      point('h30', 130, 0.01),
    ];
    expect(frontierAt(points, 106, 'underProvisionedTimeshare')).toBeCloseTo(0.035, 12);
    expect(frontierAt(points, 115, 'underProvisionedTimeshare')).toBeCloseTo(0.02 - 0.01 / 6, 12);
  });

  it('stays at the best figure bought for less up to a dearer point that is short more often', () => {
    const points = [point('reactive', 100, 0.05), point('h50', 150, 0.01), point('h100', 200, 0.02)];
    expect(frontierAt(points, 125, 'underProvisionedTimeshare')).toBeCloseTo(0.03, 12);
    expect(frontierAt(points, 175, 'underProvisionedTimeshare')).toBe(0.01);
    expect(frontierAt(points, 200, 'underProvisionedTimeshare')).toBe(0.01);
    expect(frontierAt(points, 201, 'underProvisionedTimeshare')).toBeUndefined();
  });

  it('takes the lower figure of two points at the same cost', () => {
    const points = [point('reactive', 100, 0.05), point('h10', 100, 0.04), point('h20', 120, 0)];
    expect(frontierAt(points, 100, 'underProvisionedTimeshare')).toBe(0.04);
    expect(frontierAt(points, 110, 'underProvisionedTimeshare')).toBeCloseTo(0.02, 12);
  });

  it('draws each figure from its own points', () => {
    // Unserved rises from 0 to 20 % headroom while the time short falls: the two frontiers differ.
    const points = [
      point('reactive', 100, 0.05, 0.02),
      point('h20', 120, 0.03, 0.03),
      point('h40', 140, 0.01, 0.01),
    ];
    expect(frontierAt(points, 120, 'underProvisionedTimeshare')).toBeCloseTo(0.03, 12);
    expect(frontierAt(points, 120, 'unservedFraction')).toBeCloseTo(0.015, 12);
  });
});

describe('compareWithFrontier', () => {
  it('gives the frontier at the same cost, the ratios and whether the strategy is below it', () => {
    expect(compareWithFrontier(HEADROOM, point('predictive', 115, 0.02, 0.0225))).toEqual({
      costVsFrontier: 'within',
      frontier: {
        underProvisionedTimeshare: expect.closeTo(0.04, 12),
        unservedFraction: expect.closeTo(0.0225, 12),
      },
      underProvisionedRatio: expect.closeTo(0.5, 12),
      unservedRatio: expect.closeTo(1, 12),
      belowFrontier: true,
    });
  });

  it('is not below the frontier when short as often as it', () => {
    const comparison = compareWithFrontier(HEADROOM, point('predictive', 150, 0.01, 0.012));
    expect(comparison).toMatchObject({ costVsFrontier: 'within', belowFrontier: false, unservedRatio: 2 });
  });

  it('has no ratio where the frontier is never short', () => {
    const points = [point('reactive', 100, 0, 0), point('h10', 110, 0, 0)];
    expect(compareWithFrontier(points, point('predictive', 105, 0, 0))).toEqual({
      costVsFrontier: 'within',
      frontier: { underProvisionedTimeshare: 0, unservedFraction: 0 },
      underProvisionedRatio: null,
      unservedRatio: null,
      belowFrontier: false,
    });
  });

  it.each([
    ['cheaper and short less often than reactive: dominates it', 90, 0.07, 'cheaper', 'reactive', true],
    ['cheaper and short as often as reactive: dominates it', 90, 0.08, 'cheaper', 'reactive', true],
    ['cheaper but short more often: cannot say', 90, 0.09, 'cheaper', 'reactive', null],
    [
      'dearer and short more often than the best point: dominated',
      210,
      0.003,
      'dearer',
      'reactive-headroom-100',
      false,
    ],
    [
      'dearer and short less often than every point: cannot say',
      210,
      0.001,
      'dearer',
      'reactive-headroom-100',
      null,
    ],
  ] as const)('outside the cost range, %s', (_name, replicaHours, under, side, nearest, below) => {
    const comparison = compareWithFrontier(HEADROOM, point('predictive', replicaHours, under));
    expect(comparison).toEqual({
      costVsFrontier: side,
      nearest: HEADROOM.find((p) => p.strategy === nearest),
      belowFrontier: below,
    });
  });

  it('judges a dearer strategy against the best point, not the dearest', () => {
    const points = [point('reactive', 100, 0.05), point('h50', 150, 0.01), point('h100', 200, 0.02)];
    expect(compareWithFrontier(points, point('predictive', 210, 0.015))).toMatchObject({
      costVsFrontier: 'dearer',
      nearest: { strategy: 'h100' },
      belowFrontier: false,
    });
  });

  it('says so when the replay has no headroom points', () => {
    expect(compareWithFrontier([], point('predictive', 100, 0.01))).toEqual({
      costVsFrontier: 'no-frontier',
      belowFrontier: null,
    });
  });
});
