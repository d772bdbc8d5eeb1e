import { comparisonTable, comparisonView, type ResourceComparison } from './report';
import { MIB } from './units';

const errors = (maeMib: number, r2: number) => ({
  samples: 10,
  mae: maeMib * MIB,
  rmse: 2 * maeMib * MIB,
  r2,
  mase: maeMib / 4,
});
const failed = { samples: 0, mae: NaN, rmse: NaN, r2: NaN, mase: NaN };

describe('the --report comparison', () => {
  const memory: ResourceComparison = {
    resource: 'memory',
    selected: 'seasonal-naive-day',
    target: { value: 512 * MIB, text: '512Mi' },
    reason: 'seasonal-naive-day beat last-value on the backtest',
    backtest: {
      lead: '15m',
      step: '5m',
      holdout: '42h',
      candidates: [
        {
          method: 'last-value',
          errors: errors(8, NaN),
          replicas: { samples: 10, exact: 0.9, withinOne: 1 },
        },
        {
          method: 'seasonal-naive-day',
          errors: errors(2, 0.75),
          replicas: { samples: 10, exact: 1, withinOne: 1 },
        },
        {
          method: 'fourier-regression',
          failure: 'fit failed: singular matrix',
          errors: failed,
          replicas: { samples: 0, exact: NaN, withinOne: NaN },
        },
      ],
    },
  };

  it('prints a table in MiB, marks the chosen model, and says why a candidate failed', () => {
    expect(comparisonTable(memory).split('\n')).toEqual([
      'Memory (MiB): 15m ahead from every 5m of the last 42h; replicas at 512Mi per replica',
      'model                        MAE  RMSE  R²     MASE   replicas exact  within one',
      'last-value                   8.0  16.0  -      2.000  90.0%           100.0%',
      'seasonal-naive-day (chosen)  2.0  4.0   0.750  0.500  100.0%          100.0%',
      'fourier-regression (failed)  -    -     -      -      -               -',
      'fourier-regression: fit failed: singular matrix',
    ]);
  });

  it('leaves the replica columns out without a target, and says when there was no backtest', () => {
    expect(comparisonTable({ ...memory, target: undefined }).split('\n')[1]).toMatch(
      /^model +MAE +RMSE +R² +MASE$/,
    );
    expect(
      comparisonTable({ resource: 'cpu', selected: 'last-value', reason: 'too little history to backtest' }),
    ).toBe('CPU (cores): no backtest: too little history to backtest');
  });

  it('gives JSON with null where nothing was measured', () => {
    const view = comparisonView(memory);
    expect(view).toMatchObject({ selected: 'seasonal-naive-day', lead: '15m', step: '5m', holdout: '42h' });
    expect(view.candidates[0]).toEqual({
      method: 'last-value',
      selected: false,
      samples: 10,
      mae: 8 * MIB,
      rmse: 16 * MIB,
      r2: null,
      mase: 2,
      replicas: { samples: 10, exact: 0.9, withinOne: 1 },
    });
    expect(view.candidates[1]?.selected).toBe(true);
    expect(view.candidates[2]).toMatchObject({
      failure: 'fit failed: singular matrix',
      mae: null,
      replicas: { samples: 0, exact: null, withinOne: null },
    });
  });
});
