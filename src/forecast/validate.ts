import { assertThreshold } from '../anomaly/filter';
import { ForecastInputError } from './errors';
import type { RegularSeries, SeasonalityOption, TrainingOptions } from './types';

const SEASONALITY_OPTIONS: readonly SeasonalityOption[] = ['auto', 'daily', 'weekly', 'daily,weekly', 'none'];

/**
 * Checks the shape of a series. NaN is a gap and is accepted; any other non-finite value (±Infinity) is
 * a bug upstream and is rejected rather than silently treated as missing.
 */
export function assertRegularSeries(
  series: RegularSeries,
  label: string,
  options: { requireData: boolean },
): void {
  if (!Number.isFinite(series.startMs)) {
    throw new ForecastInputError(
      `${label}.startMs must be a finite number of milliseconds, got ${series.startMs}`,
    );
  }
  if (!(Number.isFinite(series.stepMs) && series.stepMs > 0)) {
    throw new ForecastInputError(
      `${label}.stepMs must be a positive number of milliseconds, got ${series.stepMs}`,
    );
  }
  let observed = 0;
  for (let i = 0; i < series.values.length; i++) {
    const v = series.values[i];
    if (typeof v !== 'number') {
      throw new ForecastInputError(`${label}.values[${i}] must be a number (NaN for a gap), got ${typeof v}`);
    }
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) {
      throw new ForecastInputError(
        `${label}.values[${i}] is ${v} (at ${isoTime(series.startMs + i * series.stepMs)}): ` +
          'only finite numbers, or NaN for a missing sample, are accepted',
      );
    }
    observed++;
  }
  if (options.requireData && observed === 0) {
    throw new ForecastInputError(
      series.values.length === 0
        ? `${label} is empty: at least one observed value is needed`
        : `${label} has no observed values: all ${series.values.length} samples are NaN (missing)`,
    );
  }
}

/** Checks every training option against the ranges of the contract (docs/metadata.md). */
export function assertTrainingOptions(options: TrainingOptions): void {
  if (!SEASONALITY_OPTIONS.includes(options.seasonality)) {
    throw new ForecastInputError(
      `seasonality must be one of ${SEASONALITY_OPTIONS.join(', ')}, got ${JSON.stringify(options.seasonality)}`,
    );
  }
  if (!Array.isArray(options.leadTimesMs) || options.leadTimesMs.length === 0) {
    throw new ForecastInputError('leadTimesMs must list at least one lead time');
  }
  for (const lead of options.leadTimesMs) {
    if (!(Number.isFinite(lead) && lead > 0)) {
      throw new ForecastInputError(`leadTimesMs must hold positive durations in ms, got ${lead}`);
    }
  }
  if (!(Number.isFinite(options.horizonMs) && options.horizonMs > 0)) {
    throw new ForecastInputError(`horizonMs must be a positive duration in ms, got ${options.horizonMs}`);
  }
  // 0.5 is allowed, as the `quantile` metadata key allows it: the upper bound is then the median forecast.
  if (!(options.quantile >= 0.5 && options.quantile < 1)) {
    throw new ForecastInputError(`quantile must be at least 0.5 and below 1, got ${options.quantile}`);
  }
  try {
    assertThreshold(options.anomalyThreshold);
  } catch (error) {
    throw new ForecastInputError((error as Error).message);
  }
  for (const period of options.seasonalPeriodsMs ?? []) {
    if (!(Number.isFinite(period) && period > 0)) {
      throw new ForecastInputError(`seasonalPeriodsMs must hold positive durations in ms, got ${period}`);
    }
  }
  if (
    options.modelStepMs !== undefined &&
    !(Number.isFinite(options.modelStepMs) && options.modelStepMs > 0)
  ) {
    throw new ForecastInputError(`modelStepMs must be a positive duration in ms, got ${options.modelStepMs}`);
  }
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
