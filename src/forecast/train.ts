import { isMissing } from '../anomaly/robust-stats';
import { filterAnomalies } from '../anomaly/filter';
import type { BacktestSetup, CandidateResult } from './backtest';
import { backtestCandidate, holdoutQuantiles, scorePredictions } from './backtest';
import { combinationForecaster, combineInto } from './forecasters/combination';
import type { FitSpec, ModelSeries } from './forecasters/forecaster';
import { lastValueForecaster } from './forecasters/last-value';
import { candidateForecasters, forecasterFor } from './forecasters/registry';
import { quantilesByLead, residualsByLead, withinBlockSpread } from './intervals';
import { maseScale } from './metrics';
import type { ModelState } from './model-state';
import { MODEL_FORMAT_VERSION, encodeGaps } from './model-state';
import type { ModelGrid } from './resample';
import { aggregateToBlocks, chooseAggregation } from './resample';
import { DAY_MS, WEEK_MS, detectDominantPeriod, detectSeasonality } from './seasonality';
import { formatDuration } from '../util/duration';
import { LAST_VALUE, isBaseline, selectModel } from './select';
import type { Transform } from './transform';
import { chooseTransform, toModelScale } from './transform';
import type { TrendLabel } from './trend';
import { trendLabel } from './trend';
import type { BacktestScore, RegularSeries, TrainedModel, TrainingOptions } from './types';
import { assertRegularSeries, assertTrainingOptions } from './validate';
import type { LongHorizonTraining } from './long-horizon/train-long-horizon';
import { trainLongHorizon } from './long-horizon/train-long-horizon';

/** Fewest blocks worth aggregating for; shorter histories are learned at their own resolution. */
const MIN_BLOCKS_TO_AGGREGATE = 64;
/** Holdout share of the window, and the fewest blocks a fold must keep to fit on. */
const HOLDOUT_SHARE = 0.25;
const MIN_FOLD_BLOCKS = 24;
/** Trailing blocks kept for smoothing features (the longest trailing window of the anchored model). */
const MIN_MEMORY_BLOCKS = 48;

/** Everything decided before any model is fitted; shared by training and the fit-time benchmark. */
export interface PreparedTraining {
  grid: ModelGrid;
  /** Blocks as observed. */
  observed: Float64Array;
  /** Blocks with anomalies replaced: what the models learn from. */
  filtered: Float64Array;
  anomaliesFlagged: number;
  spec: FitSpec;
  /** Lead times of the options, in blocks. */
  leadBlocks: number[];
  nonNegative: boolean;
  positive: boolean;
  trend: TrendLabel;
  seasonalityConfidence: Record<string, number>;
}

/** Per-candidate diagnostics of one training run. */
export interface TrainingDiagnostics {
  candidates: Array<{ method: string; fitMs: number; meanMase: number; failure?: string }>;
  /** Time to carry the shipped model's state through the holdout (it is not refitted). */
  finalFitMs: number;
  totalMs: number;
}

/**
 * Aggregates to the model resolution, resolves the seasonal periods, filters anomalies and fixes the
 * structure every candidate will share.
 */
export function prepareTraining(history: RegularSeries, options: TrainingOptions): PreparedTraining {
  assertRegularSeries(history, 'history', { requireData: true });
  assertTrainingOptions(options);
  let aggregation = chooseAggregation(history.stepMs, options.modelStepMs);
  if (options.modelStepMs === undefined && history.values.length < MIN_BLOCKS_TO_AGGREGATE * aggregation) {
    aggregation = 1;
  }
  let { values: observed, grid } = aggregateToBlocks(history, aggregation);
  if (!observed.some((v) => !isMissing(v))) {
    // Every observation sat in the samples dropped to align blocks: learn at the input resolution.
    ({ values: observed, grid } = aggregateToBlocks(history, 1));
  }
  let min = Infinity;
  for (const v of observed) if (v < min) min = v;
  const nonNegative = min >= 0;
  const positive = min > 0;
  const transform: Transform = chooseTransform(observed, nonNegative);
  const { periods, periodsMs, confidence } = resolveSeasonality(observed, grid.blockMs, options);
  const filter = filterAnomalies(observed, {
    threshold: options.anomalyThreshold,
    ...(periods.length > 0 ? { period: periods[0] as number } : {}),
    nonNegative,
  });
  const leadBlocks = options.leadTimesMs.map((ms) => Math.max(1, Math.round(ms / grid.blockMs)));
  const maxLead = Math.max(1, Math.ceil(options.horizonMs / grid.blockMs - 1e-9), ...leadBlocks);
  return {
    grid,
    observed,
    filtered: filter.values,
    anomaliesFlagged: filter.count,
    spec: { periods, periodsMs, maxLead, keyLeads: leadBlocks, transform, fullLength: observed.length },
    leadBlocks,
    nonNegative,
    positive,
    trend: trendLabel(filter.values, periods[0]),
    seasonalityConfidence: confidence,
  };
}

/**
 * Learns a forecasting model from `history`: aggregation to the model resolution, seasonality detection,
 * anomaly filtering, a rolling-origin backtest of every candidate at the scaling lead times, selection
 * by MASE, the contract's "beat the baselines" gate, and prediction intervals calibrated on the backtest
 * residuals. The winner ships as backtested (fitted on the fold), its running state carried to the end
 * of the window. Pure and deterministic.
 */
export function trainModel(history: RegularSeries, options: TrainingOptions, nowMs: number): TrainedModel {
  return trainModelWithDiagnostics(history, options, nowMs).model;
}

/** Knobs for benchmarks and experiments; the scaler never sets them. */
export interface TrainingOverrides {
  /** Only these candidates (plus last value, always) take part in the selection. */
  methods?: string[];
  /** Ship the best candidate even when it fails the gate (still marked unusable). */
  ignoreGate?: boolean;
  /** Ship this candidate whatever the selection says (benchmarks timing one method's forecast). */
  ship?: string;
}

/**
 * The backtest a model was selected on: its setup and every candidate's holdout forecasts (failed ones
 * included, with their failure). Tools that compare the candidates by other measures read it rather than
 * run a second backtest that could drift from the one that chose the model.
 */
export interface TrainingBacktest {
  setup: BacktestSetup;
  results: CandidateResult[];
}

/**
 * `trainModel`, also returning how long each candidate took and how it scored, and the backtest itself
 * (absent when the history was too short to hold any of it out).
 */
export function trainModelWithDiagnostics(
  history: RegularSeries,
  options: TrainingOptions,
  nowMs: number,
  overrides: TrainingOverrides = {},
): { model: TrainedModel; diagnostics: TrainingDiagnostics; backtest?: TrainingBacktest } {
  const started = performance.now();
  const prepared = prepareTraining(history, options);
  const { grid, observed, filtered, spec, leadBlocks } = prepared;
  const n = observed.length;
  const base = {
    formatVersion: MODEL_FORMAT_VERSION,
    trainedAtMs: nowMs,
    window: { fromMs: history.startMs, toMs: grid.trainingEndMs },
    stepMs: history.stepMs,
    quantile: options.quantile,
    seasonalPeriods: spec.periodsMs,
    trend: prepared.trend,
    anomaliesFlagged: prepared.anomaliesFlagged,
    seasonalityConfidence: prepared.seasonalityConfidence,
  };
  const holdout = holdoutLength(n, spec.maxLead);
  if (holdout === 0) {
    const long = trainLongHorizon(prepared, history, options);
    const state = lastValueState(prepared, options.quantile, long);
    const model: TrainedModel = {
      ...base,
      method: LAST_VALUE,
      usable: false,
      reason:
        `too little history to backtest: ${n} blocks of ${formatDuration(grid.blockMs, options.timeUnit)}, ` +
        `need at least ${MIN_FOLD_BLOCKS + spec.maxLead + 6}`,
      scores: [],
      longHorizon: long.summary,
      state,
    };
    return { model, diagnostics: { candidates: [], finalFitMs: 0, totalMs: performance.now() - started } };
  }

  const foldEnd = n - holdout;
  const dayBlocks = Math.round(DAY_MS / grid.blockMs);
  const weekBlocks = Math.round(WEEK_MS / grid.blockMs);
  const scaleLag =
    foldEnd > dayBlocks
      ? dayBlocks
      : spec.periods[0] !== undefined && foldEnd > spec.periods[0]
        ? spec.periods[0]
        : 1;
  const setup: BacktestSetup = {
    filtered,
    observed,
    blockMs: grid.blockMs,
    originMs: grid.originMs,
    foldEnd,
    spec,
    leadBlocks,
    scale: maseScale(filtered.subarray(0, foldEnd), scaleLag),
    quantile: options.quantile,
  };
  const candidates = candidateForecasters({
    periods: spec.periods,
    dayBlocks,
    weekBlocks,
    foldLength: foldEnd,
    positive: prepared.positive,
  }).filter(
    (c) => c.name === LAST_VALUE || overrides.methods === undefined || overrides.methods.includes(c.name),
  );
  const results = candidates.map((forecaster) => backtestCandidate(forecaster, setup));
  const combination = combinationCandidate(results, setup);
  if (
    combination !== undefined &&
    (overrides.methods === undefined || overrides.methods.includes(combination.name))
  ) {
    results.push(combination);
  }
  const leadLabels = options.leadTimesMs.map((ms) => formatDuration(ms, options.timeUnit));
  const selection = selectModel(results, leadLabels);
  const forced = results.find((r) => r.name === overrides.ship && r.failure === undefined);
  const shipped: CandidateResult =
    forced ?? (selection.usable || overrides.ignoreGate === true ? selection.best : bestBaseline(results));

  // What ships is what was backtested: the parameters fitted on the fold, with running state carried
  // through the rest of the window. No second fit: it would double the cost for a model nobody scored.
  const fitStarted = performance.now();
  const full: ModelSeries = {
    values: filtered,
    firstBlock: 0,
    blockMs: grid.blockMs,
    originMs: grid.originMs,
  };
  const advance = shipped.forecaster.advance;
  const params = advance === undefined ? shipped.params : advance(shipped.params, full);
  const usable = selection.usable;
  const reason = selection.usable
    ? selection.reason
    : `live only: ${selection.reason}; forecasts beyond the scaler answer with ${shipped.name} up to ${leadLabels[leadLabels.length - 1] ?? 'the scaling lead'}, the long-horizon band after`;
  const finalFitMs = performance.now() - fitStarted;

  const scores: BacktestScore[] = [];
  for (const r of results) {
    if (r.failure !== undefined) continue;
    r.scores.forEach((s, i) => {
      scores.push({ method: r.name, leadMs: options.leadTimesMs[i] as number, ...s });
    });
  }
  const longestPeriod = Math.max(
    0,
    ...spec.periods,
    shipped.name.startsWith('seasonal-naive') ? dayBlocks : 0,
  );
  const intervals = holdoutQuantiles(shipped, setup);
  const scale = shipped.forecaster.intervalScale === 'transform' ? spec.transform : undefined;
  const spread = withinBlockSpread(history.values, grid.aggregation, options.quantile, (v) =>
    scale === undefined ? v : toModelScale(scale, v),
  );
  if (spread !== undefined) intervals.withinBlock = spread;
  const long = trainLongHorizon(prepared, history, options);
  const state = buildState(
    prepared,
    params,
    intervals,
    Math.max(MIN_MEMORY_BLOCKS, longestPeriod + 1, long.memoryBlocks),
    long.state,
  );
  const model: TrainedModel = {
    ...base,
    method: shipped.name,
    usable,
    reason,
    scores,
    longHorizon: long.summary,
    state,
  };
  return {
    model,
    backtest: { setup, results },
    diagnostics: {
      candidates: results.map((r) => ({
        method: r.name,
        fitMs: r.fitMs,
        meanMase: r.meanMase,
        ...(r.failure !== undefined ? { failure: r.failure } : {}),
      })),
      finalFitMs,
      totalMs: performance.now() - started,
    },
  };
}

/**
 * The anchored model combined with the best of the other learned models (Holt-Winters, Fourier), scored
 * on the holdout from the members' own backtest forecasts (no extra fit).
 */
function combinationCandidate(results: CandidateResult[], setup: BacktestSetup): CandidateResult | undefined {
  const valid = results.filter(
    (r) => r.failure === undefined && Number.isFinite(r.meanMase) && !isBaseline(r.name),
  );
  const anchored = valid.find((r) => r.name === 'anchored-seasonal');
  const others = valid.filter((r) => r !== anchored).sort((a, b) => a.meanMase - b.meanMase);
  const partner = others[0];
  if (anchored === undefined || partner === undefined) return undefined;
  const predictions = new Float64Array(anchored.predictions.length);
  combineInto(setup.spec.transform, [anchored.predictions, partner.predictions], predictions);
  const forecaster = combinationForecaster([anchored.name, partner.name], forecasterFor);
  const params = {
    transform: setup.spec.transform,
    members: [anchored, partner].map((r) => ({ method: r.name, params: r.params })),
  };
  return scorePredictions(forecaster, params, predictions, setup, anchored.fitMs + partner.fitMs);
}

/** Blocks held out for the backtest; 0 when the window is too short to hold any out. */
export function holdoutLength(blocks: number, maxLead: number): number {
  const wanted = Math.max(Math.round(HOLDOUT_SHARE * blocks), maxLead + 12);
  const holdout = Math.min(wanted, Math.floor(blocks / 2));
  if (blocks - holdout < MIN_FOLD_BLOCKS || holdout < maxLead + 6) return 0;
  return holdout;
}

function resolveSeasonality(
  observed: Float64Array,
  blockMs: number,
  options: TrainingOptions,
): { periods: number[]; periodsMs: number[]; confidence: Record<string, number> } {
  const confidence: Record<string, number> = {};
  let requested: number[];
  if (options.seasonalPeriodsMs !== undefined) {
    requested = [...options.seasonalPeriodsMs];
  } else if (options.seasonality === 'auto') {
    requested = [];
    for (const test of detectSeasonality(observed, blockMs)) {
      confidence[String(test.periodMs)] = test.confidence;
      if (test.detected) requested.push(test.periodMs);
    }
    // A job that runs every 65 minutes repeats, but not at the same time each day. The series' own
    // dominant period under a day is learned as well when it repeats more faithfully than every calendar
    // cycle found (22 such jobs a day also make a daily cycle, a blurred one), or when there is none; the
    // backtest still decides whether a model that uses it is any good.
    const calendarConfidence = Math.max(0, ...requested.map((ms) => confidence[String(ms)] ?? 0));
    const dominant = detectDominantPeriod(observed, { maxLag: Math.floor(DAY_MS / blockMs) - 1 });
    if (dominant?.detected === true && dominant.confidence > calendarConfidence) {
      const periodMs = dominant.period * blockMs;
      confidence[String(periodMs)] = dominant.confidence;
      requested.push(periodMs);
    }
  } else {
    requested = {
      none: [],
      daily: [DAY_MS],
      weekly: [WEEK_MS],
      'daily,weekly': [DAY_MS, WEEK_MS],
    }[options.seasonality];
  }
  // Fewer than two cycles cannot tell a season from a one-off: such a period is dropped.
  const kept = [...new Set(requested)]
    .map((ms) => ({ ms, blocks: Math.round(ms / blockMs) }))
    .filter((p) => p.blocks >= 2 && observed.length >= 2 * p.blocks)
    .sort((a, b) => a.blocks - b.blocks);
  return { periods: kept.map((p) => p.blocks), periodsMs: kept.map((p) => p.ms), confidence };
}

/**
 * The dominant period of a series with no calendar, for callers (the forecast CLI with integer steps)
 * that want `seasonality: auto` without days and weeks. Returns the period in samples, if any.
 */
export function detectPeriodInSamples(values: ArrayLike<number>): number | undefined {
  const test = detectDominantPeriod(values);
  return test?.detected === true ? test.period : undefined;
}

function buildState(
  prepared: PreparedTraining,
  params: unknown,
  intervals: ModelState['intervals'],
  memoryBlocks: number,
  long: ModelState['long'],
): ModelState {
  const { grid, filtered } = prepared;
  const length = Math.min(filtered.length, memoryBlocks);
  return {
    grid,
    memoryFirstBlock: filtered.length - length,
    memory: encodeGaps(filtered.subarray(filtered.length - length)),
    nonNegative: prepared.nonNegative,
    transform: prepared.spec.transform,
    maxLead: prepared.spec.maxLead,
    intervals,
    params,
    long,
  };
}

/** Last value with bands from the in-sample lead-h changes, for windows too short to backtest. */
function lastValueState(prepared: PreparedTraining, quantile: number, long: LongHorizonTraining): ModelState {
  const { observed, spec } = prepared;
  const n = observed.length;
  const predictions = new Float64Array(n * spec.maxLead);
  lastValueForecaster.predict(
    {},
    { values: observed, firstBlock: 0, blockMs: 1, originMs: 0 },
    0,
    n,
    spec.maxLead,
    predictions,
  );
  const quantiles = quantilesByLead(
    residualsByLead(predictions, observed, 0, spec.maxLead, (v) => v),
    quantile,
    'identity',
  );
  return buildState(prepared, {}, quantiles, Math.max(MIN_MEMORY_BLOCKS, long.memoryBlocks), long.state);
}

/**
 * The best baseline on the scaling band's backtest: what a model that did not beat the baselines answers
 * with over the scaling leads outside the scaler (the first hour of a capacity window). At those leads
 * last value is a baseline like the others, and often the best (it is what the scaler does live-only);
 * days ahead the long-horizon band answers, and there a seasonal series gets a seasonal baseline.
 */
function bestBaseline(results: CandidateResult[]): CandidateResult {
  const baselines = results.filter(
    (r) => r.failure === undefined && isBaseline(r.name) && Number.isFinite(r.meanMase),
  );
  let best = results.find((r) => r.name === LAST_VALUE) as CandidateResult;
  if (baselines.length > 0) best = baselines.reduce((a, b) => (b.meanMase < a.meanMase ? b : a));
  return best;
}
