import type { GpuTriggerConfig } from './gpu-metadata';
import type { RegularSeries } from '../../forecast/types';
import { PrometheusClient } from '../prometheus/prometheus-client';
import { oneNumber } from '../prometheus/prometheus.source';
import type { Reading, Source } from '../source';
import type { SourceDeps } from '../source-deps';
import { buildGpuQuery } from './gpu-query';

/** The part of the Prometheus client the gpu source uses (injectable for tests and for sharing). */
export type PrometheusQueryClient = Pick<PrometheusClient, 'instantQuery' | 'rangeQuery'>;

/**
 * GPU telemetry from the NVIDIA DCGM exporter through Prometheus: `metric` per GPU, aggregated across the
 * GPUs `selector` matches (see `buildGpuQuery`). Prometheus keeps history, so `readRange` backfills.
 *
 * No matching series reads as 0, as KEDA's prometheus scaler does by default (`ignoreNullValues`): the
 * DCGM exporter labels a GPU with its pod only while a pod holds it, so a workload scaled to zero has no
 * series at all, and an error there would keep the trigger failing (and, with `spec.fallback`, scale the
 * idle workload up). An unreachable Prometheus or a NaN (an empty framebuffer total) is still an error.
 */
export function createGpuSource(
  config: GpuTriggerConfig,
  deps: SourceDeps & { prometheus?: PrometheusQueryClient },
): Source {
  if (deps.prometheus !== undefined) return new GpuSource(config, deps.prometheus, deps);
  const client = new PrometheusClient(config, config.timeoutMs);
  const source = new GpuSource(config, client, deps);
  source.close = () => Promise.resolve(client.close());
  return source;
}

class GpuSource implements Source {
  readonly kind = 'gpu';
  /** Set when the source owns its client (not one injected to share). */
  close?: () => Promise<void>;
  /** Built once: the query depends on the parsed config only. */
  readonly query: string;

  constructor(
    private readonly config: GpuTriggerConfig,
    private readonly prometheus: PrometheusQueryClient,
    deps: SourceDeps,
  ) {
    this.query = buildGpuQuery(config);
    deps.logger.debug(
      {
        source: this.kind,
        server: config.serverAddressRedacted,
        query: this.query,
        metric: config.metricName,
      },
      'gpu source created',
    );
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const samples = await this.prometheus.instantQuery(this.query, signal);
    if (samples.length === 0) return { value: 0, atMs: Date.now() };
    return oneNumber(samples, false, `GPU ${this.config.metric} query`);
  }

  readRange(fromMs: number, toMs: number, stepMs: number, signal?: AbortSignal): Promise<RegularSeries> {
    return this.prometheus.rangeQuery(this.query, fromMs, toMs, stepMs, signal);
  }
}
