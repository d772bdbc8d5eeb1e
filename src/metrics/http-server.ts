import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { redactSecrets } from '../util/redact';

/** Extra routes mounted on the HTTP port (the forecast API); return false to fall through to 404. */
export type HttpRoute = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
) => Promise<boolean> | boolean;

export interface HttpServerOptions {
  port: number;
  host: string;
  registry: Registry;
  logger: Logger;
  /** Resolves when the scaler can serve (listening, and Redis answering when configured). */
  readiness: () => Promise<{ ready: boolean; detail: string }>;
  routes?: HttpRoute[];
  /** Said after "no route for …": where the answers a lost client looks for live. */
  notFoundHint?: string;
}

/** `/metrics`, `/healthz`, `/readyz` and any extra routes, on node:http: nothing here needs a framework. */
export async function startHttpServer(
  options: HttpServerOptions,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      options.logger.error({ err: error, path: req.url }, 'http handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const body = await options.registry.metrics();
      res.writeHead(200, { 'content-type': options.registry.contentType });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const { ready, detail } = await options.readiness();
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', detail });
      return;
    }
    for (const route of options.routes ?? []) {
      if (await route(req, res, url)) return;
    }
    const hint = options.notFoundHint === undefined ? '' : `: ${options.notFoundHint}`;
    sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}${hint}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * Every string of every JSON answer is redacted once more on its way out. Messages are redacted where they
 * enter (the decision log, workload sampling, ApiError); this catches a route added later that forgets to,
 * and redacting twice changes nothing.
 */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(
    JSON.stringify(body, (_key, value: unknown) =>
      typeof value === 'string' ? redactSecrets(value) : value,
    ),
  );
}
