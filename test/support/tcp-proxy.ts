import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a loopback port in front of a real server, so a test can take the network away from the
 * scaler (and give it back) without stopping a server other suites share.
 */
export interface TcpProxy {
  port: number;
  /** Connections open through the proxy now. */
  connections(): number;
  /** Drops every open connection and refuses new ones, as a stopped broker or a cut link does. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let server: Server | undefined;
  let port = 0;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(target);
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        const drop = (): void => {
          pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop);
        upstream.on('error', drop);
        client.on('close', drop);
        upstream.on('close', drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.address();
        if (typeof address === 'object' && address) port = address.port;
        server = next;
        resolve();
      });
    });

  // close() calls back only once every accepted connection has ended, so they are destroyed first.
  const cut = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    const closed = closing ? new Promise<void>((resolve) => closing.close(() => resolve())) : undefined;
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    await closed;
  };

  await listen();
  return {
    port,
    connections: () => pairs.size,
    cut,
    restore: async () => {
      if (!server) await listen();
    },
    close: cut,
  };
}
