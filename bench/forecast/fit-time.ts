import { forecastFrom } from '../../src/forecast/predict';
import type { ModelSeries } from '../../src/forecast/forecasters/forecaster';
import { prepareTraining, trainModelWithDiagnostics } from '../../src/forecast/train';
import type { RegularSeries, TrainingOptions } from '../../src/forecast/types';
import { candidateForecasters } from '../../src/forecast/forecasters/registry';
import { DAY_MS, WEEK_MS } from '../../src/forecast/seasonality';

export interface FitTimes {
  points: number;
  stepMs: number;
  modelStepMs: number;
  runs: number;
  /** Median fit time of each method on the whole window (after aggregation and filtering), ms. */
  perModelMs: Record<string, number>;
  /** Median of the whole `trainModel` (every candidate, backtest, selection, final fit), ms. */
  trainModelMs: number;
  /** Median of aggregation + seasonality detection + anomaly filter alone, ms. */
  prepareMs: number;
  /** Median cost of one `forecastFrom` call per method, µs. */
  forecastFromUs: Record<string, number>;
  forecastSteps: number;
  selectedMethod: string;
}

/**
 * Fit and forecast timings on one history (14 days of 1-minute samples in the benchmark): medians of
 * `runs` timed runs after two warm-up runs, so the JIT has compiled the hot loops, as it has in a
 * long-running scaler.
 */
export function measureFitTimes(history: RegularSeries, options: TrainingOptions, runs: number): FitTimes {
  const median = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  const round = (x: number): number => Math.round(x * 100) / 100;
  const prepareTimes: number[] = [];
  for (let r = 0; r < runs + 2; r++) {
    const started = performance.now();
    prepareTraining(history, options);
    if (r >= 2) prepareTimes.push(performance.now() - started);
  }
  const prepared = prepareTraining(history, options);
  const series: ModelSeries = {
    values: prepared.filtered,
    firstBlock: 0,
    blockMs: prepared.grid.blockMs,
    originMs: prepared.grid.originMs,
  };
  const candidates = candidateForecasters({
    periods: prepared.spec.periods,
    dayBlocks: Math.round(DAY_MS / prepared.grid.blockMs),
    weekBlocks: Math.round(WEEK_MS / prepared.grid.blockMs),
    foldLength: prepared.observed.length,
    positive: prepared.positive,
  });
  const perModelMs: Record<string, number> = {};
  for (const candidate of candidates) {
    const times: number[] = [];
    for (let r = 0; r < runs + 2; r++) {
      const started = performance.now();
      candidate.fit(series, prepared.spec);
      if (r >= 2) times.push(performance.now() - started);
    }
    perModelMs[candidate.name] = round(median(times));
  }

  const trainTimes: number[] = [];
  let selectedMethod = '';
  for (let r = 0; r < runs + 2; r++) {
    const started = performance.now();
    const { model } = trainModelWithDiagnostics(history, options, history.startMs);
    if (r >= 2) trainTimes.push(performance.now() - started);
    selectedMethod = model.usable ? model.method : model.reason;
  }

  // forecastFrom per method: each candidate shipped as if it had won, fed the hour after the window.
  const forecastSteps = Math.round(options.horizonMs / history.stepMs);
  const forecastFromUs: Record<string, number> = {};
  const recent: RegularSeries = {
    startMs: history.startMs + (history.values.length - 60) * history.stepMs,
    stepMs: history.stepMs,
    values: history.values.slice(-60),
  };
  for (const candidate of [...candidates.map((c) => c.name), 'combination']) {
    const { model } = trainModelWithDiagnostics(history, options, history.startMs, {
      ship: candidate,
    });
    if (model.method !== candidate) continue;
    const batches: number[] = [];
    const calls = 2000;
    for (let b = 0; b < 7; b++) {
      const started = performance.now();
      for (let c = 0; c < calls; c++) forecastFrom(model, recent, forecastSteps);
      batches.push(((performance.now() - started) / calls) * 1000);
    }
    forecastFromUs[candidate] = round(median(batches.slice(2)));
  }
  return {
    points: history.values.length,
    stepMs: history.stepMs,
    modelStepMs: prepared.grid.blockMs,
    runs,
    perModelMs,
    trainModelMs: round(median(trainTimes)),
    prepareMs: round(median(prepareTimes)),
    forecastFromUs,
    forecastSteps,
    selectedMethod,
  };
}
