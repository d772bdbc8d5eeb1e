import { UpstreamDataError, UpstreamUnavailableError } from '../../errors';
import type { RegularSeries } from '../../forecast/types';
import type { HttpQueryOptions } from '../http-options';
import { getJson } from '../http-json';

/** One series of an instant query. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
  atMs: number;
}

// Prometheus refuses range queries of more than 11,000 points per series.
const MAX_POINTS_PER_RANGE_QUERY = 10_000;

/**
 * The Prometheus HTTP API as the prometheus and gpu sources need it: instant and range queries, with the
 * trigger's headers, extra query parameters, TLS setting and timeout.
 */
export class PrometheusClient {
  /** A source asks the same instant query on every read; its URL is built once. */
  private instantUrl: { query: string; url: URL } | undefined;

  constructor(
    private readonly options: HttpQueryOptions,
    private readonly timeoutMs: number,
  ) {}

  async instantQuery(query: string, signal?: AbortSignal): Promise<InstantSample[]> {
    if (this.instantUrl?.query !== query)
      this.instantUrl = { query, url: this.url('/api/v1/query', { query }) };
    const data = await this.call(this.instantUrl.url, signal);
    const result = data.result;
    if (data.resultType === 'scalar' || data.resultType === 'string') {
      const [atSeconds, raw] = result as [number, string];
      return [{ labels: {}, value: parseSampleValue(raw), atMs: atSeconds * 1000 }];
    }
    if (data.resultType !== 'vector' || !Array.isArray(result)) {
      throw new UpstreamDataError(
        `Prometheus returned a ${String(data.resultType)} for an instant query; expected a vector`,
      );
    }
    return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((series) => ({
      labels: series.metric,
      value: parseSampleValue(series.value[1]),
      atMs: series.value[0] * 1000,
    }));
  }

  /**
   * One series over `[fromMs, toMs]` at `stepMs`, aligned to the step; steps Prometheus has no sample for
   * are NaN. Several series are an error: a trigger learns one signal.
   */
  async rangeQuery(
    query: string,
    fromMs: number,
    toMs: number,
    stepMs: number,
    signal?: AbortSignal,
  ): Promise<RegularSeries> {
    const startMs = Math.ceil(fromMs / stepMs) * stepMs;
    const count = Math.max(0, Math.floor((toMs - startMs) / stepMs) + 1);
    const values = new Array<number>(count).fill(NaN);
    for (let offset = 0; offset < count; offset += MAX_POINTS_PER_RANGE_QUERY) {
      const chunkStart = startMs + offset * stepMs;
      const chunkEnd = startMs + Math.min(count - 1, offset + MAX_POINTS_PER_RANGE_QUERY - 1) * stepMs;
      const data = await this.call(
        this.url('/api/v1/query_range', {
          query,
          start: String(chunkStart / 1000),
          end: String(chunkEnd / 1000),
          step: `${stepMs / 1000}s`,
        }),
        signal,
      );
      const result = data.result as Array<{
        metric: Record<string, string>;
        values: Array<[number, string]>;
      }>;
      if (data.resultType !== 'matrix' || !Array.isArray(result)) {
        throw new UpstreamDataError(
          `Prometheus returned a ${String(data.resultType)} for a range query; expected a matrix`,
        );
      }
      if (result.length > 1) {
        throw new UpstreamDataError(
          `query returned ${result.length} series over the history window; expected one`,
          'multiple_series',
        );
      }
      for (const [atSeconds, raw] of result[0]?.values ?? []) {
        const index = Math.round((atSeconds * 1000 - startMs) / stepMs);
        const value = Number(raw);
        if (index >= 0 && index < count && Number.isFinite(value)) values[index] = value;
      }
    }
    return { startMs, stepMs, values };
  }

  private url(path: string, params: Record<string, string>): URL {
    const url = new URL(`${this.options.serverAddress}${path}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    for (const [name, value] of this.options.queryParameters) url.searchParams.set(name, value);
    return url;
  }

  private async call(url: URL, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { status, body } = await getJson({
      url,
      headers: this.options.customHeaders,
      timeoutMs: this.timeoutMs,
      unsafeSsl: this.options.unsafeSsl,
      signal,
    });
    const envelope = (body ?? {}) as {
      status?: string;
      data?: Record<string, unknown>;
      errorType?: string;
      error?: string;
    };
    if (status === 200 && envelope.status === 'success' && envelope.data) return envelope.data;
    const detail = envelope.error ? `${envelope.errorType ?? 'error'}: ${envelope.error}` : `HTTP ${status}`;
    if (status === 400 || status === 422) {
      throw new UpstreamDataError(`Prometheus rejected the query (${detail})`, 'bad_response');
    }
    throw new UpstreamUnavailableError(
      `Prometheus at ${this.options.serverAddressRedacted} answered ${detail}`,
      'http_status',
    );
  }
}

function parseSampleValue(raw: string): number {
  // Prometheus writes NaN and ±Inf as strings; Number() reads "NaN", "+Inf" and "-Inf" correctly only in part.
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return Number(raw);
}
