import { isMissing as isMissingValue } from '../../anomaly/robust-stats';
import type { Forecaster } from './forecaster';

/** Bound once: a call through the module binding (a getter under some loaders) costs more in these loops. */
const isMissing = isMissingValue;

/** Parameters of a seasonal naive forecaster: the period, in blocks. */
export interface SeasonalNaiveParams {
  period: number;
}

/** How many earlier cycles to look back through when the same slot of the last cycle is a gap. */
const MAX_CYCLES_BACK = 3;

/**
 * Each future block is the value one period earlier ("same time yesterday" / "last week"); a gap there
 * falls back to earlier cycles, then to the last value.
 */
export function seasonalNaiveForecaster(name: string, period: number): Forecaster<SeasonalNaiveParams> {
  return {
    name,
    intervalScale: 'identity',
    fit: () => ({ period }),
    predict(params, series, from, to, maxLead, out) {
      const values = series.values;
      let last = NaN;
      for (let i = from; i >= 0; i--) {
        if (!isMissing(values[i] as number)) {
          last = values[i] as number;
          break;
        }
      }
      for (let origin = from; origin < to; origin++) {
        if (!isMissing(values[origin] as number)) last = values[origin] as number;
        const row = (origin - from) * maxLead;
        for (let lead = 1; lead <= maxLead; lead++) {
          let source = origin + lead - params.period * Math.ceil(lead / params.period);
          let value = NaN;
          for (let back = 0; back < MAX_CYCLES_BACK && source >= 0; back++, source -= params.period) {
            value = values[source] as number;
            if (!isMissing(value)) break;
          }
          out[row + lead - 1] = isMissing(value) ? last : value;
        }
      }
    },
  };
}
