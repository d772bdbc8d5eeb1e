import {
  credentials,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { Writable } from 'node:stream';
import type pino from 'pino';
import { forecastFrom, startScaler, type Scaler, type ScalerDeps } from '../../src/app';
import { readSettings, type Settings } from '../../src/config/settings';
import { createLogger } from '../../src/logger';
import { loadExternalScalerProto } from '../../src/server/proto';

/** Every JSON log line the scaler wrote, parsed, for assertions on logs. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  raw = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    const text = chunk.toString();
    this.raw += text;
    for (const line of text.split('\n'))
      if (line.trim() !== '') this.lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }
}

export interface TestScaler extends Scaler {
  logs: LogCapture;
  client: ExternalScalerClient;
}

/** The scaler in-process on loopback with free ports and captured logs. */
export async function startTestScaler(
  env: Record<string, string> = {},
  deps: Partial<ScalerDeps> = {},
): Promise<TestScaler> {
  const settings: Settings = readSettings({
    GRPC_PORT: '0',
    HTTP_PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: 'debug',
    SHUTDOWN_GRACE: '2s',
    ...env,
  });
  const logs = new LogCapture();
  const logger = deps.logger ?? createLogger(settings.logLevel, logs as unknown as pino.DestinationStream);
  const scaler = await startScaler(settings, { forecast: forecastFrom(settings), ...deps, logger });
  const client = externalScalerClient(`127.0.0.1:${scaler.grpcPort}`);
  return {
    ...scaler,
    logs,
    client,
    stop: async () => {
      client.close();
      await scaler.stop();
    },
  };
}

export interface ScaledObjectRefMessage {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}

/** A client built from the proto at test time, called the way KEDA calls the scaler. */
export interface ExternalScalerClient {
  isActive(ref: ScaledObjectRefMessage): Promise<{ result: boolean }>;
  getMetricSpec(
    ref: ScaledObjectRefMessage,
  ): Promise<{ metricSpecs: Array<{ metricName: string; targetSize: number; targetSizeFloat: number }> }>;
  getMetrics(
    ref: ScaledObjectRefMessage,
    metricName: string,
  ): Promise<{ metricValues: Array<{ metricName: string; metricValue: number; metricValueFloat: number }> }>;
  streamIsActive(ref: ScaledObjectRefMessage): ClientReadableStream<{ result: boolean }>;
  raw: Client;
  close(): void;
}

export function externalScalerClient(
  address: string,
  creds: ChannelCredentials = credentials.createInsecure(),
  options = {},
): ExternalScalerClient {
  const { service } = loadExternalScalerProto();
  const client = new service(address, creds, options) as Client &
    Record<string, (...args: unknown[]) => unknown>;
  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + 20_000);
      (client[method] as (r: unknown, m: object, cb: (e: ServiceError | null, v: T) => void) => void).call(
        client,
        request,
        { deadline },
        (error, value) => (error ? reject(error) : resolve(value)),
      );
    });
  return {
    isActive: (ref) => call('IsActive', ref),
    getMetricSpec: (ref) => call('GetMetricSpec', ref),
    getMetrics: (ref, metricName) => call('GetMetrics', { scaledObjectRef: ref, metricName }),
    streamIsActive: (ref) =>
      (client.StreamIsActive as (r: unknown) => ClientReadableStream<{ result: boolean }>).call(client, ref),
    raw: client,
    close: () => client.close(),
  };
}

/** KEDA passes the whole trigger metadata, its own `scalerAddress` included. */
export function kedaRef(
  scalerMetadata: Record<string, string>,
  name = 'orders-worker',
  namespace = 'default',
): ScaledObjectRefMessage {
  return {
    name,
    namespace,
    scalerMetadata: { scalerAddress: 'keda-predictive-scaler.keda.svc:9090', ...scalerMetadata },
  };
}

/** Settles a promise that must fail, and returns its gRPC error. */
export async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}
