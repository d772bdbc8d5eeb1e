import { status } from '@grpc/grpc-js';
import pino from 'pino';
import {
  STARTUP_TIME_REFRESH_MS,
  StartupTimeReader,
  type StartupTimeQueryConfig,
} from '../../src/sources/startup-time-query';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';
import type { TestExporter } from '../support/exporter';
import { startKubeStateMetrics } from '../support/kube-state-metrics';
import { waitFor } from '../support/ports';
import { startPrometheus, waitForSeries, type TestPrometheus } from '../support/prometheus';
import { grpcError, kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

/** The query docs/metadata.md gives under "Measuring startupTime", for the vllm pods of namespace ml. */
const STARTUP_QUERY =
  'quantile(0.9, kube_pod_status_ready_time{namespace="ml", pod=~"vllm-.*"} - on (namespace, pod) kube_pod_created{namespace="ml", pod=~"vllm-.*"})';

// Two vllm pods that took 95 s and 150 s to turn Ready; the api pod, 4 s, is not the workload's.
const PODS = [
  { namespace: 'ml', pod: 'vllm-7d9f-a', createdSeconds: 1_764_950_000, readySeconds: 1_764_950_095 },
  { namespace: 'ml', pod: 'vllm-7d9f-b', createdSeconds: 1_764_950_100, readySeconds: 1_764_950_250 },
  { namespace: 'ml', pod: 'api-5c1e-a', createdSeconds: 1_764_950_000, readySeconds: 1_764_950_004 },
];
/** Prometheus's quantile(0.9) of 95 and 150: 95 + 0.9 × 55. */
const EXPECTED_SECONDS = 144.5;

describe('startupTimeQuery against a real Prometheus scraping kube-state-metrics series', () => {
  let exporter: TestExporter;
  let prometheus: TestPrometheus;

  beforeAll(async () => {
    exporter = await startKubeStateMetrics(PODS);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
    await waitForSeries(prometheus, 'kube_pod_status_ready_time');
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });

  it('the documented query gives the workload’s start-up time', async () => {
    const [result] = await prometheus.query(STARTUP_QUERY);
    expect(Number(result!.value[1])).toBeCloseTo(EXPECTED_SECONDS, 9);
  });

  describe('through the scaler', () => {
    let scaler: TestScaler;

    beforeAll(async () => {
      scaler = await startTestScaler({ EVALUATION_TTL: '0s' });
    });

    afterAll(async () => {
      await scaler?.stop();
    });

    const metricsText = async () => (await fetch(`http://127.0.0.1:${scaler.httpPort}/metrics`)).text();

    it('takes the measured start-up time once the query answers, and exports it', async () => {
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(30)',
        threshold: '10',
        startupTime: '2m',
        startupTimeQuery: STARTUP_QUERY,
      });
      const name = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
      const series = (from: string) =>
        `keda_predictive_scaler_startup_time_seconds{namespace="default",scaled_object="orders-worker",metric="${name}",from="${from}"}`;
      // The first evaluation does not wait for the query: it buys for startupTime.
      expect((await scaler.client.getMetrics(ref, name)).metricValues[0]!.metricValueFloat).toBe(30);
      expect(await metricsText()).toContain(`${series('metadata')} 120\n`);
      await waitFor(
        'the measured start-up time in use',
        async () => {
          await scaler.client.getMetrics(ref, name);
          return (await metricsText()).includes(`${series('query')} ${EXPECTED_SECONDS}\n`) || undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      const text = await metricsText();
      expect(text).not.toContain(series('metadata'));
      expect(
        scaler.logs.lines.find((line) => line.msg === 'start-up time from startupTimeQuery'),
      ).toMatchObject({ metric: name, startupTimeMs: EXPECTED_SECONDS * 1000 });
    });

    it('refuses a rabbitmq trigger with a startupTimeQuery and no Prometheus to ask', async () => {
      const error = await grpcError(
        scaler.client.getMetricSpec(
          kedaRef({
            source: 'rabbitmq',
            host: 'amqp://guest:guest@127.0.0.1:5672/',
            queueName: 'celery',
            value: '10',
            startupTimeQuery: STARTUP_QUERY,
          }),
        ),
      );
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toContain('metadata key "startupTimeServerAddress" is required');
    });
  });

  it('a rabbitmq trigger asks startupTimeServerAddress, and keeps its answer while that is down', async () => {
    const own = await startPrometheus({ scrapeTargets: [exporter.target] });
    try {
      await waitForSeries(own, 'kube_pod_status_ready_time');
      const config = parseTriggerMetadata({
        source: 'rabbitmq',
        host: 'amqp://guest:guest@127.0.0.1:5672/',
        queueName: 'celery',
        value: '10',
        startupTimeQuery: STARTUP_QUERY,
        startupTimeServerAddress: own.url,
      }) as StartupTimeQueryConfig;
      const reader = new StartupTimeReader(config, pino({ level: 'silent' }));
      const settledAt = async (nowMs: number) => {
        reader.current(nowMs);
        await reader.settled();
        return reader.current(nowMs);
      };
      expect(await settledAt(0)).toEqual({ ms: EXPECTED_SECONDS * 1000, measured: true });
      await own.stop();
      expect(await settledAt(STARTUP_TIME_REFRESH_MS)).toEqual({
        ms: EXPECTED_SECONDS * 1000,
        measured: true,
      });
      reader.close();
    } finally {
      await own.stop();
    }
  }, 60_000);
});
