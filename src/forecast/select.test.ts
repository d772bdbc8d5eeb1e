import type { CandidateResult } from './backtest';
import type { Forecaster } from './forecasters/forecaster';
import { lastValueForecaster } from './forecasters/last-value';
import { selectModel } from './select';

function result(name: string, mases: number[], failure?: string): CandidateResult {
  return {
    name,
    forecaster: lastValueForecaster as Forecaster<unknown>,
    scores: mases.map((mase) => ({ mase, smape: 10, coverage: 0.9, pinball: 0.1 })),
    meanMase: mases.reduce((a, b) => a + b, 0) / mases.length,
    params: {},
    predictions: new Float64Array(0),
    firstOrigin: 0,
    fitMs: 0,
    ...(failure === undefined ? {} : { failure }),
  };
}

const LEADS = ['15m', '1h'];

describe('selectModel', () => {
  it('uses the best model when it beats last value and seasonal naive at every lead', () => {
    const selection = selectModel(
      [
        result('last-value', [1, 1.2]),
        result('seasonal-naive-day', [1.4, 1.4]),
        result('anchored-seasonal', [0.8, 0.9]),
      ],
      LEADS,
    );
    expect(selection).toMatchObject({ usable: true });
    expect(selection.best.name).toBe('anchored-seasonal');
    expect(selection.reason).toMatch(/beat last-value, seasonal-naive-day/);
  });

  it('refuses the best model when it loses to a baseline at one lead', () => {
    const selection = selectModel(
      [
        result('last-value', [0.9, 1.5]),
        result('seasonal-naive-day', [1.4, 1.4]),
        result('fourier-regression', [1.0, 1.0]),
      ],
      LEADS,
    );
    expect(selection.usable).toBe(false);
    expect(selection.best.name).toBe('fourier-regression');
    expect(selection.reason).toBe(
      'fourier-regression did not beat last-value at lead 15m (MASE 1.000 vs 0.900)',
    );
  });

  it('refuses when last value is best, and a tie is not a win', () => {
    expect(
      selectModel([result('last-value', [1, 1]), result('holt-winters-additive', [1, 1])], LEADS),
    ).toMatchObject({
      usable: false,
    });
  });

  it('leaves failed candidates out', () => {
    const selection = selectModel(
      [result('last-value', [1, 1]), result('holt-winters-multiplicative', [NaN, NaN], 'fit failed: boom')],
      LEADS,
    );
    expect(selection.best.name).toBe('last-value');
  });

  it('accepts a seasonal naive model that beats the other baselines', () => {
    const selection = selectModel(
      [
        result('last-value', [1, 1]),
        result('seasonal-naive-day', [0.9, 0.9]),
        result('seasonal-naive-week', [0.5, 0.5]),
      ],
      LEADS,
    );
    expect(selection).toMatchObject({ usable: true });
    expect(selection.best.name).toBe('seasonal-naive-week');
  });
});
