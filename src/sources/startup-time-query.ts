import type { Logger } from 'pino';
import { metadataReader, POLLING_ALLOWANCE_MS } from '../config/trigger-config';
import { parseHttpOptions, type HttpQueryOptions } from './http-options';
import { PrometheusClient, type InstantSample } from './prometheus/prometheus-client';
import type { TriggerConfig } from './source-kinds';

/**
 * A workload's start-up time moves with its image, its node pool and its model size, and nobody edits the
 * ScaledObject when it does. Asking every few minutes follows it closely enough; the query reads
 * kube-state-metrics timestamps (docs/metadata.md, "Measuring startupTime"), which move no faster.
 */
export const STARTUP_TIME_REFRESH_MS = 5 * 60_000;

/** The start-up time capacity is bought for, and where it came from. */
export interface StartupTime {
  ms: number;
  /** True when it is the query's answer, false when it is the trigger's `startupTime` (or its default). */
  measured: boolean;
}

/** A trigger that has a `startupTimeQuery`. */
export type StartupTimeQueryConfig = TriggerConfig & { startupTimeQuery: string };

/** What `StartupTimeReader` asks Prometheus: an instant query (`PrometheusClient.instantQuery`). */
export type InstantQuery = (query: string, signal: AbortSignal) => Promise<InstantSample[]>;

/**
 * Reads a trigger's `startupTimeQuery` in the background, at most every `STARTUP_TIME_REFRESH_MS`, and
 * answers with the last good result, bounded as `startupTime` is: no longer than `leadTime` (a deployment
 * woken from zero must serve by then) and, with KEDA's polling interval, within `horizon`.
 *
 * A failing or empty query is not the trigger's signal failing: the scaling signal is still read and
 * decided on. It is logged once per run of failures, and the last good answer (or, before the first,
 * the trigger's `startupTime`) stays in use. A call never waits for Prometheus.
 */
export class StartupTimeReader {
  private measuredMs: number | undefined;
  private nextAttemptMs = -Infinity;
  private inFlight: Promise<void> | undefined;
  private failing = false;
  private readonly maxMs: number;
  private readonly client: PrometheusClient | undefined;
  private readonly ask: InstantQuery;

  constructor(
    private readonly config: StartupTimeQueryConfig,
    private readonly logger: Logger,
    ask?: InstantQuery,
  ) {
    this.maxMs = Math.max(0, Math.min(config.leadTimeMs, config.horizonMs - POLLING_ALLOWANCE_MS));
    if (ask === undefined) {
      const client = new PrometheusClient(startupTimePrometheus(config), config.timeoutMs);
      this.client = client;
      this.ask = (query, signal) => client.instantQuery(query, signal);
    } else {
      this.ask = ask;
    }
  }

  /** The start-up time at `nowMs`; starts a refresh in the background when one is due. */
  current(nowMs: number): StartupTime {
    if (nowMs >= this.nextAttemptMs && this.inFlight === undefined) {
      this.nextAttemptMs = nowMs + STARTUP_TIME_REFRESH_MS;
      this.inFlight = this.refresh().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inUse();
  }

  /** Resolves once the refresh under way, if any, has finished. */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  close(): void {
    this.client?.close();
  }

  private inUse(): StartupTime {
    return this.measuredMs === undefined
      ? { ms: this.config.startupTimeMs, measured: false }
      : { ms: this.measuredMs, measured: true };
  }

  private async refresh(): Promise<void> {
    let seconds: number;
    try {
      seconds = oneDuration(
        await this.ask(this.config.startupTimeQuery, AbortSignal.timeout(this.config.timeoutMs)),
      );
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(
          { err: error, metric: this.config.metricName, startupTimeMs: this.inUse().ms },
          'startupTimeQuery failed; keeping the start-up time in use until it answers',
        );
      }
      this.failing = true;
      return;
    }
    this.failing = false;
    const wanted = Math.ceil(seconds * 1000);
    const ms = Math.min(wanted, this.maxMs);
    if (ms === this.measuredMs) return;
    this.measuredMs = ms;
    const fields = { metric: this.config.metricName, startupTimeMs: ms, measuredMs: wanted };
    if (wanted > this.maxMs) {
      this.logger.warn(
        fields,
        'startupTimeQuery answered more than leadTime (or horizon less 30s) allows; capacity is bought that far ahead only: raise leadTime and horizon',
      );
    } else {
      this.logger.info(fields, 'start-up time from startupTimeQuery');
    }
  }
}

/** The one non-negative, finite number of seconds a start-up time query must return. */
function oneDuration(samples: InstantSample[]): number {
  if (samples.length !== 1) {
    throw new Error(
      samples.length === 0
        ? 'startupTimeQuery returned no data'
        : `startupTimeQuery returned ${samples.length} series; expected one (aggregate it, e.g. quantile(0.9, ...))`,
    );
  }
  const value = (samples[0] as InstantSample).value;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`startupTimeQuery returned ${value}; expected a number of seconds, at least 0`);
  }
  return value;
}

/**
 * Where `startupTimeQuery` is asked: `startupTimeServerAddress`, with no credentials but those in its
 * `user:password@`, since the trigger's are for its own server; otherwise the trigger's own Prometheus,
 * with its headers, TLS and tenancy.
 */
export function startupTimePrometheus(config: TriggerConfig): HttpQueryOptions {
  const address = config.startupTimeServerAddress;
  if (address === undefined) {
    if (!('serverAddress' in config)) {
      throw new Error(`a ${config.source} trigger needs startupTimeServerAddress for its startupTimeQuery`);
    }
    return config;
  }
  // Read as a trigger's own address would be, so its defaults (no headers, no TLS files) are the same.
  return parseHttpOptions(metadataReader({ serverAddress: address }));
}
