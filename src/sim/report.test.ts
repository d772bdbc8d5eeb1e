import { compareWithFrontier } from './frontier';
import { comparisonTable, frontierSummary, resultRecord } from './report';
import type { SimulationResult, StrategyResult } from './simulator';
import { simulatedTrigger } from './trigger';

function result(strategy: string, replicaHours: number, under: number, unserved: number): StrategyResult {
  return {
    strategy,
    headroom: 0,
    underProvisionedTimeshare: under,
    unservedFraction: unserved,
    replicaHours,
    coldStarts: 0,
    scaleActionsPerHour: 1,
    forecastMase: null,
    meanReplicas: 1,
    peakReplicas: 2,
    elapsedMs: 1,
  };
}

const HEADROOM = [
  result('reactive', 100, 0.08, 0.04),
  result('reactive-headroom-10', 110, 0.05, 0.03),
  result('reactive-headroom-100', 200, 0.002, 0.001),
];

/** The predictive strategy as the simulator leaves it: compared with the headroom points. */
function predictive(replicaHours: number, under: number, unserved: number): StrategyResult {
  const own = result('predictive', replicaHours, under, unserved);
  return { ...own, frontier: compareWithFrontier(HEADROOM, own) };
}

function simulation(...results: StrategyResult[]): SimulationResult {
  return {
    results,
    timeline: undefined,
    tickMs: 15_000,
    durationMs: 3_600_000,
    trigger: simulatedTrigger({ target: '10' }),
    oracleWindowMs: 225_000,
  };
}

describe('resultRecord', () => {
  it('puts the frontier at the predictive strategy’s cost right after its six figures', () => {
    const record = resultRecord(predictive(105, 0.0325, 0.07));
    expect(Object.keys(record).slice(0, 13)).toEqual([
      'strategy',
      'underProvisionedTimeshare',
      'unservedFraction',
      'replicaHours',
      'coldStarts',
      'scaleActionsPerHour',
      'forecastMase',
      'frontierUnderProvisionedTimeshare',
      'frontierUnservedFraction',
      'underProvisionedVsFrontier',
      'unservedVsFrontier',
      'belowFrontier',
      'costVsFrontier',
    ]);
    // Halfway from reactive to 10 %: 6.5 % of the time short, 3.5 % unserved.
    expect(record).toMatchObject({
      frontierUnderProvisionedTimeshare: 0.065,
      frontierUnservedFraction: 0.035,
      underProvisionedVsFrontier: 0.5,
      unservedVsFrontier: 2,
      belowFrontier: true,
      costVsFrontier: 'within',
    });
  });

  it.each([
    ['cheaper than reactive', 90, 0.07, 'cheaper', true],
    ['dearer than 100 % headroom', 210, 0.001, 'dearer', null],
  ] as const)('has null frontier figures when %s', (_name, replicaHours, under, side, below) => {
    expect(resultRecord(predictive(replicaHours, under, 0.01))).toMatchObject({
      frontierUnderProvisionedTimeshare: null,
      frontierUnservedFraction: null,
      underProvisionedVsFrontier: null,
      unservedVsFrontier: null,
      belowFrontier: below,
      costVsFrontier: side,
    });
  });

  it('leaves the frontier fields out of strategies not compared with it', () => {
    expect(resultRecord(HEADROOM[0] as StrategyResult)).not.toHaveProperty(
      'frontierUnderProvisionedTimeshare',
    );
  });
});

describe('comparisonTable', () => {
  it('shows the frontier at predictive’s cost below predictive’s row, then the comparison', () => {
    const table = comparisonTable(simulation(...HEADROOM, predictive(105, 0.0325, 0.07)));
    const lines = table.split('\n');
    expect(lines[4]).toMatch(/^predictive\s/);
    expect(lines[5]).toMatch(/^frontier at predictive's cost\s+6\.50 %\s+3\.50 %\s+105\.0\s+-\s+-\s+-$/);
    expect(table).toContain(
      'predictive against reactive with headroom at the same cost (105.0 replica-h): short of capacity ' +
        '3.25 % vs 6.50 % (0.50 ×), unserved 7.00 % vs 3.50 % (2.00 ×): below the frontier',
    );
  });

  it.each([
    [
      'cheaper than reactive',
      predictive(90, 0.09, 0.05),
      "no frontier figure at predictive's cost: 90.0 replica-h is fewer than reactive's 100.0, the cheapest " +
        'headroom point, and the frontier is not extrapolated',
    ],
    [
      'dearer than 100 % headroom and short more often than it',
      predictive(210, 0.003, 0.002),
      "no frontier figure at predictive's cost: 210.0 replica-h is more than reactive-headroom-100's 200.0, " +
        'the dearest headroom point, and the frontier is not extrapolated; short of capacity at least as ' +
        'often as the best headroom point, so not below the frontier',
    ],
  ])('says why there is no frontier figure when %s', (_name, strategy, sentence) => {
    const table = comparisonTable(simulation(...HEADROOM, strategy));
    expect(table).not.toContain('frontier at predictive');
    expect(table.split('\n')).toContain(sentence);
  });
});

describe('frontierSummary', () => {
  it('says a cheaper strategy short no more often than reactive is below the frontier', () => {
    expect(frontierSummary(predictive(90, 0.08, 0.05))).toMatch(
      /not extrapolated; short of capacity no more often than reactive, so below the frontier$/,
    );
  });

  it('says when the replay had no headroom points', () => {
    const own = result('predictive', 100, 0.01, 0.01);
    expect(frontierSummary({ ...own, frontier: compareWithFrontier([], own) })).toBe(
      'no frontier figure for predictive: the replay ran no reactive strategies',
    );
    expect(frontierSummary(own)).toBeUndefined();
  });
});
