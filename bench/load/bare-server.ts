/**
 * The baseline of the load benchmark: a @grpc/grpc-js server with the scaler's service definition and
 * server options whose handlers return constants. Whatever the scaler costs beyond this is its own work
 * (parsing, evaluation, source reads, Redis, metrics). Run alone with
 * `npx tsx bench/load/bare-server.ts [port]`: it prints `LISTENING <port>` and stops on SIGTERM.
 */
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { GRPC_SERVER_OPTIONS } from '../../src/server/grpc-server-options';
import { loadExternalScalerProto } from '../../src/server/proto';

export interface BareServer {
  port: number;
  stop(): Promise<void>;
}

const METRIC_SPEC = {
  metricSpecs: [{ metricName: 'prometheus-bench', targetSize: 10, targetSizeFloat: 10 }],
};
const METRICS = {
  metricValues: [{ metricName: 'prometheus-bench', metricValue: 5, metricValueFloat: 5 }],
};

/** Starts the constant-answer server on `host:port` (port 0 picks a free one). */
export async function startBareServer(host = '127.0.0.1', port = 0): Promise<BareServer> {
  const { service } = loadExternalScalerProto();
  const server = new Server(GRPC_SERVER_OPTIONS);
  const constant =
    <T>(value: T) =>
    (_call: ServerUnaryCall<unknown, T>, callback: sendUnaryData<T>): void =>
      callback(null, value);
  server.addService(service.service, {
    GetMetricSpec: constant(METRIC_SPEC),
    GetMetrics: constant(METRICS),
    IsActive: constant({ result: true }),
    StreamIsActive: (call: ServerWritableStream<unknown, { result: boolean }>) => {
      call.write({ result: true });
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000).unref();
      }),
  };
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? 0);
  startBareServer('127.0.0.1', Number.isInteger(port) ? port : 0)
    .then((server) => {
      process.stdout.write(`LISTENING ${server.port}\n`);
      const stop = (): void => void server.stop().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    })
    .catch((error: unknown) => {
      process.stderr.write(`bare server failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
