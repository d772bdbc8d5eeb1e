/**
 * `npm run forecast -- --input LONG.csv --horizon STEPS [--season STEPS] [--quantile Q] --json`
 *
 * Forecasts every series of a long-format CSV (`series_id,t,value`) with the same training and selection
 * code the scaler uses, in one process. Prints one JSON line per series:
 * `{"series_id","t","forecast","lower","upper","model","usable","reason"}`. When no model beats the
 * baselines, the forecast is last value (what the scaler then does) and `usable` is false.
 * Exit codes: 0 done, 2 bad arguments or bad input (the message says which line and why), 1 anything else.
 */
import { readFileSync } from 'node:fs';
import { ForecastInputError } from '../forecast/errors';
import type { LongSeries } from '../forecast/long-csv';
import { parseLongCsv, toRegularSeries } from '../forecast/long-csv';
import { CsvError } from '../util/csv';
import { MAX_FORECAST_STEPS, forecastFrom } from '../forecast/predict';
import { detectPeriodInSamples, trainModel } from '../forecast/train';
import type { TrainingOptions } from '../forecast/types';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  PROCESS_IO,
  UsageError,
  parseFlags,
  runAsProcess,
  unexpected,
  wantsHelp,
} from './args';

export const FORECAST_USAGE =
  'usage: npm run forecast -- --input LONG.csv --horizon STEPS [--season STEPS] [--quantile 0.9] [--json]';
/** The samples before the forecast origin handed to forecastFrom (a model keeps its own memory too). */
const RECENT_SAMPLES = 500;

export interface ForecastCliOptions {
  input: string;
  horizon: number;
  season: number | undefined;
  quantile: number;
  json: boolean;
}

/** One output line. */
export interface SeriesForecast {
  series_id: string;
  /** Time of each forecast step: ISO-8601 when the input had timestamps, else the integer step. */
  t: Array<string | number>;
  forecast: number[];
  lower: number[];
  upper: number[];
  model: string;
  usable: boolean;
  reason: string;
}

export function parseCliArguments(argv: string[]): ForecastCliOptions {
  const values = parseFlags(
    argv,
    {
      input: { type: 'string' },
      horizon: { type: 'string' },
      season: { type: 'string' },
      quantile: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    FORECAST_USAGE,
  );
  if (values.input === undefined) throw new UsageError(`--input is required\n${FORECAST_USAGE}`);
  if (values.horizon === undefined) throw new UsageError(`--horizon is required\n${FORECAST_USAGE}`);
  const horizon = positiveInteger('--horizon', values.horizon);
  if (horizon > MAX_FORECAST_STEPS) {
    throw new UsageError(`--horizon must be at most ${MAX_FORECAST_STEPS} steps, got ${horizon}`);
  }
  const quantile = values.quantile === undefined ? 0.9 : Number(values.quantile);
  if (!(quantile >= 0.5 && quantile < 1)) {
    throw new UsageError(
      `--quantile must be at least 0.5 and below 1, got ${JSON.stringify(values.quantile)}`,
    );
  }
  return {
    input: values.input,
    horizon,
    season: values.season === undefined ? undefined : positiveInteger('--season', values.season),
    quantile,
    json: values.json === true,
  };
}

/**
 * Trains and forecasts one series. Integer-step series have no calendar: their season is `--season`, or
 * the dominant period found by autocorrelation, and they are learned at their own resolution.
 */
export function forecastSeries(series: LongSeries, options: ForecastCliOptions): SeriesForecast {
  const regular = toRegularSeries(series);
  const h = options.horizon;
  const leadSteps = [...new Set([Math.ceil(h / 3), Math.ceil((2 * h) / 3), h])];
  let seasonalPeriodsMs: number[] | undefined;
  if (options.season !== undefined) {
    seasonalPeriodsMs = [options.season * regular.stepMs];
  } else if (series.timeKind === 'step') {
    const period = detectPeriodInSamples(regular.values);
    seasonalPeriodsMs = period === undefined ? [] : [period * regular.stepMs];
  }
  const training: TrainingOptions = {
    seasonality: 'auto',
    leadTimesMs: leadSteps.map((s) => s * regular.stepMs),
    horizonMs: h * regular.stepMs,
    quantile: options.quantile,
    anomalyThreshold: 3.5,
    ...(seasonalPeriodsMs === undefined ? {} : { seasonalPeriodsMs }),
    ...(series.timeKind === 'step' ? { modelStepMs: regular.stepMs, timeUnit: 'step' as const } : {}),
  };
  const lastMs = regular.startMs + (regular.values.length - 1) * regular.stepMs;
  let model;
  try {
    model = trainModel(regular, training, lastMs);
  } catch (error) {
    if (error instanceof ForecastInputError) {
      throw new UsageError(`series ${JSON.stringify(series.id)}: ${error.message}`);
    }
    throw error;
  }
  const tail = Math.max(0, regular.values.length - RECENT_SAMPLES);
  const result = forecastFrom(
    model,
    {
      startMs: regular.startMs + tail * regular.stepMs,
      stepMs: regular.stepMs,
      values: regular.values.slice(tail),
    },
    h,
  );
  const t = result.mean.map((_, i) => {
    const ms = result.fromMs + i * result.stepMs;
    return series.timeKind === 'iso' ? new Date(ms).toISOString() : ms;
  });
  return {
    series_id: series.id,
    t,
    forecast: result.mean,
    lower: result.lower,
    upper: result.upper,
    model: model.method,
    usable: model.usable,
    reason: model.reason,
  };
}

/** Runs the command; returns the exit code. */
export function main(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  if (wantsHelp(argv)) {
    out(FORECAST_USAGE);
    return EXIT_OK;
  }
  try {
    const options = parseCliArguments(argv);
    let text: string;
    try {
      text = readFileSync(options.input, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --input ${options.input}: ${(error as Error).message}`);
    }
    for (const series of parseLongCsv(text)) {
      const forecast = forecastSeries(series, options);
      if (options.json) {
        out(JSON.stringify(forecast));
      } else {
        out(`${forecast.series_id}\t${forecast.model}${forecast.usable ? '' : ' (live only)'}`);
        forecast.forecast.forEach((f, i) => {
          out(
            `  ${String(forecast.t[i])}\t${f.toFixed(3)}\t[${(forecast.lower[i] as number).toFixed(3)}, ${(forecast.upper[i] as number).toFixed(3)}]`,
          );
        });
      }
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CsvError) {
      err(`forecast: ${error.message}`);
      return EXIT_USAGE;
    }
    err(unexpected('forecast', error));
    return EXIT_FAILURE;
  }
}

function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a positive integer number of steps, got ${JSON.stringify(raw)}`);
  }
  return value;
}

if (require.main === module) {
  runAsProcess('forecast', () => main(process.argv.slice(2), PROCESS_IO.out, PROCESS_IO.err));
}
