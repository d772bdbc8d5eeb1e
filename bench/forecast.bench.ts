/**
 * Forecast accuracy and fit time on real traces. Run alone with `npx tsx bench/forecast.bench.ts
 * [--json] [--quick]`.
 *
 * Accuracy: rolling origin over the second half of each trace, as in ../shared/data/README.md (MASE scaled
 * by the first half's one-day seasonal naive MAE, sMAPE in %), for last value, seasonal naive (1 day),
 * additive Holt-Winters and the model `trainModel` selects (retrained daily on the trailing 14 days and
 * forecasting through `forecastFrom`; when the model is not usable, the scaler runs live only, so last
 * value is what counts). Azure VM CPU: each of the 100 VMs (10 with --quick), averaged over VMs.
 * WorldCup98: requests per 5 minutes (1-minute counts summed, which is how the README's baselines were
 * computed; they reproduce to the third decimal).
 * Speed: fit time per model and for the whole trainModel on 14 days of 1-minute WorldCup98 data (20,160
 * points, daily + weekly seasonality), and the cost of one forecastFrom call.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAzureCpu, loadWorldCup, missingFiles, sumBlocks } from './forecast/data';
import { measureFitTimes } from './forecast/fit-time';
import type { BenchMethod } from './forecast/rolling';
import { BENCH_METHODS, rollingEvaluation, summarise } from './forecast/rolling';
import type { TrainingOptions } from '../src/forecast/types';

export interface ForecastBenchOptions {
  /** Folder holding the traces (../shared/data from the repository root). */
  dataDir: string;
  /** 10 Azure VMs instead of 100, 3 timed runs instead of 7. */
  quick?: boolean;
}

type Scores = Record<BenchMethod, Array<{ mase: number; smape: number }>>;

/** The shared trace folder next to the repository (absent in users' clones). */
const DEFAULT_DATA_DIR = path.resolve(__dirname, '../../shared/data');

const LEADS_MIN = [15, 60];
const FIVE_MINUTES = 5 * 60_000;

/** Runs the benchmark and returns one JSON-ready object (or `{ skipped }` when the traces are absent). */
export async function runForecastBench(options: ForecastBenchOptions): Promise<Record<string, unknown>> {
  const missing = missingFiles(options.dataDir);
  if (missing.length > 0) {
    const skipped = `trace data not found in ${options.dataDir} (missing ${missing.join(', ')}); the forecast benchmark needs ../shared/data next to the repository`;
    process.stderr.write(`${skipped}\n`);
    return { skipped };
  }
  const quick = options.quick === true;
  const training: TrainingOptions = {
    seasonality: 'auto',
    leadTimesMs: LEADS_MIN.map((m) => m * 60_000),
    horizonMs: 60 * 60_000,
    quantile: 0.9,
    anomalyThreshold: 3.5,
  };
  const leads = LEADS_MIN.map((m) => (m * 60_000) / FIVE_MINUTES);
  const rolling = {
    stepMs: FIVE_MINUTES,
    leads,
    day: 288,
    retrainEvery: 288,
    window: 14 * 288,
    training,
  };

  const started = performance.now();
  const azure = loadAzureCpu(options.dataDir);
  const vmCount = quick ? 10 : azure.series.length;
  const perVm: Scores[] = [];
  const azureSelected: Record<string, number> = {};
  const trainMs: number[] = [];
  for (let i = 0; i < vmCount; i++) {
    const series = azure.series[Math.floor((i * azure.series.length) / vmCount)] as Float64Array;
    const totals = rollingEvaluation(series, { ...rolling, startMs: 0 });
    perVm.push(summarise(totals, leads));
    trainMs.push(...totals.trainMs);
    for (const [method, count] of Object.entries(totals.selectedMethods)) {
      azureSelected[method] = (azureSelected[method] ?? 0) + count;
    }
  }
  const azureScores = averageScores(perVm, leads.length);

  const worldCup = loadWorldCup(options.dataDir);
  const worldCupTotals = rollingEvaluation(sumBlocks(worldCup.perMinute, 5), {
    ...rolling,
    startMs: worldCup.startMs,
  });
  const worldCupScores = summarise(worldCupTotals, leads);
  trainMs.push(...worldCupTotals.trainMs);
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
    command: `npx tsx bench/forecast.bench.ts${quick ? ' --quick' : ''} --json`,
    accuracy: {
      leadsMinutes: LEADS_MIN,
      azureVmCpu: {
        vms: vmCount,
        scores: roundScores(azureScores),
        retrains: azureSelected,
      },
      worldCup98: {
        resolution: '5 min (sums of 1-minute counts)',
        scores: roundScores(worldCupScores),
        retrains: worldCupTotals.selectedMethods,
      },
      selectedBeatsAll: {
        azureVmCpu: beatsAll(azureScores),
        worldCup98: beatsAll(worldCupScores),
      },
      trainModelMedianMs5MinFortnight: Math.round((trainMs[Math.floor(trainMs.length / 2)] ?? NaN) * 10) / 10,
      seconds: Math.round(accuracySeconds * 10) / 10,
    },
    fitTime: fitTimes,
  };
}

function averageScores(perSeries: Scores[], leadCount: number): Scores {
  const out = {} as Scores;
  for (const method of BENCH_METHODS) {
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

function printTable(result: Record<string, unknown>): void {
  const accuracy = result.accuracy as {
    azureVmCpu: { scores: Record<string, Record<string, { mase: number; smape: number }>> };
    worldCup98: { scores: Record<string, Record<string, { mase: number; smape: number }>> };
  };
  const lines = [
    '| data | lead | last value | seasonal naive (1 day) | additive Holt-Winters | selected |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [label, data] of [
    ['Azure VM CPU', accuracy.azureVmCpu],
    ['WorldCup98', accuracy.worldCup98],
  ] as const) {
    for (const lead of LEADS_MIN) {
      const cell = (m: string): string => {
        const s = data.scores[m]?.[`${lead}m`];
        return s === undefined ? '' : `${s.smape.toFixed(1)} / ${s.mase.toFixed(3)}`;
      };
      lines.push(`| ${label} | ${lead} min | ${BENCH_METHODS.map(cell).join(' | ')} |`);
    }
  }
  process.stdout.write(
    `${lines.join('\n')}\n\n${JSON.stringify(result.fitTime, null, 2)}\n${JSON.stringify(result.machine)}\n`,
  );
}

if (require.main === module) {
  runForecastBench({ dataDir: DEFAULT_DATA_DIR, quick: process.argv.includes('--quick') })
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
