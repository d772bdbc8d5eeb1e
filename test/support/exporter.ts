import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestExporter {
  /** `host:port` for a Prometheus scrape config. */
  target: string;
  close(): Promise<void>;
}

/** A tiny HTTP server answering /metrics with whatever `render` returns in Prometheus text format. */
export async function startExporter(render: () => string): Promise<TestExporter> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/metrics')) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(render());
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
