import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { MetadataError, UpstreamDataError, UpstreamUnavailableError } from '../../errors';
import type { RegularSeries } from '../../forecast/types';
import type { HttpQueryOptions, SourceTlsFiles } from '../http-options';
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
  private readonly headers: Array<[string, string]>;
  /** The trigger's own agent when it has TLS settings; otherwise the shared ones of `getJson`. */
  private readonly httpsAgent: https.Agent | undefined;

  /** Throws `MetadataError` naming the key of a TLS file that cannot be read or used. */
  constructor(
    private readonly options: HttpQueryOptions,
    private readonly timeoutMs: number,
  ) {
    this.headers = [...options.customHeaders, ...options.credentialHeaders];
    this.httpsAgent = httpsAgentFor(options.tls, options.sourceUnsafeSsl);
  }

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

  /** Closes the trigger's own TLS connections; the shared agents stay. */
  close(): void {
    this.httpsAgent?.destroy();
  }

  private url(path: string, params: Record<string, string>): URL {
    const url = new URL(`${this.options.serverAddress}${path}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    if (this.options.namespace !== undefined) url.searchParams.set('namespace', this.options.namespace);
    for (const [name, value] of this.options.queryParameters) url.searchParams.set(name, value);
    return url;
  }

  private async call(url: URL, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { status, body } = await getJson({
      url,
      headers: this.headers,
      timeoutMs: this.timeoutMs,
      httpsAgent: this.httpsAgent,
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
    // Refused credentials are an operator's fix, not Prometheus being down: say where to look.
    const hint = status === 401 || status === 403 ? ' (check authModes and its credentials)' : '';
    throw new UpstreamUnavailableError(
      `Prometheus at ${this.options.serverAddressRedacted} answered ${detail}${hint}`,
      'http_status',
    );
  }
}

/** A CA bundle is a few hundred KiB at most. */
const MAX_PEM_FILE_BYTES = 1024 * 1024;

/**
 * Only a regular file of bounded size is read: the path comes from trigger metadata, and `/dev/zero` or a
 * FIFO would otherwise hang the process or exhaust its memory.
 */
function readPemFile(key: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  const expected = `a readable PEM file of at most 1 MiB mounted into the scaler pod`;
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_PEM_FILE_BYTES) {
      throw new MetadataError(key, file, `${expected} (not a regular file of that size)`);
    }
    return readFileSync(fd);
  } catch (error) {
    if (error instanceof MetadataError) throw error;
    throw new MetadataError(
      key,
      file,
      `${expected} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The files are read when the source is built, so a renewed certificate is used by triggers set up after
 * it was mounted (and by all after a restart). Node's error names the file's problem, never its content.
 */
function httpsAgentFor(files: SourceTlsFiles, unsafeSsl: boolean): https.Agent | undefined {
  if (files.caFile === undefined && files.certFile === undefined && !unsafeSsl) return undefined;
  const ca = readPemFile('sourceCaFile', files.caFile);
  const cert = readPemFile('sourceCertFile', files.certFile);
  const key = readPemFile('sourceKeyFile', files.keyFile);
  // Checked here, not at the first request: a wrong file is a configuration error, not an outage.
  const check = (blamed: string, file: string | undefined, attempt: () => unknown) => {
    try {
      attempt();
    } catch (error) {
      throw new MetadataError(blamed, file, `a usable PEM file (${(error as Error).message})`);
    }
  };
  // createSecureContext ignores a `ca` it cannot parse; X509Certificate does not.
  if (ca !== undefined) check('sourceCaFile', files.caFile, () => new X509Certificate(ca));
  if (cert !== undefined) check('sourceCertFile', files.certFile, () => createSecureContext({ cert }));
  if (cert !== undefined && key !== undefined) {
    check('sourceKeyFile', files.keyFile, () => createSecureContext({ cert, key }));
  }
  return new https.Agent({
    keepAlive: true,
    maxSockets: 64,
    // Node's default list is replaced by `ca`: a private CA is added to it, so public servers still verify.
    ca: ca === undefined ? undefined : [...rootCertificates, ca.toString('utf8')],
    cert,
    key,
    rejectUnauthorized: !unsafeSsl,
  });
}

function parseSampleValue(raw: string): number {
  // Prometheus writes NaN and ±Inf as strings; Number() reads "NaN", "+Inf" and "-Inf" correctly only in part.
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return Number(raw);
}
