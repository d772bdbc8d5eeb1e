import type {
  sendUnaryData,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { NotFoundError } from '../errors';
import type { ScalerMetrics } from '../metrics/scaler-metrics';
import type { ActivationWatcher } from './activation-watcher';
import { toServiceError } from './status';
import type { TriggerEvaluator } from './trigger-evaluator';
import type { ScaledObjectRef, TriggerRegistry } from './trigger-registry';

interface GetMetricsRequest {
  scaledObjectRef: ScaledObjectRef | null;
  metricName: string;
}

export interface ExternalScalerDeps {
  registry: TriggerRegistry;
  evaluator: TriggerEvaluator;
  watcher: ActivationWatcher;
  metrics: ScalerMetrics;
  logger: Logger;
}

/** Open push streams, so shutdown can end them with status OK. */
export type StreamSet = Set<ServerWritableStream<ScaledObjectRef, { result: boolean }>>;

// KEDA prefixes metric names with the trigger index (`s0-`) for the HPA; accept the name with or without it.
const TRIGGER_INDEX_PREFIX = /^s\d+-/;

/**
 * The four ExternalScaler RPCs. Each unary handler calls back exactly once and returns; every error is
 * mapped in status.ts.
 */
export function externalScalerService(
  deps: ExternalScalerDeps,
  streams: StreamSet,
): UntypedServiceImplementation {
  const { registry, evaluator, watcher, metrics, logger } = deps;

  function unary<Req, Res>(rpc: string, handler: (request: Req) => Res | Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      const stopTimer = metrics.grpcDuration.startTimer({ rpc });
      const finish = (code: status): void => {
        const label = status[code] ?? String(code);
        stopTimer({ code: label });
        metrics.grpcRequests.inc({ rpc, code: label });
      };
      let result: Res | Promise<Res>;
      try {
        result = handler(call.request);
      } catch (error) {
        reply(error);
        return;
      }
      Promise.resolve(result).then(
        (value) => {
          finish(status.OK);
          callback(null, value);
        },
        (error: unknown) => reply(error),
      );

      function reply(error: unknown): void {
        const serviceError = toServiceError(error);
        finish(serviceError.code);
        if (serviceError.code === status.INTERNAL) logger.error({ rpc, err: error }, 'internal error');
        else
          logger.debug(
            { rpc, code: status[serviceError.code], details: serviceError.details },
            'call failed',
          );
        callback(serviceError);
      }
    };
  }

  return {
    GetMetricSpec: unary('GetMetricSpec', (ref: ScaledObjectRef) => {
      // From metadata alone: KEDA calls this on every poll and it must never touch the network. Resolving
      // the handle here too makes a ScaledObject's first call the one that reports its metadata warnings.
      const { config } = registry.resolve(ref);
      const target = config.target * config.valueScale;
      return {
        metricSpecs: [
          {
            metricName: config.metricName,
            targetSize: Math.max(1, Math.round(target)),
            targetSizeFloat: target,
          },
        ],
      };
    }),

    IsActive: unary('IsActive', async (ref: ScaledObjectRef) => {
      const evaluation = await evaluator.evaluate(registry.resolve(ref));
      return { result: evaluation.active };
    }),

    GetMetrics: unary('GetMetrics', async (request: GetMetricsRequest) => {
      const handle = registry.resolve(
        request.scaledObjectRef ?? { name: '', namespace: '', scalerMetadata: {} },
      );
      const asked = request.metricName.toLowerCase().replace(TRIGGER_INDEX_PREFIX, '');
      if (asked !== '' && asked !== handle.config.metricName) {
        throw new NotFoundError(
          `metric "${request.metricName}" is not this trigger's; GetMetricSpec named it "${handle.config.metricName}"`,
        );
      }
      const evaluation = await evaluator.evaluate(handle);
      const value = evaluation.value * handle.config.valueScale;
      return {
        metricValues: [
          {
            metricName: handle.config.metricName,
            metricValue: Math.min(Number.MAX_SAFE_INTEGER, Math.round(value)),
            metricValueFloat: value,
          },
        ],
      };
    }),

    StreamIsActive: (call: ServerWritableStream<ScaledObjectRef, { result: boolean }>): void => {
      let handle;
      try {
        handle = registry.resolve(call.request);
      } catch (error) {
        call.emit('error', toServiceError(error));
        return;
      }
      const labels = handle.labels;
      let lastActive: boolean | undefined;
      streams.add(call);
      const stop = watcher.watch(handle, (outcome) => {
        // A failed evaluation keeps the stream open and the poller retries: ending it would make KEDA back
        // off up to 60 s before it re-opens, and a wake-up in that window would be lost. KEDA's own IsActive
        // polls meanwhile see the error and apply the fallback.
        if (outcome instanceof Error) return;
        if (lastActive === undefined) {
          call.write({ result: outcome });
        } else if (outcome && !lastActive) {
          logger.info({ ...labels }, 'push: trigger became active');
          call.write({ result: true });
        }
        lastActive = outcome;
      });
      function cleanup(): void {
        stop();
        streams.delete(call);
      }
      call.on('cancelled', cleanup);
      call.on('close', cleanup);
      call.on('error', cleanup);
    },
  };
}
