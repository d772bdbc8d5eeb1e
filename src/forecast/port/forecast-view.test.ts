import { backtestLeadRatio } from './forecast-view';

describe('backtestLeadRatio', () => {
  const score = (method: string, leadMs: number, mase: number) => ({
    method,
    leadMs,
    mase,
    smape: 0,
    pinball: 0,
    coverage: 0.9,
  });
  const model = {
    method: 'holt-winters-additive',
    scores: [
      score('last-value', 900_000, 1.2),
      score('holt-winters-additive', 900_000, 0.9),
      score('last-value', 3_600_000, 2),
      score('holt-winters-additive', 3_600_000, 1),
      score('seasonal-naive-day', 900_000, 3),
    ],
  };

  it('is the shipped method over last value at the lead, as the live lead-time error is', () => {
    expect(backtestLeadRatio(model, 900_000)).toBeCloseTo(0.75);
    expect(backtestLeadRatio(model, 3_600_000)).toBeCloseTo(0.5);
  });

  it('is undefined where the backtest did not score both', () => {
    expect(backtestLeadRatio(model, 600_000)).toBeUndefined();
    expect(backtestLeadRatio({ ...model, method: 'anchored-seasonal' }, 900_000)).toBeUndefined();
    expect(backtestLeadRatio({ method: 'last-value', scores: [] }, 900_000)).toBeUndefined();
  });
});
