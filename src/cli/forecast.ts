/**
 * `npm run forecast -- --input LONG.csv --horizon STEPS [--season STEPS] [--quantile Q] [--json]`
 *
 * Forecasts every series of a long-format CSV (`series_id,t,value`) with the same training and selection
 * code the scaler uses, in one process. A model has two bands, each chosen on its own backtest: the
 * scaling band (what the scaler's decision uses, backtested at its lead times) answers the first steps,
 * the long-horizon band answers the rest of `--horizon`, with bands calibrated out to it. Where no model
 * beats the baselines, each band answers with a baseline: days ahead on a seasonal series a seasonal
 * one, never last value. The help text
 * (`FORECAST_HELP`) lists the output fields and exit codes.
 */
import { readFileSync } from 'node:fs';
import { ForecastInputError } from '../forecast/errors';
import type { LongSeries } from '../forecast/long-csv';
import { parseLongCsv, toRegularSeries } from '../forecast/long-csv';
import { MAX_LONG_FORECAST_STEPS, forecastAhead } from '../forecast/predict';
import { detectPeriodInSamples, trainModel } from '../forecast/train';
import type { RegularSeries, TrainedModel, TrainingOptions } from '../forecast/types';
import { leadScoreView, type LeadScoreView } from '../capacity/model-info';
import { CsvError } from '../util/csv';
import type { TimeUnit } from '../util/duration';
import { HOUR_MS, MINUTE_MS, formatDuration } from '../util/duration';
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

export const FORECAST_HELP = `${FORECAST_USAGE}

Trains the scaler's models on every series of a long-format CSV and forecasts each one --horizon steps
past its last row, with a lower and an upper bound.

Flags:
  --input FILE     CSV with the columns series_id,t,value (any order, other columns ignored). t is an
                   ISO-8601 timestamp (no zone = UTC) or an integer step; rows of a series in increasing t;
                   an empty value is a missing sample.
  --horizon STEPS  how many steps (rows of the series' own spacing) to forecast, 1 to ${MAX_LONG_FORECAST_STEPS}.
  --season STEPS   the seasonal period in steps. Default: a day and a week for timestamped series, the
                   dominant autocorrelation period for integer-step series.
  --quantile Q     quantile of the upper bound, at least 0.5 and below 1 (default 0.9); the lower bound
                   is the 1 - Q quantile.
  --json           one JSON object per series and line instead of text.
  --help, -h       this text.

Each forecast comes from two bands, each chosen on its own backtest:
  scaling  what the scaler's decision uses: backtested at 15m and 1h ahead (at least one step each;
           1 step for integer-step series), it answers the steps up to the longest of those.
  long     a daily and weekly profile backtested out to --horizon: it answers every later step.
Where no model beats the baselines, each band answers with a baseline: the scaling band with the best
one at its leads (often last value), the long band with same time yesterday or last week unless a
profile beat them clearly; last value days ahead only for a series with no season.

Output without --json, per series: the model, then each band with its backtest per lead and its
reason, then one line per step: t, forecast, [lower, upper].

Output with --json, one line per series:
  series_id  the series
  t          time of each step: ISO-8601, or the integer step of the input
  forecast   point forecast per step; lower and upper: its bounds
  model      method of the band answering most of the horizon
  usable     whether the scaling band beat the baselines (false: the scaler runs that trigger live-only)
  reason     why the scaling band is or is not usable
  bands      scaling and long: model, reason, steps (first and last step answered, null for none),
             scores (backtest MASE, sMAPE in %, pinball loss and coverage of the upper bound per lead),
             and for the long band calibratedThrough (its bounds are held past that lead)
Leads read in the series' own unit: 15m, 1d, or 6 steps.

Exit codes: 0 done (or this help); 2 a bad flag or bad input, with the line and the reason;
1 anything unexpected.`;

/** The samples before the forecast origin handed to the forecast (a model keeps its own memory too). */
const RECENT_SAMPLES = 500;
/** Leads the scaler's decision looks ahead by: what the scaling band of a timestamped series is backtested at. */
const SCALING_LEADS_MS = [15 * MINUTE_MS, HOUR_MS];

export interface ForecastCliOptions {
  input: string;
  horizon: number;
  season: number | undefined;
  quantile: number;
  json: boolean;
}

/** One band of a model as the output reports it. */
export interface BandReport {
  model: string;
  reason: string;
  /** First and last step (1-based) of the forecast this band answered; null when it answered none. */
  steps: { from: number; to: number } | null;
  scores: LeadScoreView[];
}

/** One output line. */
export interface SeriesForecast {
  series_id: string;
  /** Time of each forecast step: ISO-8601 when the input had timestamps, else the integer step. */
  t: Array<string | number>;
  forecast: number[];
  lower: number[];
  upper: number[];
  /** Method of the band that answered most of the steps. */
  model: string;
  /** Whether the scaling band beat the baselines: false means the scaler runs the trigger live-only. */
  usable: boolean;
  /** Why the scaling band is or is not usable. */
  reason: string;
  bands: {
    scaling: BandReport;
    long: BandReport & {
      /**
       * Longest lead whose bounds rest on the band's own backtest residuals (longer leads hold them);
       * null when the history was too short to calibrate any.
       */
      calibratedThrough: string | null;
    };
  };
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
  if (horizon > MAX_LONG_FORECAST_STEPS) {
    throw new UsageError(`--horizon must be at most ${MAX_LONG_FORECAST_STEPS} steps, got ${horizon}`);
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
 * The scaling band's lead times in steps of the series: 15 minutes and an hour for timestamped series
 * (at least one step each, so a series sampled hourly or coarser gets 1 step), 1 step without a clock.
 */
export function scalingLeadSteps(timeKind: LongSeries['timeKind'], stepMs: number): number[] {
  if (timeKind === 'step') return [1];
  return [...new Set(SCALING_LEADS_MS.map((ms) => Math.max(1, Math.round(ms / stepMs))))];
}

/**
 * Trains and forecasts one series. Integer-step series have no calendar: their season is `--season`, or
 * the dominant period found by autocorrelation, and they are learned at their own resolution.
 */
export function forecastSeries(series: LongSeries, options: ForecastCliOptions): SeriesForecast {
  const regular = toRegularSeries(series);
  const timeUnit: TimeUnit = series.timeKind === 'step' ? 'step' : 'ms';
  // Integer-step series are learned on the row index, so every length the model reports (leads,
  // seasons, horizons) counts rows as --horizon and --season do, whatever the spacing of t.
  const history: RegularSeries =
    timeUnit === 'step' ? { startMs: 0, stepMs: 1, values: regular.values } : regular;
  const step = history.stepMs;
  const h = options.horizon;
  const leadsMs = scalingLeadSteps(series.timeKind, step).map((s) => s * step);
  let seasonalPeriodsMs: number[] | undefined;
  if (options.season !== undefined) {
    seasonalPeriodsMs = [options.season * step];
  } else if (timeUnit === 'step') {
    const period = detectPeriodInSamples(history.values);
    seasonalPeriodsMs = period === undefined ? [] : [period * step];
  }
  const training: TrainingOptions = {
    seasonality: 'auto',
    leadTimesMs: leadsMs,
    horizonMs: Math.max(...leadsMs),
    longHorizonMs: h * step,
    quantile: options.quantile,
    anomalyThreshold: 3.5,
    ...(seasonalPeriodsMs === undefined ? {} : { seasonalPeriodsMs }),
    ...(timeUnit === 'step' ? { modelStepMs: step, timeUnit } : {}),
  };
  const lastMs = history.startMs + (history.values.length - 1) * step;
  let model: TrainedModel;
  try {
    model = trainModel(history, training, lastMs);
  } catch (error) {
    if (error instanceof ForecastInputError) {
      throw new UsageError(`series ${JSON.stringify(series.id)}: ${error.message}`);
    }
    throw error;
  }
  const tail = Math.max(0, history.values.length - RECENT_SAMPLES);
  const result = forecastAhead(
    model,
    { startMs: history.startMs + tail * step, stepMs: step, values: history.values.slice(tail) },
    h,
  );
  const t = result.mean.map((_, i) => {
    const at = result.fromMs + i * result.stepMs;
    return timeUnit === 'ms' ? new Date(at).toISOString() : regular.startMs + at * regular.stepMs;
  });
  const shortSteps = result.shortSteps;
  const scaling: BandReport = {
    model: model.method,
    reason: model.reason,
    steps: shortSteps > 0 ? { from: 1, to: shortSteps } : null,
    scores: model.scores.filter((s) => s.method === model.method).map((s) => leadScoreView(s, timeUnit)),
  };
  const summary = model.longHorizon;
  const long = {
    model: summary.method,
    reason: summary.reason,
    steps: shortSteps < h ? { from: shortSteps + 1, to: h } : null,
    scores: summary.scores.map((s) => leadScoreView(s, timeUnit)),
    calibratedThrough:
      summary.calibratedHorizonMs > 0 ? formatDuration(summary.calibratedHorizonMs, timeUnit) : null,
  };
  return {
    series_id: series.id,
    t,
    forecast: result.mean,
    lower: result.lower,
    upper: result.upper,
    model: h - shortSteps > shortSteps ? long.model : scaling.model,
    usable: model.usable,
    reason: model.reason,
    bands: { scaling, long },
  };
}

/** The text form of one series: the model, each band with its backtest, then one line per step. */
export function formatSeriesText(forecast: SeriesForecast): string[] {
  const lines = [`${forecast.series_id}\t${forecast.model}`];
  const { scaling, long } = forecast.bands;
  lines.push(
    ...describeBand(
      'scaling band',
      scaling,
      forecast.usable ? 'the scaler uses it' : 'live only: the scaler does not use it',
    ),
    ...describeBand(
      'long band',
      long,
      long.calibratedThrough === null
        ? 'bounds not calibrated: too little history'
        : `bounds calibrated through ${long.calibratedThrough}`,
    ),
  );
  forecast.forecast.forEach((f, i) => {
    lines.push(
      `  ${String(forecast.t[i])}\t${f.toFixed(3)}\t[${(forecast.lower[i] as number).toFixed(3)}, ${(forecast.upper[i] as number).toFixed(3)}]`,
    );
  });
  return lines;
}

function describeBand(title: string, band: BandReport, note: string): string[] {
  const steps =
    band.steps === null
      ? 'no step of this horizon'
      : band.steps.from === band.steps.to
        ? `step ${band.steps.from}`
        : `steps ${band.steps.from}-${band.steps.to}`;
  const lines = [`  ${title}: ${band.model} (${note}), answers ${steps}`];
  const width = Math.max(0, ...band.scores.map((s) => s.lead.length));
  for (const s of band.scores) {
    lines.push(
      `    lead ${s.lead.padEnd(width)}  MASE ${fixed(s.mase, 3)}  sMAPE ${percent(s.smape, 1)}  ` +
        `pinball ${fixed(s.pinball, 3)}  coverage ${percent(s.coverage === null ? null : 100 * s.coverage, 0)}`,
    );
  }
  if (band.scores.length === 0) lines.push('    no backtest scores');
  lines.push(`    ${band.reason}`);
  return lines;
}

/** A figure the backtest could not measure (no origin reached that lead) reads `-`. */
function fixed(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}

function percent(value: number | null, digits: number): string {
  return value === null ? '-' : `${value.toFixed(digits)}%`;
}

/** Runs the command; returns the exit code. */
export function main(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  if (wantsHelp(argv)) {
    out(FORECAST_HELP);
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
      if (options.json) out(JSON.stringify(forecast));
      else for (const line of formatSeriesText(forecast)) out(line);
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
