import { trainModel } from '../train';
import type { TrainingOptions } from '../types';
import { WorkerFitter } from './model-fitter';

const options: TrainingOptions = {
  seasonality: 'auto',
  leadTimesMs: [15 * 60_000],
  horizonMs: 30 * 60_000,
  quantile: 0.9,
  anomalyThreshold: 3.5,
};

describe('WorkerFitter', () => {
  it('trains on a worker thread exactly what trainModel trains inline', async () => {
    const fitter = new WorkerFitter();
    try {
      const history = {
        startMs: 0,
        stepMs: 60_000,
        values: Array.from({ length: 3_000 }, (_, i) => 10 + 5 * Math.sin(i / 40)),
      };
      const model = await fitter.fit(history, options, 3_000 * 60_000);
      expect(model).toEqual(trainModel(history, options, 3_000 * 60_000));
    } finally {
      await fitter.close();
    }
  });

  it('passes a training error back as a rejection', async () => {
    const fitter = new WorkerFitter();
    try {
      await expect(
        fitter.fit({ startMs: 0, stepMs: 60_000, values: [1, Infinity, 3] }, options, 0),
      ).rejects.toThrow();
    } finally {
      await fitter.close();
    }
  });
});
