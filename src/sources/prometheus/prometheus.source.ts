import type { PrometheusTriggerConfig } from './prometheus-metadata';
import { UpstreamDataError } from '../../errors';
import type { RegularSeries } from '../../forecast/types';
import type { Reading, Source } from '../source';
import { PrometheusClient } from './prometheus-client';

/**
 * A PromQL instant query that must return one number, read the way KEDA's prometheus scaler reads it:
 * with `ignoreNullValues` an empty result (and NaN or ±Inf) reads as 0, otherwise it is an error.
 */
export class PrometheusSource implements Source {
  readonly kind = 'prometheus';
  private readonly client: PrometheusClient;

  constructor(private readonly config: PrometheusTriggerConfig) {
    this.client = new PrometheusClient(config, config.timeoutMs);
  }

  async read(signal?: AbortSignal): Promise<Reading> {
    const samples = await this.client.instantQuery(this.config.query, signal);
    return oneNumber(samples, this.config.ignoreNullValues, 'query');
  }

  readRange(fromMs: number, toMs: number, stepMs: number, signal?: AbortSignal): Promise<RegularSeries> {
    return this.client.rangeQuery(this.config.query, fromMs, toMs, stepMs, signal);
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}

/** Shared by every source built on a PromQL query (prometheus, gpu). */
export function oneNumber(
  samples: Array<{ value: number; atMs: number }>,
  ignoreNullValues: boolean,
  what: string,
): Reading {
  if (samples.length > 1) {
    throw new UpstreamDataError(
      `${what} returned ${samples.length} series; expected exactly one (aggregate it, e.g. sum(...))`,
      'multiple_series',
    );
  }
  const sample = samples[0];
  if (sample === undefined) {
    if (ignoreNullValues) return { value: 0, atMs: Date.now() };
    throw new UpstreamDataError(
      `${what} returned no data (set ignoreNullValues to "true" to read that as 0)`,
      'empty',
    );
  }
  if (!Number.isFinite(sample.value)) {
    if (ignoreNullValues) return { value: 0, atMs: sample.atMs };
    throw new UpstreamDataError(`${what} returned ${sample.value}; expected a finite number`, 'not_a_number');
  }
  return { value: sample.value, atMs: sample.atMs };
}
