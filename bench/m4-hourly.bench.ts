/**
 * Long-horizon accuracy on the 414 M4 Hourly training series, with the protocol of
 * `../shared/data/README.md`: hold out each series' last 48 values, fit on the rest, forecast 48 hours,
 * and score sMAPE, MASE (m = 24) and OWA against Naive2 on the same split. Scores the model `trainModel`
 * selects (shipped even where it fails the gate, as the capacity windows and `npm run forecast` use it),
 * and the seasonal naive baselines, plus the upper bound's coverage over the 48 hours and which method
 * the long-horizon band shipped. Run with `npx tsx bench/m4-hourly.bench.ts [--json]`; `BENCH_DATA_DIR`
 * overrides the data folder. Without the data it says so and prints `{ "skipped": … }`.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forecastAhead } from '../src/forecast/predict';
import { trainModelWithDiagnostics } from '../src/forecast/train';
import { groupLongMethods } from './forecast/long-rolling';
import { M4_HOURLY_SEASON, mase, naive2, owa, smape } from './forecast/m4-scoring';

const HORIZON = 48;
const HOUR_MS = 3_600_000;
const WEEK = 168;
/** The series carry no dates; a Monday midnight keeps calendar features aligned with the index. */
const START_MS = Date.UTC(2024, 0, 1);
const QUANTILE = 0.9;

interface Score {
  smape: number;
  mase: number;
  owa: number;
}

export interface M4Result {
  series: number;
  horizonHours: number;
  methods: Record<string, Score>;
  /** How often each method was the one `trainModel` selected. */
  selected: Record<string, number>;
  /**
   * How often the long-horizon band (which answers past the scaling lead, so most of the 48 hours)
   * shipped each method, by name, by kind, and each profile method's share of the combinations.
   */
  longBand: {
    methods: Record<string, number>;
    kinds: Record<string, number>;
    members: Record<string, number>;
  };
  /** Share of the 48-hour actuals at or below the model's q0.9 bound. */
  upperCoverage: number;
  seconds: number;
}

function loadSeries(file: string): number[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) =>
      line
        .split(',')
        .slice(1)
        .map((cell) => cell.replace(/"/g, ''))
        .filter((cell) => cell !== '')
        .map(Number),
    );
}

const seasonalNaive = (train: number[], period: number): number[] =>
  Array.from({ length: HORIZON }, (_, h) => train[train.length - period + (h % period)] as number);

export function runM4(dataDir: string, limit?: number): M4Result {
  const all = loadSeries(path.join(dataDir, 'm4_hourly_train', 'Hourly-train.csv'));
  const series = limit === undefined ? all : all.slice(0, limit);
  const sums: Record<string, { smape: number; mase: number }> = {};
  const add = (method: string, train: number[], actual: number[], forecast: ArrayLike<number>): void => {
    const sum = (sums[method] ??= { smape: 0, mase: 0 });
    sum.smape += smape(actual, forecast);
    sum.mase += mase(train, actual, forecast);
  };
  const selected: Record<string, number> = {};
  const longMethods: Record<string, number> = {};
  let covered = 0;
  const started = performance.now();
  for (const values of series) {
    const train = values.slice(0, -HORIZON);
    const actual = values.slice(-HORIZON);
    add('naive2', train, actual, naive2(train, HORIZON));
    add('seasonal-naive-day', train, actual, seasonalNaive(train, M4_HOURLY_SEASON));
    add('seasonal-naive-week', train, actual, seasonalNaive(train, WEEK));
    const nowMs = START_MS + train.length * HOUR_MS;
    const { model } = trainModelWithDiagnostics(
      { startMs: START_MS, stepMs: HOUR_MS, values: train },
      {
        seasonality: 'auto',
        leadTimesMs: [HOUR_MS],
        horizonMs: HOUR_MS,
        longHorizonMs: HORIZON * HOUR_MS,
        quantile: QUANTILE,
        anomalyThreshold: 3.5,
      },
      nowMs,
      { ignoreGate: true },
    );
    selected[model.method] = (selected[model.method] ?? 0) + 1;
    longMethods[model.longHorizon.method] = (longMethods[model.longHorizon.method] ?? 0) + 1;
    const forecast = forecastAhead(model, { startMs: nowMs, stepMs: HOUR_MS, values: [] }, HORIZON);
    add('selected-model', train, actual, forecast.mean);
    for (let h = 0; h < HORIZON; h++) if ((actual[h] as number) <= (forecast.upper[h] as number)) covered++;
  }
  const mean = (method: string): { smape: number; mase: number } => {
    const sum = sums[method] as { smape: number; mase: number };
    return { smape: sum.smape / series.length, mase: sum.mase / series.length };
  };
  const reference = mean('naive2');
  const methods: Record<string, Score> = {};
  for (const method of Object.keys(sums)) {
    const score = mean(method);
    methods[method] = { ...score, owa: owa(score, reference) };
  }
  return {
    series: series.length,
    horizonHours: HORIZON,
    methods,
    selected,
    longBand: { methods: longMethods, ...groupLongMethods(longMethods) },
    upperCoverage: covered / (series.length * HORIZON),
    seconds: (performance.now() - started) / 1000,
  };
}

function main(): void {
  const dataDir = process.env.BENCH_DATA_DIR ?? path.join(__dirname, '..', '..', 'shared', 'data');
  const json = process.argv.includes('--json');
  const file = path.join(dataDir, 'm4_hourly_train', 'Hourly-train.csv');
  if (!existsSync(file)) {
    const skipped = `no M4 Hourly data at ${file}`;
    process.stderr.write(`${skipped}\n`);
    process.stdout.write(`${JSON.stringify({ skipped })}\n`);
    return;
  }
  const result = runM4(dataDir);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`, node: process.version, ...result })}\n`,
    );
    return;
  }
  for (const [method, score] of Object.entries(result.methods)) {
    process.stdout.write(
      `${method.padEnd(22)} sMAPE ${score.smape.toFixed(2)}  MASE ${score.mase.toFixed(3)}  OWA ${score.owa.toFixed(3)}\n`,
    );
  }
  process.stdout.write(
    `${result.series} series, ${result.seconds.toFixed(1)} s; q${QUANTILE} coverage ` +
      `${(100 * result.upperCoverage).toFixed(1)} %; selected ${JSON.stringify(result.selected)}\n` +
      `long band ${JSON.stringify(result.longBand.kinds)}; combination members ${JSON.stringify(result.longBand.members)}\n`,
  );
}

if (require.main === module) main();
