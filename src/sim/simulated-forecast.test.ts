import { trainingOptions } from '../forecast/lifecycle/model-key';
import { forecastFrom } from '../forecast/predict';
import { syntheticSeries, sliceSeries } from '../forecast/synthetic-series';
import { trainModel } from '../forecast/train';
import { decisionTrainingOptions } from './simulated-forecast';
import { simulatedTrigger } from './trigger';

describe('decisionTrainingOptions', () => {
  const options = trainingOptions(simulatedTrigger({ target: '10', metadata: { leadTime: '10m' } }));

  it('keeps the server options but the long-horizon reach, which stops at the longest scaling lead', () => {
    expect(decisionTrainingOptions(options)).toEqual({
      ...options,
      longHorizonMs: Math.max(...options.leadTimesMs),
    });
    expect(trainModel(series, decisionTrainingOptions(options), END).longHorizon.reason).toBe(
      'not selected: the scaling band reaches as far as forecasts were asked for',
    );
  });

  // 10 days of 1-minute load with a daily and a weekend shape, cut at hours from live-only to seasonal.
  const series = syntheticSeries({
    days: 10,
    stepMs: 60_000,
    daily: 40,
    weekend: -30,
    noise: 6,
    noiseAutocorrelation: 0.5,
  });

  const END = series.startMs + series.values.length * series.stepMs;

  it.each([0.5, 3, 9.5])('gives the forecasts the decisions read unchanged (%s days of history)', (days) => {
    const history = sliceSeries(series, 0, Math.round(days * 1440));
    const nowMs = history.startMs + history.values.length * history.stepMs;
    const full = trainModel(history, options, nowMs);
    const reduced = trainModel(history, decisionTrainingOptions(options), nowMs);
    expect(reduced.method).toBe(full.method);
    expect(reduced.usable).toBe(full.usable);
    expect(reduced.scores).toEqual(full.scores);
    const steps = options.horizonMs / history.stepMs;
    expect(forecastFrom(reduced, history, steps)).toEqual(forecastFrom(full, history, steps));
  });
});
