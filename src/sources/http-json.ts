import http from 'node:http';
import https from 'node:https';
import { UpstreamDataError, UpstreamUnavailableError } from '../errors';
import { redactSecrets } from '../util/redact';

export interface HttpJsonRequest {
  url: URL;
  headers?: Array<[string, string]>;
  timeoutMs: number;
  unsafeSsl?: boolean;
  /** An https agent of the caller's own (client certificate, private CA); `unsafeSsl` is then not used. */
  httpsAgent?: https.Agent;
  signal?: AbortSignal;
}

const keepAlive = { keepAlive: true, maxSockets: 64 };
const agents = {
  http: new http.Agent(keepAlive),
  https: new https.Agent(keepAlive),
  httpsUnsafe: new https.Agent({ ...keepAlive, rejectUnauthorized: false }),
};

/**
 * GET a JSON document with a hard deadline. node:http rather than fetch because `unsafeSsl` needs a
 * per-request TLS setting that fetch does not offer without extra packages. Failures carry the URL with
 * credentials removed.
 */
export function getJson(request: HttpJsonRequest): Promise<{ status: number; body: unknown }> {
  const { url } = request;
  // Only failures name the URL: built on demand, it costs the answered reads nothing.
  const shown = (): string => redactSecrets(`${url.origin}${url.pathname}`);
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string> = { accept: 'application/json' };
    if (url.username || url.password) {
      const basic = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    for (const [name, value] of request.headers ?? []) headers[name] = value;
    const req = (isHttps ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
        agent: isHttps
          ? (request.httpsAgent ?? (request.unsafeSsl ? agents.httpsUnsafe : agents.https))
          : agents.http,
        signal: request.signal,
      },
      (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (part: Buffer) => {
          size += part.length;
          // A runaway response must not take the process's memory with it.
          if (size > 16 * 1024 * 1024) {
            req.destroy(
              new UpstreamDataError(`response from ${shown()} is larger than 16 MiB`, 'bad_response'),
            );
            return;
          }
          parts.push(part);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(parts).toString('utf8');
          let body: unknown;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = text.slice(0, 500);
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(toUpstreamError(error, shown(), request.timeoutMs));
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(
        new UpstreamUnavailableError(`${shown()} did not answer within ${request.timeoutMs} ms`, 'timeout'),
      );
    }, request.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(toUpstreamError(error, shown(), request.timeoutMs));
    });
    req.end();
  });
}

function toUpstreamError(error: Error, shown: string, timeoutMs: number): Error {
  if (error instanceof UpstreamUnavailableError || error instanceof UpstreamDataError) return error;
  if (error.name === 'AbortError') {
    return new UpstreamUnavailableError(
      `request to ${shown} was cancelled after at most ${timeoutMs} ms`,
      'timeout',
      {
        cause: error,
      },
    );
  }
  const code = (error as NodeJS.ErrnoException).code;
  return new UpstreamUnavailableError(
    `cannot reach ${shown}: ${code ?? redactSecrets(error.message)}`,
    'unreachable',
    {
      cause: error,
    },
  );
}
