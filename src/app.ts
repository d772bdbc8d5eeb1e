import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { capacityRoutes } from './capacity/http-api';
import type { Settings } from './config/settings';
import {
  ForecastService,
  forecastServiceSettings,
  type ForecastServiceDeps,
  type ForecastServiceSettings,
} from './forecast/lifecycle/forecast-service';
import { NO_FORECAST, type ForecastPort } from './forecast/port/forecast-port';
import { ScalerMetrics } from './metrics/scaler-metrics';
import { startHttpServer } from './metrics/http-server';
import { ROUTES_HINT, legacyRoutes } from './capacity/legacy-aliases';
import { WorkloadForecasts, workloadRoutes } from './capacity/workload-api';
import { readWorkloadsFile } from './capacity/workload-file';
import { WorkloadTracker, workloadState } from './capacity/workload-tracker';
import { DecisionLog } from './decision/decision-log';
import { ActivationWatcher } from './server/activation-watcher';
import { decisionRoutes } from './server/decision-api';
import { statusPageRoutes } from './server/status-page';
import { externalScalerService, type StreamSet } from './server/external-scaler.service';
import { GRPC_SERVER_OPTIONS } from './server/grpc-server-options';
import { loadExternalScalerProto } from './server/proto';
import { TriggerEvaluator } from './server/trigger-evaluator';
import { TriggerRegistry } from './server/trigger-registry';
import type { SourceDeps } from './sources/source-deps';
import { createAmqpConnectionPool } from './sources/rabbitmq/amqp-connection-pool';
import { sourceKindOf } from './sources/source-kinds';
import type { TriggerConfig } from './sources/trigger-metadata';
import { createStore } from './store/create-store';
import type { StateStore } from './store/state-store';
import { redactSecrets } from './util/redact';

/** Everything a running scaler is made of, for tests and for the HTTP API. */
export interface Scaler {
  grpcPort: number;
  httpPort: number;
  store: StateStore;
  metrics: ScalerMetrics;
  registry: TriggerRegistry;
  evaluator: TriggerEvaluator;
  forecast: ForecastService | undefined;
  /** The workloads of `WORKLOADS_FILE`, sampled and planned without a ScaledObject. */
  workloads: WorkloadTracker;
  /** SIGTERM behaviour: stop accepting, finish in-flight calls, end push streams with OK, close. */
  stop(): Promise<void>;
}

export interface ScalerDeps {
  logger: Logger;
  clock?: () => number;
  store?: StateStore;
  /** Builds the forecast service from the scaler's parts (see `forecastFrom`); live-only when omitted. */
  forecast?: (deps: ForecastServiceDeps) => ForecastService;
}

/** The forecast service as the process settings ask for it; `overrides` let tests change a setting. */
export function forecastFrom(
  settings: Settings,
  overrides: Partial<ForecastServiceSettings> = {},
): (deps: ForecastServiceDeps) => ForecastService {
  return (deps) => new ForecastService(deps, { ...forecastServiceSettings(settings), ...overrides });
}

const HEALTH_SERVICES = ['', 'externalscaler.ExternalScaler'];

/** The composition root shared by main.ts and the tests: builds every part and starts both servers. */
export async function startScaler(settings: Settings, deps: ScalerDeps): Promise<Scaler> {
  const { logger } = deps;
  const clock = deps.clock ?? Date.now;
  const store =
    deps.store ??
    createStore(settings.redisUrl, {
      keyPrefix: settings.redisKeyPrefix,
      logger,
      modelHistoryVersions: settings.modelHistoryVersions,
    });
  const metrics = new ScalerMetrics(new Registry());
  const sourceDeps: SourceDeps = { logger, amqp: createAmqpConnectionPool({ logger }) };
  const registry = new TriggerRegistry(clock, undefined, (handle) => {
    metrics.metadataWarnings.set(handle.labels, handle.warnings.length);
    for (const warning of handle.warnings) {
      logger.warn(
        { ...handle.labels, key: warning.key },
        `trigger metadata: ${warning.key}: ${warning.message}`,
      );
    }
  });
  // The evaluator asks the forecast through this indirection because the forecast runtime, built next,
  // reads history through the evaluator's sources.
  let forecastPort: ForecastPort = NO_FORECAST;
  const decisionLog = new DecisionLog();
  const evaluator = new TriggerEvaluator({
    store,
    metrics,
    logger,
    decisionLog,
    forecast: {
      view: (config, nowMs) => forecastPort.view(config, nowMs),
      observe: (config, reading) => forecastPort.observe(config, reading),
      retrain: (config, drift) => forecastPort.retrain?.(config, drift),
    },
    sourceDeps,
    clock,
    evaluationTtlMs: settings.evaluationTtlMs,
    driftWindowMs: settings.driftWindowMs,
  });
  const forecast = deps.forecast?.({
    store,
    metrics,
    logger,
    clock,
    sourceFor: (config) => evaluator.sourceFor(config),
  });
  if (forecast) forecastPort = forecast;
  // The forecast API reads the same store and names the triggers KEDA asked about.
  const capacity =
    forecast &&
    capacityRoutes({
      store,
      triggers: registry,
      clock,
      logger,
      adminToken: settings.adminToken,
      // A model missing now is looked for again at the next training attempt, at most a minute away.
      retryAfterSeconds: Math.ceil(Math.min(settings.retrainIntervalMs, 60_000) / 1000),
    });
  // Read before anything listens: a mistake in the file stops the start with its entry and key named.
  const workloads = new WorkloadTracker(
    settings.workloadsFile === undefined ? [] : readWorkloadsFile(settings.workloadsFile),
    {
      forecast: forecastPort,
      sourceFor: (config) => evaluator.sourceFor(config),
      clock,
      logger,
    },
  );
  const workloadForecasts = new WorkloadForecasts({
    workloads,
    store,
    clock,
    logger,
    retryAfterSeconds: Math.ceil(Math.min(settings.retrainIntervalMs, 60_000) / 1000),
  });
  const routes = [
    ...statusPageRoutes({
      triggers: registry,
      decisions: decisionLog,
      store,
      clock,
      workloads: () =>
        workloads.workloads.map((w) => ({
          name: w.name,
          namespace: w.namespace,
          state: workloadState(workloads, w),
        })),
    }),
    ...decisionRoutes({ triggers: registry, decisions: decisionLog }),
    ...workloadRoutes(workloadForecasts),
    ...legacyRoutes(workloadForecasts),
    ...(capacity ?? []),
  ];
  const watcher = new ActivationWatcher(
    evaluator,
    (handle) =>
      sourceKindOf(handle.config).pushPolling === 'fast'
        ? settings.pushPollIntervalMs
        : settings.pushPollIntervalSlowMs,
    logger,
  );

  const { packageDefinition, service } = loadExternalScalerProto();
  const server = new Server(GRPC_SERVER_OPTIONS);
  const streams: StreamSet = new Set();
  server.addService(
    service.service,
    externalScalerService({ registry, evaluator, watcher, metrics, logger }, streams),
  );
  const health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((name) => [name, 'SERVING'])),
  );
  health.addToServer(server);
  new ReflectionService(packageDefinition).addToServer(server);

  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${settings.bindAddress}:${settings.grpcPort}`,
      serverCredentials(settings),
      (error, port) => (error ? reject(error) : resolve(port)),
    ),
  );

  let listening = true;
  let storeSeen = false;
  const { server: httpServer, port: httpPort } = await startHttpServer({
    port: settings.httpPort,
    host: settings.bindAddress,
    registry: metrics.registry,
    logger,
    routes,
    notFoundHint: ROUTES_HINT,
    // Ready once Redis has answered; a later Redis outage is reported but keeps the replica ready, because
    // it still answers KEDA from live sources and the models it holds.
    readiness: async () => {
      if (!listening) return { ready: false, detail: 'shutting down' };
      try {
        await store.ping();
        storeSeen = true;
        return { ready: true, detail: `store: ${store.kind}` };
      } catch (error) {
        const detail = `store ${store.kind} not answering: ${redactSecrets((error as Error).message)}`;
        return storeSeen
          ? { ready: true, detail: `${detail} (serving from memory)` }
          : { ready: false, detail };
      }
    },
  });

  const sweeper = setInterval(
    () => {
      const gone = registry.sweep(settings.triggerIdleMs);
      if (gone.length === 0) return;
      // ScaledObjects with identical metadata share one config and so one source.
      const inUse = new Set<TriggerConfig>();
      for (const handle of registry.all()) inUse.add(handle.config);
      for (const handle of gone) {
        metrics.forgetTrigger(handle.labels);
        evaluator.forget(handle, { releaseSource: !inUse.has(handle.config) });
      }
    },
    Math.min(settings.triggerIdleMs, 60_000),
  );
  sweeper.unref();
  workloads.start();

  logger.info(
    {
      grpcPort,
      httpPort,
      store: store.kind,
      workloads: workloads.workloads.length,
      tls: Boolean(settings.tlsCertFile),
      mtls: Boolean(settings.tlsCaFile),
    },
    'keda-predictive-scaler listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      listening = false;
      clearInterval(sweeper);
      for (const name of HEALTH_SERVICES) health.setStatus(name, 'NOT_SERVING');
      watcher.stop();
      await workloads.stop();
      for (const call of streams) call.end();
      streams.clear();
      await Promise.race([
        new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, settings.shutdownGraceMs).unref()),
      ]);
      server.forceShutdown();
      await closeHttp(httpServer);
      await forecast?.stop();
      await sourceDeps.amqp.close();
      await store.close();
      logger.info('keda-predictive-scaler stopped');
    })();
    return stopping;
  };

  return { grpcPort, httpPort, store, metrics, registry, evaluator, forecast, workloads, stop };
}

function serverCredentials(settings: Settings): ServerCredentials {
  if (settings.tlsCertFile === undefined || settings.tlsKeyFile === undefined)
    return ServerCredentials.createInsecure();
  const ca = settings.tlsCaFile === undefined ? null : readFileSync(settings.tlsCaFile);
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readFileSync(settings.tlsCertFile), private_key: readFileSync(settings.tlsKeyFile) }],
    ca !== null,
  );
}

function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}
