import type { Logger } from 'pino';
import type { Decision } from '../decision/decide';
import type { DecisionLog } from '../decision/decision-log';
import { EvaluationStep } from '../decision/evaluation-step';
import type { ForecastPort, ForecastView } from '../forecast/port/forecast-port';
import { UpstreamDataError, UpstreamUnavailableError } from '../errors';
import type { ScalerMetrics, TriggerLabels } from '../metrics/scaler-metrics';
import { createSource } from '../sources/create-source';
import type { Reading, Source } from '../sources/source';
import type { SourceDeps } from '../sources/source-deps';
import {
  StartupTimeReader,
  type StartupTime,
  type StartupTimeQueryConfig,
} from '../sources/startup-time-query';
import type { StateStore } from '../store/state-store';
import type { TriggerConfig } from '../sources/trigger-metadata';
import type { TriggerHandle } from './trigger-registry';

/** One evaluation of a trigger: the decision plus what it was made from. */
export interface Evaluation extends Decision {
  live: number;
  liveAtMs: number;
  forecast: ForecastView | undefined;
  evaluatedAtMs: number;
}

export interface EvaluatorDeps {
  store: StateStore;
  metrics: ScalerMetrics;
  logger: Logger;
  forecast: ForecastPort;
  sourceDeps: SourceDeps;
  clock: () => number;
  /** How long one evaluation answers every call for the same trigger. */
  evaluationTtlMs: number;
  /** How long a forecast must stay worse than promised before it counts as drift. @default 1h */
  driftWindowMs?: number;
  /** Keeps each trigger's last decisions for the decision API and the status page. */
  decisionLog?: DecisionLog;
  /** Builds a trigger's source. @default the source its `source` key names */
  createSource?: (config: TriggerConfig, deps: SourceDeps) => Source;
  /** Builds the reader of a trigger's `startupTimeQuery`. @default one that asks its Prometheus */
  createStartupTimeReader?: (config: StartupTimeQueryConfig, logger: Logger) => StartupTimeReader;
}

interface TriggerState {
  cached?: { atMs: number; result: Promise<Evaluation> };
  step?: EvaluationStep;
  /** Reads `startupTimeQuery`, for a trigger that has one. */
  startupTime?: StartupTimeReader;
  lastActive?: boolean;
  lastEvaluatedAtMs?: number;
}

/**
 * Reads a trigger's live value, asks the forecast, applies the decision rule and records metrics.
 * GetMetrics and IsActive arriving together share one evaluation; a failing source is an error (after the
 * short staleness allowance), never a 0.
 */
export class TriggerEvaluator {
  private readonly sources = new WeakMap<TriggerConfig, Source>();
  private readonly lastReadings = new Map<string, Reading>();
  private readonly states = new Map<string, TriggerState>();

  constructor(private readonly deps: EvaluatorDeps) {}

  evaluate(handle: TriggerHandle, options: { fresh?: boolean } = {}): Promise<Evaluation> {
    const now = this.deps.clock();
    let state = this.states.get(handle.key);
    if (state === undefined) {
      state = {};
      this.states.set(handle.key, state);
    }
    const cached = state.cached;
    if (!options.fresh && cached && now - cached.atMs < this.deps.evaluationTtlMs) return cached.result;
    const result = this.run(handle, state, now);
    state.cached = { atMs: now, result };
    // The cached promise may be rejected; whoever awaits it handles that, this only silences the copy.
    result.catch(() => undefined);
    return result;
  }

  /** The source of a trigger, created once per parsed config. */
  sourceFor(config: TriggerConfig): Source {
    let source = this.sources.get(config);
    if (source === undefined) {
      source = (this.deps.createSource ?? createSource)(config, this.deps.sourceDeps);
      this.sources.set(config, source);
    }
    return source;
  }

  /**
   * Drops what is kept for a trigger that is gone. With `releaseSource` (no remaining trigger shares its
   * config) the source lets go of what it holds, so a broker that no trigger reads any more is
   * disconnected; should the trigger come back, its next read opens a new source.
   */
  forget(handle: TriggerHandle, options: { releaseSource?: boolean } = {}): void {
    this.states.get(handle.key)?.startupTime?.close();
    this.states.delete(handle.key);
    this.lastReadings.delete(handle.key);
    this.deps.decisionLog?.forget(handle.key);
    if (!options.releaseSource) return;
    const source = this.sources.get(handle.config);
    if (source === undefined) return;
    this.sources.delete(handle.config);
    source.close?.().catch((error: unknown) => {
      this.deps.logger.warn({ err: error, source: source.kind }, 'could not release the source of a trigger');
    });
  }

  private async run(handle: TriggerHandle, state: TriggerState, now: number): Promise<Evaluation> {
    const { config, labels } = handle;
    const { metrics, decisionLog } = this.deps;
    let live: { reading: Reading; stale: boolean };
    try {
      live = await this.readLive(handle);
    } catch (error) {
      decisionLog?.record(handle.key, { atMs: now, error: (error as Error).message });
      throw error;
    }
    const { reading, stale } = live;
    state.step ??= new EvaluationStep(config, this.deps.forecast, undefined, this.deps.driftWindowMs);
    const startupTime = this.startupTimeOf(config, state, now);
    const { decision, forecast } = state.step.run(reading, stale, now, startupTime.ms);

    metrics.liveValue.set(labels, finiteOrZero(reading.value));
    metrics.sourceStaleness.set(labels, stale ? Math.max(0, (now - reading.atMs) / 1000) : 0);
    metrics.returnedValue.set(labels, decision.value);
    metrics.active.set(labels, decision.active ? 1 : 0);
    metrics.decisions.inc(withLabel(labels, 'reason', decision.reason));
    metrics.predictiveEnabled.set(
      withLabel(labels, 'mode', config.predictive),
      config.predictive === 'true' && forecast ? 1 : 0,
    );
    const mase = stale ? undefined : state.step.leadMase();
    if (mase !== undefined) metrics.forecastLeadMase.set(labels, mase);
    const degraded = stale ? undefined : state.step.degraded();
    if (degraded !== undefined) metrics.forecastDegraded.set(labels, degraded ? 1 : 0);
    const from = startupTime.measured ? 'query' : 'metadata';
    metrics.startupTime.remove(withLabel(labels, 'from', startupTime.measured ? 'metadata' : 'query'));
    metrics.startupTime.set(withLabel(labels, 'from', from), startupTime.ms / 1000);
    const widthFactor = state.step.widthFactor();
    if (widthFactor !== undefined) metrics.capacityWidthFactor.set(labels, widthFactor);
    if (forecast) {
      if (forecast.backtestLeadRatio !== undefined)
        metrics.forecastBacktestMase.set(labels, forecast.backtestLeadRatio);
      metrics.forecastValue.set(labels, forecast.meanWhenReady);
      metrics.forecastLower.set(labels, forecast.lowerWhenReady);
      metrics.forecastUpper.set(labels, forecast.peakWhenReady);
    }
    if (decision.active && state.lastActive === false) {
      metrics.wakeups.inc(
        withLabel(
          labels,
          'cause',
          (reading.activity ?? reading.value) > config.activationTarget ? 'live' : 'forecast',
        ),
      );
    }
    if (decision.forecastUsed && state.lastEvaluatedAtMs !== undefined) {
      const extraReplicas =
        Math.ceil(decision.value / config.target) - Math.ceil(reading.value / config.target);
      const seconds = Math.min(60, (now - state.lastEvaluatedAtMs) / 1000);
      if (extraReplicas > 0 && seconds > 0)
        metrics.prewarmReplicaSeconds.inc(labels, extraReplicas * seconds);
    }
    state.lastActive = decision.active;
    state.lastEvaluatedAtMs = now;
    decisionLog?.record(handle.key, {
      atMs: now,
      live: reading.value,
      returned: decision.value,
      active: decision.active,
      reason: decision.reason,
      forecastUsed: decision.forecastUsed,
      startupTimeMs: startupTime.ms,
      ...(forecast !== undefined && {
        forecastMean: forecast.meanWhenReady,
        forecastUpper: forecast.peakWhenReady,
        method: forecast.method,
      }),
      ...(forecast?.backtestAtLead !== undefined && { backtest: forecast.backtestAtLead }),
    });
    // Spelled out rather than spread: see withLabel.
    return {
      value: decision.value,
      active: decision.active,
      reason: decision.reason,
      forecastValue: decision.forecastValue,
      forecastUsed: decision.forecastUsed,
      live: reading.value,
      liveAtMs: reading.atMs,
      forecast,
      evaluatedAtMs: now,
    };
  }

  /**
   * The start-up time to buy capacity for: `startupTimeQuery`'s last answer when it has one. A trigger
   * with `predictive: "false"` reads no forecast, so its query is never asked.
   */
  private startupTimeOf(config: TriggerConfig, state: TriggerState, nowMs: number): StartupTime {
    const query = config.startupTimeQuery;
    if (query === undefined || config.predictive === 'false')
      return { ms: config.startupTimeMs, measured: false };
    const create = this.deps.createStartupTimeReader ?? ((c, logger) => new StartupTimeReader(c, logger));
    state.startupTime ??= create({ ...config, startupTimeQuery: query }, this.deps.logger);
    return state.startupTime.current(nowMs);
  }

  private async readLive(handle: TriggerHandle): Promise<{ reading: Reading; stale: boolean }> {
    const { config } = handle;
    const source = this.sourceFor(config);
    const { metrics, logger, store, clock } = this.deps;
    const started = process.hrtime.bigint();
    try {
      const reading = await source.read(AbortSignal.timeout(config.timeoutMs));
      metrics.sourceReadDuration.observe(
        { source: source.kind },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      if (!Number.isFinite(reading.value)) {
        throw new UpstreamDataError(
          `source returned ${reading.value}; expected a finite number`,
          'not_a_number',
        );
      }
      const fresh: Reading = { value: reading.value, atMs: clock(), activity: reading.activity };
      this.lastReadings.set(handle.key, fresh);
      store
        .setLastReading(handle.storeId, { value: fresh.value, atMs: fresh.atMs })
        .catch((error: unknown) => {
          logger.debug({ err: error, metric: config.metricName }, 'could not store last reading');
        });
      return { reading: fresh, stale: false };
    } catch (error) {
      const reason =
        error instanceof UpstreamUnavailableError || error instanceof UpstreamDataError
          ? error.reason
          : 'internal';
      metrics.sourceErrors.inc({ source: source.kind, reason });
      // Only an unreachable or slow source is bridged; a wrong answer (missing queue, several series) is
      // news the user needs at once.
      if (!(error instanceof UpstreamUnavailableError) || config.maxStalenessMs === 0) throw error;
      const last =
        this.lastReadings.get(handle.key) ??
        (await store.getLastReading(handle.storeId).catch(() => undefined));
      if (last && clock() - last.atMs <= config.maxStalenessMs) {
        logger.warn(
          { metric: config.metricName, source: source.kind, reason, ageMs: clock() - last.atMs, err: error },
          'source read failed; serving the last good value',
        );
        return { reading: last, stale: true };
      }
      throw error;
    }
  }
}

/**
 * The trigger's labels plus one more, built as a literal. V8 gives each object made by `{ ...labels, x }`
 * its own hidden class once something enumerates it (prom-client walks label sets with for-in, and keeps
 * the first one of every series): about 400 bytes per series that never go away, 12 MB at 10,000
 * triggers, and a new hidden class built on every call.
 */
function withLabel<K extends string, V extends string>(
  labels: TriggerLabels,
  key: K,
  value: V,
): TriggerLabels & Record<K, V> {
  const out = { namespace: labels.namespace, scaled_object: labels.scaled_object, metric: labels.metric };
  (out as Record<string, string>)[key] = value;
  return out as TriggerLabels & Record<K, V>;
}

function finiteOrZero(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
