import { Server, ServerCredentials } from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { externalScalerClient, type ExternalScalerClient } from '../../test/support/scaler';
import type { TriggerConfig } from '../sources/trigger-metadata';
import { UpstreamUnavailableError } from '../errors';
import type { ForecastPort, ForecastView } from '../forecast/port/forecast-port';
import type { ViewWindows } from '../forecast/port/forecast-view';
import { ScalerMetrics } from '../metrics/scaler-metrics';
import type { InstantSample } from '../sources/prometheus/prometheus-client';
import type { Reading, Source } from '../sources/source';
import { StartupTimeReader } from '../sources/startup-time-query';
import type { AmqpConnectionPool } from '../sources/source-deps';
import { MemoryStore } from '../store/memory-store';
import { ActivationWatcher } from './activation-watcher';
import { externalScalerService } from './external-scaler.service';
import { loadExternalScalerProto } from './proto';
import { TriggerEvaluator } from './trigger-evaluator';
import { TriggerRegistry, type TriggerHandle } from './trigger-registry';

/**
 * Fakes for the request path (registry → evaluator → gRPC service) with no Redis, broker or Prometheus:
 * a clock the test moves, a source the test scripts, and a forecast that records what it was asked.
 */

export const START_MS = Date.UTC(2025, 0, 6, 12, 0, 0);

/** A Prometheus trigger as KEDA sends it; the source behind it is always the fake. */
export const PROMETHEUS_METADATA: Readonly<Record<string, string>> = {
  source: 'prometheus',
  serverAddress: 'http://127.0.0.1:1',
  query: 'up',
  threshold: '5',
};

/** A clock that only moves when told. */
export class FakeClock {
  constructor(public nowMs = START_MS) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

type ReadBehaviour = (signal: AbortSignal | undefined) => Promise<Reading>;

/** A source whose next answers the test decides; counts its reads. */
export class FakeSource implements Source {
  readonly kind = 'fake';
  reads = 0;
  private behaviour: ReadBehaviour;

  constructor(private readonly clock: FakeClock) {
    this.behaviour = () => Promise.resolve({ value: 1, atMs: this.clock.nowMs });
  }

  read(signal?: AbortSignal): Promise<Reading> {
    this.reads++;
    return this.behaviour(signal);
  }

  /** Every following read answers `value`. */
  answers(value: number): this {
    this.behaviour = () => Promise.resolve({ value, atMs: this.clock.nowMs });
    return this;
  }

  /** Every following read fails with `error`. */
  fails(error: Error): this {
    this.behaviour = () => Promise.reject(error);
    return this;
  }

  /**
   * Every following read waits for the trigger's timeout and then fails as the HTTP sources do when it
   * passes (src/sources/http-json.ts): an `UpstreamUnavailableError` with reason `timeout`.
   */
  hangs(): this {
    this.behaviour = (signal) =>
      new Promise((_resolve, reject) => {
        const abort = (): void =>
          reject(new UpstreamUnavailableError('fake source did not answer in time', 'timeout'));
        if (signal === undefined) return;
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      });
    return this;
  }
}

/** A forecast port that answers `current` and records every call. */
export class FakeForecast implements ForecastPort {
  current: ForecastView | undefined;
  readonly viewed: Array<{ config: TriggerConfig; nowMs: number; windows: ViewWindows | undefined }> = [];
  readonly observed: Reading[] = [];

  view(config: TriggerConfig, nowMs: number, windows?: ViewWindows): ForecastView | undefined {
    this.viewed.push({ config, nowMs, windows });
    return this.current;
  }

  observe(_config: TriggerConfig, reading: Reading): void {
    this.observed.push({ ...reading });
  }
}

/** What a trigger's `startupTimeQuery` answers: a number of seconds the test sets, or a failure. */
export class FakeStartupTimeQuery {
  asked = 0;
  private answer: () => Promise<InstantSample[]> = () => Promise.reject(new Error('no answer scripted'));

  readonly ask = (): Promise<InstantSample[]> => {
    this.asked++;
    return this.answer();
  };

  answers(seconds: number): this {
    this.answer = () => Promise.resolve([{ labels: {}, value: seconds, atMs: 0 }]);
    return this;
  }

  fails(error: Error): this {
    this.answer = () => Promise.reject(error);
    return this;
  }
}

/** The fake source never reaches a broker: a pool that refuses to be used. */
const NO_AMQP: AmqpConnectionPool = {
  acquire: () => {
    throw new Error('the request-path fixtures read no broker');
  },
  size: 0,
  close: () => Promise.resolve(),
};

export interface RequestPath {
  clock: FakeClock;
  source: FakeSource;
  forecast: FakeForecast;
  startupTimeQuery: FakeStartupTimeQuery;
  store: MemoryStore;
  registry: TriggerRegistry;
  promRegistry: Registry;
  metrics: ScalerMetrics;
  logger: Logger;
  evaluator: TriggerEvaluator;
  /** The handle KEDA's call would resolve to, for a ScaledObject `shop/workers` by default. */
  handle(metadata?: Record<string, string>, name?: string): TriggerHandle;
  /** The registry's text exposition, as /metrics serves it. */
  metricsText(): Promise<string>;
}

/** Registry, evaluator and fakes wired as src/app.ts wires the real ones. */
export function requestPath(options: { evaluationTtlMs?: number } = {}): RequestPath {
  const clock = new FakeClock();
  const source = new FakeSource(clock);
  const forecast = new FakeForecast();
  const startupTimeQuery = new FakeStartupTimeQuery();
  const store = new MemoryStore(clock.now);
  const registry = new TriggerRegistry(clock.now);
  const promRegistry = new Registry();
  const metrics = new ScalerMetrics(promRegistry, { defaultMetrics: false });
  const logger = pino({ level: 'silent' });
  const evaluator = new TriggerEvaluator({
    store,
    metrics,
    logger,
    forecast,
    sourceDeps: { logger, amqp: NO_AMQP },
    clock: clock.now,
    evaluationTtlMs: options.evaluationTtlMs ?? 1_000,
    createSource: () => source,
    createStartupTimeReader: (config, readerLogger) =>
      new StartupTimeReader(config, readerLogger, startupTimeQuery.ask),
  });
  return {
    clock,
    source,
    forecast,
    startupTimeQuery,
    store,
    registry,
    promRegistry,
    metrics,
    logger,
    evaluator,
    handle: (metadata = {}, name = 'workers') =>
      registry.resolve({ namespace: 'shop', name, scalerMetadata: { ...PROMETHEUS_METADATA, ...metadata } }),
    metricsText: () => promRegistry.metrics(),
  };
}

export interface InProcessScaler {
  path: RequestPath;
  client: ExternalScalerClient;
  stop(): Promise<void>;
}

/** The ExternalScaler service on a real grpc-js server on loopback, in front of `requestPath()`. */
export async function startInProcessScaler(
  options: { evaluationTtlMs?: number; pushPollIntervalMs?: number } = {},
): Promise<InProcessScaler> {
  const path = requestPath(options);
  const { evaluator, registry, metrics, logger } = path;
  const pushPollIntervalMs = options.pushPollIntervalMs ?? 1_000;
  const watcher = new ActivationWatcher(evaluator, () => pushPollIntervalMs, logger);
  const server = new Server();
  server.addService(
    loadExternalScalerProto().service.service,
    externalScalerService({ registry, evaluator, watcher, metrics, logger }, new Set()),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = externalScalerClient(`127.0.0.1:${port}`);
  return {
    path,
    client,
    stop: async () => {
      client.close();
      watcher.stop();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
