/**
 * Forecast accuracy and fit time on real traces. Run alone with `npx tsx bench/forecast.bench.ts
 * [--json] [--quick] [--traces azure,worldcup]` (`--traces`: only these trace families; the fit-time
 * section runs either way).
 *
 * Accuracy: rolling origin over the second half of each trace, as in ../shared/data/README.md (MASE scaled
 * by the first half's one-day seasonal naive MAE, sMAPE in %), for last value, seasonal naive (1 day),
 * additive Holt-Winters and the model `trainModel` selects (retrained daily on the trailing 14 days and
 * forecasting through `forecastFrom`; when the model is not usable, the scaler runs live only, so last
 * value is what counts). Azure VM CPU: each of the 100 VMs (10 with --quick), averaged over VMs.
 * WorldCup98: requests per 5 minutes (1-minute counts summed, which is how the README's baselines were
 * computed; they reproduce to the third decimal).
 * Long horizons: the same models forecast 1 and 7 days ahead, and over the windows of leads up to 1 day
 * and from 6 to 7 days, through `forecastAhead` (what the capacity windows use, usable for scaling or
 * not), from origins one hour apart, against last value and the day's and week's seasonal naive; same
 * MASE scale.
 * Upper bound: coverage of the model's own q0.9 bound (share of actuals at or below it), its pinball loss
 * and its width above the point forecast, at 15 and 60 minutes (`forecastFrom`, whether or not the
 * model is usable: the bound the scaler would use if it were) and at the long horizons (`forecastAhead`).
 * Non-finite forecasts are counted, and left out of the long-horizon scores.
 * Speed: fit time per model and for the whole trainModel on 14 days of 1-minute WorldCup98 data (20,160
 * points, daily + weekly seasonality), and the cost of one forecastFrom call.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAzureCpu, loadWorldCup, missingFiles, sumBlocks } from './forecast/data';
import { measureFitTimes } from './forecast/fit-time';
import type { LongHorizon, LongMethod, LongScore } from './forecast/long-rolling';
import {
  LONG_METHODS,
  LongRollingEvaluation,
  groupLongMethods,
  summariseLong,
  summariseLongUpper,
} from './forecast/long-rolling';
import type { BenchMethod, RollingOptions, RollingTotals, UpperBoundScore } from './forecast/rolling';
import { BENCH_METHODS, rollingEvaluation, summarise, summariseUpperBound } from './forecast/rolling';
import type { TrainingOptions } from '../src/forecast/types';

export interface ForecastBenchOptions {
  /** Folder holding the traces (../shared/data from the repository root). */
  dataDir: string;
  /** 10 Azure VMs instead of 100, 3 timed runs instead of 7. */
  quick?: boolean;
  /** Trace families to evaluate (default: both); the fit-time section runs either way. */
  traces?: ForecastTrace[];
}

/** The trace families of the accuracy, long-horizon and bound sections. */
export const FORECAST_TRACES = ['azure', 'worldcup'] as const;
export type ForecastTrace = (typeof FORECAST_TRACES)[number];

/**
 * The families a `--traces azure,worldcup` argument names (both when it is absent), so that one family
 * can be measured alone while calibration is tuned.
 */
export function forecastTracesFromArgs(argv: string[]): ForecastTrace[] {
  const at = argv.findIndex((arg) => arg === '--traces' || arg.startsWith('--traces='));
  if (at < 0) return [...FORECAST_TRACES];
  const arg = argv[at] as string;
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[at + 1];
  return parseForecastTraces(value);
}

/** A comma-separated list of trace families; throws, naming the flag, on an empty or unknown one. */
export function parseForecastTraces(value: string | undefined): ForecastTrace[] {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(FORECAST_TRACES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0)
    throw new Error(
      `--traces: ${names.length === 0 ? 'no trace family given' : `unknown ${unknown.join(', ')}`}; one or more of ${FORECAST_TRACES.join(', ')}`,
    );
  return FORECAST_TRACES.filter((name) => names.includes(name));
}

type Scores = Record<BenchMethod, Array<{ mase: number; smape: number }>>;
type LongScores = Record<LongMethod, LongScore[]>;

/** Everything measured on one series. */
interface SeriesResult {
  short: RollingTotals;
  shortScores: Scores;
  longScores: LongScores;
  /** The model's upper bound at the short leads, then at each long horizon. */
  upper: UpperBoundScore[];
  /** The same at 15 and 60 min, only over retrains whose model was usable. */
  upperWhenUsable: UpperBoundScore[];
  /** Mean coverage the models' own long-band backtests reported at each long lead (NaN: none did). */
  reportedLongCoverage: number[];
  longMethods: Record<string, number>;
  /** Points per long horizon left out because the model's forecast there was not finite. */
  longNonFinite: number[];
  /** The long horizons' bound over actuals before and from the split instant, when one was given. */
  longUpperSplit?: { atMs: number; before: UpperBoundScore[]; after: UpperBoundScore[] };
  longMs: number;
}

/** The shared trace folder next to the repository (absent in users' clones). */
const DEFAULT_DATA_DIR = path.resolve(__dirname, '../../shared/data');

const LEADS_MIN = [15, 60];
const FIVE_MINUTES = 5 * 60_000;
const DAY = 288;
/**
 * The long leads, in 5-minute samples: exactly one and seven days ahead, and the windows of leads ending
 * there (what a capacity window over tomorrow, or over the seventh day, reads). At exactly a day or a week
 * the seasonal naive forecasts are the value at the origin, the last value, so the windows also compare
 * them where they differ.
 */
const LONG_HORIZONS: LongHorizon[] = [
  { label: '1d', from: DAY, to: DAY },
  { label: '7d', from: 7 * DAY, to: 7 * DAY },
  { label: '0-1d', from: 1, to: DAY },
  { label: '6-7d', from: 6 * DAY + 1, to: 7 * DAY },
];
const LONG_LABELS = LONG_HORIZONS.map((h) => h.label);
/** Every horizon the upper bound is scored at, short then long. */
const BOUND_HORIZONS = [...LEADS_MIN.map((m) => `${m}m`), ...LONG_LABELS];
/** Long-lead origins one hour apart (in 5-minute samples). */
const LONG_ORIGIN_EVERY = 12;
const QUANTILE = 0.9;
/** The upper bound's coverage counts as calibrated within this band around the quantile. */
const COVERAGE_TARGET = [0.87, 0.93] as const;
/** The end of the day of the 1998 final (12 July): after it the tournament's traffic collapses. */
const WORLD_CUP_FINAL_OVER_MS = Date.UTC(1998, 6, 13);

/** Runs the benchmark and returns one JSON-ready object (or `{ skipped }` when the traces are absent). */
export async function runForecastBench(options: ForecastBenchOptions): Promise<Record<string, unknown>> {
  const missing = missingFiles(options.dataDir);
  if (missing.length > 0) {
    const skipped = `trace data not found in ${options.dataDir} (missing ${missing.join(', ')}); the forecast benchmark needs ../shared/data next to the repository`;
    process.stderr.write(`${skipped}\n`);
    return { skipped };
  }
  const quick = options.quick === true;
  // Checked here too: `npm run bench -- --traces` passes the names through unchecked.
  const traces =
    options.traces === undefined ? [...FORECAST_TRACES] : parseForecastTraces(options.traces.join(','));
  const training: TrainingOptions = {
    seasonality: 'auto',
    leadTimesMs: LEADS_MIN.map((m) => m * 60_000),
    horizonMs: 60 * 60_000,
    quantile: QUANTILE,
    anomalyThreshold: 3.5,
  };
  const leads = LEADS_MIN.map((m) => (m * 60_000) / FIVE_MINUTES);

  const rolling: Omit<RollingOptions, 'startMs'> = {
    stepMs: FIVE_MINUTES,
    leads,
    day: DAY,
    retrainEvery: DAY,
    window: 14 * DAY,
    training,
  };
  const evaluate = (values: Float64Array, startMs: number, splitAtMs?: number): SeriesResult => {
    const long = new LongRollingEvaluation(values, {
      stepMs: FIVE_MINUTES,
      startMs,
      horizons: LONG_HORIZONS,
      day: DAY,
      week: 7 * DAY,
      originEvery: LONG_ORIGIN_EVERY,
      ...(splitAtMs === undefined ? {} : { splitAtMs }),
    });
    let longMs = 0;
    const short = rollingEvaluation(values, {
      ...rolling,
      startMs,
      onRetrain: (model, start, end) => {
        const longStarted = performance.now();
        long.observe(model, start, end);
        longMs += performance.now() - longStarted;
      },
    });
    const reported = long.totals.reportedCoverage;
    return {
      short,
      shortScores: summarise(short, leads),
      longScores: summariseLong(long.totals),
      upper: [...summariseUpperBound(short.upper, short.scale), ...summariseLongUpper(long.totals)],
      upperWhenUsable: summariseUpperBound(short.upperWhenUsable, short.scale),
      reportedLongCoverage: reported.sum.map((sum, i) => sum / (reported.models[i] as number)),
      longMethods: long.totals.longMethods,
      longNonFinite: long.totals.nonFinite,
      ...(long.totals.upperSplit === undefined
        ? {}
        : {
            longUpperSplit: {
              atMs: splitAtMs as number,
              before: summariseUpperBound(long.totals.upperSplit.before, long.totals.scale),
              after: summariseUpperBound(long.totals.upperSplit.after, long.totals.scale),
            },
          }),
      longMs,
    };
  };

  const started = performance.now();
  const azure = traces.includes('azure') ? loadAzureCpu(options.dataDir) : { ids: [], series: [] };
  const vmCount = quick ? Math.min(10, azure.series.length) : azure.series.length;
  const perVm: SeriesResult[] = [];
  const vmIds: string[] = [];
  const azureSelected: Record<string, number> = {};
  const trainMs: number[] = [];
  let longMs = 0;
  for (let i = 0; i < vmCount; i++) {
    const index = Math.floor((i * azure.series.length) / vmCount);
    const result = evaluate(azure.series[index] as Float64Array, 0);
    perVm.push(result);
    vmIds.push(azure.ids[index] as string);
    trainMs.push(...result.short.trainMs);
    longMs += result.longMs;
    addCounts(azureSelected, result.short.selectedMethods);
  }
  const azureScores = averageScores(
    perVm.map((r) => r.shortScores),
    BENCH_METHODS,
    leads.length,
  );
  const azureLong = averageScores(
    perVm.map((r) => r.longScores),
    LONG_METHODS,
    LONG_HORIZONS.length,
  );
  const azureLongMethods: Record<string, number> = {};
  for (const r of perVm) addCounts(azureLongMethods, r.longMethods);

  const worldCup = loadWorldCup(options.dataDir);
  const worldCupResult = traces.includes('worldcup')
    ? evaluate(sumBlocks(worldCup.perMinute, 5), worldCup.startMs, WORLD_CUP_FINAL_OVER_MS)
    : undefined;
  if (worldCupResult !== undefined) {
    trainMs.push(...worldCupResult.short.trainMs);
    longMs += worldCupResult.longMs;
  }
  const hasAzure = vmCount > 0;
  /** A family's entry, left out when the family was not run. */
  const azureEntry = <T>(value: () => T): { azureVmCpu?: T } => (hasAzure ? { azureVmCpu: value() } : {});
  const worldCupEntry = <T>(value: (result: SeriesResult) => T): { worldCup98?: T } =>
    worldCupResult === undefined ? {} : { worldCup98: value(worldCupResult) };
  const accuracySeconds = (performance.now() - started) / 1000;

  const fortnight = 14 * 1440;
  const middle = Math.floor(worldCup.perMinute.length / 2);
  const fitTimes = measureFitTimes(
    {
      startMs: worldCup.startMs + (middle - fortnight) * 60_000,
      stepMs: 60_000,
      values: Array.from(worldCup.perMinute.subarray(middle - fortnight, middle)),
    },
    { ...training, seasonality: 'daily,weekly', horizonMs: 30 * 60_000 },
    quick ? 3 : 7,
  );
  trainMs.sort((a, b) => a - b);
  return {
    machine: machine(),
    command: `npx tsx bench/forecast.bench.ts${quick ? ' --quick' : ''}${
      traces.length < FORECAST_TRACES.length ? ` --traces ${traces.join(',')}` : ''
    } --json`,
    accuracy: {
      leadsMinutes: LEADS_MIN,
      ...azureEntry(() => ({
        vms: vmCount,
        scores: roundScores(azureScores),
        retrains: azureSelected,
      })),
      ...worldCupEntry((result) => ({
        resolution: '5 min (sums of 1-minute counts)',
        scores: roundScores(result.shortScores),
        retrains: result.short.selectedMethods,
      })),
      selectedBeatsAll: {
        ...azureEntry(() => beatsAll(azureScores)),
        ...worldCupEntry((result) => beatsAll(result.shortScores)),
      },
      trainModelMedianMs5MinFortnight: Math.round((trainMs[Math.floor(trainMs.length / 2)] ?? NaN) * 10) / 10,
      seconds: Math.round(accuracySeconds * 10) / 10,
    },
    longHorizon: {
      horizons: Object.fromEntries(
        LONG_HORIZONS.map((h) => [
          h.label,
          h.from === h.to ? `lead ${h.to * 5} min` : `leads ${h.from * 5}–${h.to * 5} min`,
        ]),
      ),
      forecast: 'forecastAhead, usable for scaling or not',
      origins: `every ${(LONG_ORIGIN_EVERY * FIVE_MINUTES) / 60_000} min of the second half (the short leads use every 5 min)`,
      note: 'at exactly 1 day the 1-day seasonal naive is the last value, and at exactly 7 days so are both seasonal naives (the value at the origin)',
      ...azureEntry(() => ({
        vms: vmCount,
        scores: roundLong(azureLong),
        longMethods: azureLongMethods,
        ...groupLongMethods(azureLongMethods),
        modelAtMostBestSeasonalNaive: modelAtMostSeasonalNaive(azureLong),
      })),
      ...worldCupEntry((result) => ({
        scores: roundLong(result.longScores),
        longMethods: result.longMethods,
        ...groupLongMethods(result.longMethods),
        modelAtMostBestSeasonalNaive: modelAtMostSeasonalNaive(result.longScores),
      })),
      seconds: Math.round(longMs / 100) / 10,
    },
    upperBound: {
      quantile: QUANTILE,
      target: COVERAGE_TARGET,
      meaning:
        'coverage: share of actuals at or below the bound (Azure: mean over VMs); pinball (q0.9) and width (bound minus point forecast): in units of the MASE scale; 15m/60m: forecastFrom whether the model is usable or not; longer: forecastAhead',
      ...azureEntry(() => azureBounds(perVm, vmIds)),
      ...worldCupEntry(seriesBounds),
    },
    nonFiniteForecasts: {
      meaning:
        'short: origins whose forecastFrom mean or bound was not finite at some lead of 5–60 min (usableOrigins: of a usable model), and the retrains behind them; long: points left out of every method at that horizon',
      ...azureEntry(() => ({
        ...nonFinite(perVm),
        vms: perVm.flatMap((r, v) => (r.short.nonFinite.origins > 0 ? [vmIds[v] as string] : [])),
      })),
      ...worldCupEntry((result) => nonFinite([result])),
    },
    fitTime: fitTimes,
  };
}

function nonFinite(results: SeriesResult[]): Record<string, unknown> {
  const short = { origins: 0, usableOrigins: 0, retrains: 0 };
  const long = LONG_HORIZONS.map(() => 0);
  for (const r of results) {
    short.origins += r.short.nonFinite.origins;
    short.usableOrigins += r.short.nonFinite.usableOrigins;
    short.retrains += r.short.nonFinite.retrains;
    r.longNonFinite.forEach((count, i) => {
      long[i] = (long[i] as number) + count;
    });
  }
  return { short, long: byHorizon(long, LONG_LABELS) };
}

function averageScores<M extends string>(
  perSeries: Array<Record<M, Array<{ mase: number; smape: number }>>>,
  methods: readonly M[],
  leadCount: number,
): Record<M, Array<{ mase: number; smape: number }>> {
  const out = {} as Record<M, Array<{ mase: number; smape: number }>>;
  for (const method of methods) {
    out[method] = Array.from({ length: leadCount }, (_, i) => {
      let mase = 0;
      let smape = 0;
      for (const scores of perSeries) {
        mase += (scores[method][i] as { mase: number }).mase;
        smape += (scores[method][i] as { smape: number }).smape;
      }
      return { mase: mase / perSeries.length, smape: smape / perSeries.length };
    });
  }
  return out;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

/** Per long horizon: is the model's MASE at most the better seasonal naive's? */
function modelAtMostSeasonalNaive(scores: LongScores): boolean[] {
  return LONG_HORIZONS.map((_, i) => {
    const best = Math.min(
      (scores['seasonal-naive-day'][i] as LongScore).mase,
      (scores['seasonal-naive-week'][i] as LongScore).mase,
    );
    return (scores.model[i] as LongScore).mase <= best;
  });
}

function roundLong(scores: LongScores): Record<string, Record<string, LongScore>> {
  const out: Record<string, Record<string, LongScore>> = {};
  for (const method of LONG_METHODS) {
    const perHorizon: Record<string, LongScore> = {};
    LONG_LABELS.forEach((label, i) => {
      const s = scores[method][i] as LongScore;
      perHorizon[label] = { mase: round(s.mase, 3), smape: round(s.smape, 2) };
    });
    out[method] = perHorizon;
  }
  return out;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

type RoundedBound = { coverage: number; pinball: number; width: number };

function roundBound(score: { coverage: number; pinball: number; width: number }): RoundedBound {
  return {
    coverage: round(score.coverage, 4),
    pinball: round(score.pinball, 4),
    width: round(score.width, 3),
  };
}

function byHorizon<T>(values: T[], horizons: string[]): Record<string, T> {
  return Object.fromEntries(horizons.map((h, i) => [h, values[i] as T]));
}

/** Like `byHorizon`, leaving out horizons without a finite value. */
function finiteByHorizon(values: number[], horizons: string[]): Record<string, number> {
  return Object.fromEntries(
    horizons.flatMap((h, i) => (Number.isFinite(values[i]) ? [[h, values[i] as number]] : [])),
  );
}

function seriesBounds(result: SeriesResult): Record<string, unknown> {
  return {
    ...byHorizon(result.upper.map(roundBound), BOUND_HORIZONS),
    whenUsable: byHorizon(
      result.upperWhenUsable.map((s) => (s.samples === 0 ? null : roundBound(s))),
      BOUND_HORIZONS.slice(0, LEADS_MIN.length),
    ),
    reportedByTraining: finiteByHorizon(
      result.reportedLongCoverage.map((c) => round(c, 4)),
      LONG_LABELS,
    ),
    ...(result.longUpperSplit === undefined
      ? {}
      : {
          longSplit: {
            at: new Date(result.longUpperSplit.atMs).toISOString(),
            before: byHorizon(result.longUpperSplit.before.map(roundSplitBound), LONG_LABELS),
            from: byHorizon(result.longUpperSplit.after.map(roundSplitBound), LONG_LABELS),
          },
        }),
  };
}

function roundSplitBound(score: UpperBoundScore): RoundedBound & { samples: number } {
  return { ...roundBound(score), samples: score.samples };
}

/**
 * Bounds averaged over VMs (every VM has the same origins, so mean coverage is pooled coverage), how
 * many VMs fall below, within and above the target at each horizon, and each VM's coverage.
 */
function azureBounds(perVm: SeriesResult[], ids: string[]): Record<string, unknown> {
  const mean = (pick: (r: SeriesResult) => UpperBoundScore | undefined): RoundedBound | null => {
    const scores = perVm.map(pick).filter((s): s is UpperBoundScore => s !== undefined && s.samples > 0);
    if (scores.length === 0) return null;
    const average = (key: keyof RoundedBound): number =>
      scores.reduce((sum, s) => sum + s[key], 0) / scores.length;
    return roundBound({
      coverage: average('coverage'),
      pinball: average('pinball'),
      width: average('width'),
    });
  };
  const spread = BOUND_HORIZONS.map((_, i) => {
    const coverages = perVm.map((r) => (r.upper[i] as UpperBoundScore).coverage).sort((a, b) => a - b);
    return {
      below: coverages.filter((c) => c < COVERAGE_TARGET[0]).length,
      within: coverages.filter((c) => c >= COVERAGE_TARGET[0] && c <= COVERAGE_TARGET[1]).length,
      above: coverages.filter((c) => c > COVERAGE_TARGET[1]).length,
      min: round(coverages[0] as number, 4),
      median: round(coverages[Math.floor(coverages.length / 2)] as number, 4),
    };
  });
  const reported = LONG_HORIZONS.map((_, i) => {
    const values = perVm.map((r) => r.reportedLongCoverage[i] as number).filter(Number.isFinite);
    return values.length === 0 ? NaN : round(values.reduce((a, b) => a + b, 0) / values.length, 4);
  });
  return {
    ...byHorizon(
      BOUND_HORIZONS.map((_, i) => mean((r) => r.upper[i])),
      BOUND_HORIZONS,
    ),
    whenUsable: byHorizon(
      LEADS_MIN.map((_, i) => mean((r) => r.upperWhenUsable[i])),
      BOUND_HORIZONS.slice(0, LEADS_MIN.length),
    ),
    reportedByTraining: finiteByHorizon(reported, LONG_LABELS),
    vmsByCoverage: byHorizon(spread, BOUND_HORIZONS),
    coverageByVm: Object.fromEntries(
      perVm.map((r, v) => [ids[v] as string, r.upper.map((s) => round(s.coverage, 3))]),
    ),
  };
}

/** Per lead: does the selected model have lower MASE and sMAPE than each of the three baselines? */
function beatsAll(scores: Scores): boolean[] {
  return LEADS_MIN.map((_, i) => {
    const own = scores.selected[i] as { mase: number; smape: number };
    return BENCH_METHODS.filter((m) => m !== 'selected').every((m) => {
      const other = scores[m][i] as { mase: number; smape: number };
      return own.mase < other.mase && own.smape < other.smape;
    });
  });
}

function roundScores(scores: Scores): Record<string, Record<string, { mase: number; smape: number }>> {
  const out: Record<string, Record<string, { mase: number; smape: number }>> = {};
  for (const method of BENCH_METHODS) {
    out[method] = {};
    LEADS_MIN.forEach((lead, i) => {
      const s = scores[method][i] as { mase: number; smape: number };
      (out[method] as Record<string, { mase: number; smape: number }>)[`${lead}m`] = {
        mase: Math.round(s.mase * 1000) / 1000,
        smape: Math.round(s.smape * 100) / 100,
      };
    });
  }
  return out;
}

function machine(): Record<string, unknown> {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) cpu = line.split(':')[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: os.cpus() it is.
  }
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // No coreutils: the runtime's view of the CPU count.
  }
  // Other work on the machine slows the timings; the load average says how much there was.
  return { nproc, node: process.version, cpu, loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 };
}

type ScoreTable = Record<string, Record<string, { mase: number; smape: number }>>;
interface LongFamily {
  scores: ScoreTable;
  kinds: Record<string, number>;
  members: Record<string, number>;
}

function printTable(result: Record<string, unknown>): void {
  const accuracy = result.accuracy as Record<'azureVmCpu' | 'worldCup98', { scores: ScoreTable }>;
  const long = result.longHorizon as {
    origins: string;
    note: string;
  } & Record<'azureVmCpu' | 'worldCup98', LongFamily>;
  const bounds = result.upperBound as Record<string, Record<string, RoundedBound | null>>;
  const families = (
    [
      ['Azure VM CPU', 'azureVmCpu'],
      ['WorldCup98', 'worldCup98'],
    ] as const
  ).filter(([, key]) => key in accuracy);
  const cell = (s: { mase: number; smape: number } | undefined): string =>
    s === undefined ? '' : `${s.smape.toFixed(1)} / ${s.mase.toFixed(3)}`;
  const lines = [
    '| data | lead | last value | seasonal naive (1 day) | additive Holt-Winters | selected |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [label, key] of families) {
    for (const lead of LEADS_MIN) {
      const row = BENCH_METHODS.map((m) => cell(accuracy[key].scores[m]?.[`${lead}m`]));
      lines.push(`| ${label} | ${lead} min | ${row.join(' | ')} |`);
    }
  }
  lines.push(
    '',
    `Long horizons through forecastAhead, origins ${long.origins}; ${long.note}.`,
    '',
    '| data | lead | last value | seasonal naive (1 day) | seasonal naive (1 week) | model |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [label, key] of families) {
    for (const horizon of LONG_LABELS) {
      const row = LONG_METHODS.map((m) => cell(long[key].scores[m]?.[horizon]));
      lines.push(`| ${label} | ${horizon} | ${row.join(' | ')} |`);
    }
  }
  lines.push(
    '',
    `q${QUANTILE} upper bound: coverage % / pinball / width (pinball and width in MASE-scale units)`,
    '',
    `| data | ${BOUND_HORIZONS.join(' | ')} |`,
    `| --- | ${BOUND_HORIZONS.map(() => '---').join(' | ')} |`,
  );
  for (const [label, key] of families) {
    const row = BOUND_HORIZONS.map((h) => {
      const b = bounds[key]?.[h];
      return b === undefined || b === null
        ? ''
        : `${(100 * b.coverage).toFixed(1)} / ${b.pinball.toFixed(3)} / ${b.width.toFixed(2)}`;
    });
    lines.push(`| ${label} | ${row.join(' | ')} |`);
  }
  lines.push('');
  for (const [label, key] of families) {
    lines.push(
      `${label} long band over retrains: ${JSON.stringify(long[key].kinds)}; combination members: ${JSON.stringify(long[key].members)}`,
    );
  }
  const nonFinite = result.nonFiniteForecasts as Record<string, unknown>;
  for (const [label, key] of families) {
    lines.push(`${label} non-finite forecasts: ${JSON.stringify(nonFinite[key])}`);
  }
  process.stdout.write(
    `${lines.join('\n')}\n\n${JSON.stringify(result.fitTime, null, 2)}\n${JSON.stringify(result.machine)}\n`,
  );
}

if (require.main === module) {
  Promise.resolve()
    .then(() =>
      runForecastBench({
        dataDir: DEFAULT_DATA_DIR,
        quick: process.argv.includes('--quick'),
        traces: forecastTracesFromArgs(process.argv.slice(2)),
      }),
    )
    .then((result) => {
      if (process.argv.includes('--json') || 'skipped' in result) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      printTable(result);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `forecast bench failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    });
}
