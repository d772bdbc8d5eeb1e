import { isMissing } from '../../anomaly/robust-stats';
import type { Forecaster } from './forecaster';

/** The live value held flat: what the scaler does without a model, and the baseline every model must beat. */
export const lastValueForecaster: Forecaster<Record<string, never>> = {
  name: 'last-value',
  intervalScale: 'identity',
  fit: () => ({}),
  predict(_params, series, from, to, maxLead, out) {
    let last = NaN;
    for (let i = from; i >= 0; i--) {
      const v = series.values[i] as number;
      if (!isMissing(v)) {
        last = v;
        break;
      }
    }
    for (let origin = from; origin < to; origin++) {
      const v = series.values[origin] as number;
      if (!isMissing(v)) last = v;
      out.fill(last, (origin - from) * maxLead, (origin - from + 1) * maxLead);
    }
  },
};
