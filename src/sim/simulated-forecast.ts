import pino from 'pino';
import { Registry } from 'prom-client';
import { readSettings } from '../config/settings';
import { ForecastService, forecastServiceSettings } from '../forecast/lifecycle/forecast-service';
import { inlineFitter, type ModelFitter } from '../forecast/lifecycle/model-fitter';
import type { TrainingOptions } from '../forecast/types';
import { ScalerMetrics } from '../metrics/scaler-metrics';
import type { Source } from '../sources/source';
import { MemoryStore } from '../store/memory-store';

/** What training cost during one replay. */
export interface TrainingStats {
  attempts: number;
  saved: number;
  keptPrevious: number;
  skipped: number;
  failed: number;
  /** Wall-clock time spent in training attempts (history read, `trainModel`, promotion, reload). */
  trainingMs: number;
  /** Saved models that were usable (beat the baselines). */
  usableSaved: number;
  /** Attempts the drift rule asked for, out of the schedule (counted in `attempts` too). */
  driftRetrains: number;
  /** With training prefetched on worker threads: fits served from a prefetched model, and the others. */
  prefetchHits?: number;
  prefetchMisses?: number;
}

export interface SimulatedForecastSettings {
  /** The server's `RETRAIN_INTERVAL`. @default the server's default */
  retrainIntervalMs?: number;
  /** The server's `DRIFT_RETRAINING`. @default the server's default (true) */
  driftRetraining?: boolean;
  /**
   * Where `trainModel` runs. Any fitter gives the same models; the simulator's prefetching one only
   * makes them arrive sooner. @default inlineFitter
   */
  fitter?: ModelFitter;
}

/**
 * The server's training options with the long-horizon band reaching no further than the scaling band's
 * longest lead, so it is neither selected nor calibrated beyond it. That band serves the capacity windows
 * and the forecast command, days ahead; no scaling decision reads it, so a replay need not pay for its
 * selection and a week of calibration. The scaling band and so every decision come out the same:
 * `simulated-forecast.test.ts` compares the models, and `server-parity.test.ts` the decisions against a
 * server that trains the full band.
 */
export function decisionTrainingOptions(options: TrainingOptions): TrainingOptions {
  return { ...options, longHorizonMs: Math.max(...options.leadTimesMs) };
}

/** A fitter that trains what the replay's decisions read: `decisionTrainingOptions`. */
function decisionFitter(fitter: ModelFitter): ModelFitter {
  return {
    fit: (history, options, nowMs) => fitter.fit(history, decisionTrainingOptions(options), nowMs),
    close: () => fitter.close(),
  };
}

/** Training reads no source: every sample it learns from was observed by the replay itself. */
const NO_BACKFILL_SOURCE: Source = {
  kind: 'simulated',
  read: () => Promise.reject(new Error('the simulated source is never read')),
};

/**
 * The forecast side of one simulated scaler replica: the server's own `ForecastService` with the server's
 * default settings, on the replay's clock, over an in-memory store, with no background timer. It learns
 * only what the replica observed, at the moments it observed it; the replay runs its background pass
 * whenever a training is due, and waits for it (decisions after a training depend on its model).
 */
export class SimulatedForecast {
  readonly service: ForecastService;
  readonly stats: TrainingStats = {
    attempts: 0,
    saved: 0,
    keptPrevious: 0,
    skipped: 0,
    failed: 0,
    trainingMs: 0,
    usableSaved: 0,
    driftRetrains: 0,
  };
  private nowMs = 0;

  constructor(settings: SimulatedForecastSettings = {}) {
    const clock = (): number => this.nowMs;
    const server = forecastServiceSettings(readSettings({}));
    this.service = new ForecastService(
      {
        store: new MemoryStore(clock),
        metrics: new ScalerMetrics(new Registry(), { defaultMetrics: false }),
        logger: pino({ level: 'silent' }),
        clock,
        sourceFor: () => NO_BACKFILL_SOURCE,
      },
      {
        ...server,
        retrainIntervalMs: settings.retrainIntervalMs ?? server.retrainIntervalMs,
        driftRetraining: settings.driftRetraining ?? server.driftRetraining,
        tickMs: 0,
        fitter: decisionFitter(settings.fitter ?? inlineFitter),
        onTrainingAttempt: ({ outcome, model, elapsedMs, drifted }) => {
          const { stats } = this;
          stats.attempts++;
          if (drifted) stats.driftRetrains++;
          stats.trainingMs += elapsedMs;
          if (outcome === 'saved') {
            stats.saved++;
            if (model?.usable) stats.usableSaved++;
          } else if (outcome === 'kept_previous') stats.keptPrevious++;
          else if (outcome === 'skipped') stats.skipped++;
          else stats.failed++;
        },
      },
    );
  }

  /** Moves the replica's clock (the replay's time only goes forward). */
  setTime(nowMs: number): void {
    this.nowMs = nowMs;
  }
}
