import { status } from '@grpc/grpc-js';
import pino from 'pino';
import { parseTriggerMetadata, type GpuTriggerConfig } from '../../src/sources/trigger-metadata';
import { MetadataError, UpstreamUnavailableError } from '../../src/errors';
import { createGpuSource } from '../../src/sources/gpu/gpu.source';
import { createAmqpConnectionPool } from '../../src/sources/rabbitmq/amqp-connection-pool';
import type { Source } from '../../src/sources/source';
import { startDcgmExporter, type DcgmExporter, type FakeGpu } from '../support/dcgm-exporter';
import { waitFor } from '../support/ports';
import { startPrometheus, waitForSeries, type TestPrometheus } from '../support/prometheus';
import { grpcError, kedaRef, startTestScaler } from '../support/scaler';

const logger = pino({ level: 'silent' });
const deps = { logger, amqp: createAmqpConnectionPool({ logger }) };

type Metric = GpuTriggerConfig['metric'];
type Aggregation = GpuTriggerConfig['aggregation'];

/** Two nodes, five GPUs: four held by pods in two namespaces, one idle (no pod labels). */
const gpus: FakeGpu[] = [
  {
    gpu: '0',
    uuid: 'GPU-a0',
    hostname: 'node-a',
    pod: { namespace: 'ml', pod: 'vllm-0', container: 'vllm' },
    utilization: 80,
    fbUsedMiB: 60_000,
    fbFreeMiB: 20_000,
    temperature: 70,
  },
  {
    gpu: '1',
    uuid: 'GPU-a1',
    hostname: 'node-a',
    pod: { namespace: 'ml', pod: 'vllm-1', container: 'vllm' },
    utilization: 40,
    fbUsedMiB: 20_000,
    fbFreeMiB: 60_000,
    temperature: 61,
  },
  {
    gpu: '0',
    uuid: 'GPU-b0',
    hostname: 'node-b',
    pod: { namespace: 'ml', pod: 'vllm-2', container: 'vllm' },
    utilization: 100,
    fbUsedMiB: 72_000,
    fbFreeMiB: 8_000,
    temperature: 83,
  },
  {
    gpu: '1',
    uuid: 'GPU-b1',
    hostname: 'node-b',
    pod: { namespace: 'research', pod: 'trainer-0', container: 'train' },
    utilization: 12,
    fbUsedMiB: 8_000,
    fbFreeMiB: 72_000,
    temperature: 47,
  },
  {
    gpu: '2',
    uuid: 'GPU-b2',
    hostname: 'node-b',
    utilization: 0,
    fbUsedMiB: 0,
    fbFreeMiB: 81_000,
    temperature: 35,
  },
];

/** The selectors under test, each with the same filter written by hand. */
const SELECTORS: Array<[selector: string, matches: (gpu: FakeGpu) => boolean]> = [
  ['', () => true],
  ['namespace="ml"', (gpu) => gpu.pod?.namespace === 'ml'],
  [
    'pod=~"vllm-.*", Hostname="node-a"',
    (gpu) => (gpu.pod?.pod.startsWith('vllm-') ?? false) && gpu.hostname === 'node-a',
  ],
  ['{namespace!="ml"}', (gpu) => gpu.pod?.namespace !== 'ml'],
];

function perGpu(metric: Metric, gpu: FakeGpu): number {
  if (metric === 'utilization') return gpu.utilization;
  if (metric === 'temperature') return gpu.temperature;
  return (100 * gpu.fbUsedMiB) / (gpu.fbUsedMiB + gpu.fbFreeMiB);
}

function expected(metric: Metric, aggregation: Aggregation, matches: (gpu: FakeGpu) => boolean): number {
  const values = gpus.filter(matches).map((gpu) => perGpu(metric, gpu));
  if (aggregation === 'max') return Math.max(...values);
  const sum = values.reduce((a, b) => a + b, 0);
  return aggregation === 'sum' ? sum : sum / values.length;
}

describe('gpu source: DCGM exporter through a real Prometheus', () => {
  let exporter: DcgmExporter;
  let prometheus: TestPrometheus;

  const sourceFor = (metadata: Record<string, string>): Source =>
    createGpuSource(
      parseTriggerMetadata({
        source: 'gpu',
        serverAddress: prometheus.url,
        threshold: '80',
        ...metadata,
      }) as GpuTriggerConfig,
      deps,
    );

  beforeAll(async () => {
    exporter = await startDcgmExporter(gpus);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
    await waitForSeries(prometheus, 'DCGM_FI_DEV_GPU_TEMP');
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
    await deps.amqp.close();
  });

  describe.each(SELECTORS)('selector %j', (selector, matches) => {
    it.each([
      ['utilization', 'avg'],
      ['utilization', 'max'],
      ['utilization', 'sum'],
      ['memory', 'avg'],
      ['memory', 'max'],
      ['memory', 'sum'],
      ['temperature', 'avg'],
      ['temperature', 'max'],
      ['temperature', 'sum'],
    ] as const)('%s %s matches the hand-computed aggregate', async (metric, aggregation) => {
      const reading = await sourceFor({ metric, aggregation, selector }).read();
      expect(reading.value).toBeCloseTo(expected(metric, aggregation, matches), 9);
      expect(Math.abs(reading.atMs - Date.now())).toBeLessThan(5_000);
    });
  });

  it('defaults to average utilization across every GPU', async () => {
    expect((await sourceFor({}).read()).value).toBeCloseTo(
      expected('utilization', 'avg', () => true),
      9,
    );
  });

  it('reads 0 when no GPU matches (a workload scaled to zero holds none)', async () => {
    expect((await sourceFor({ selector: 'pod="vllm-99"' }).read()).value).toBe(0);
  });

  it('reads history for backfill', async () => {
    const source = sourceFor({ metric: 'memory', aggregation: 'max', selector: 'namespace="ml"' });
    // Steps are aligned to whole seconds: right after Prometheus starts, no step may follow a sample yet.
    const finite = await waitFor(
      'a step with data',
      async () => {
        const now = Date.now();
        const series = await source.readRange!(now - 30_000, now, 1_000);
        const values = series.values.filter((value) => Number.isFinite(value));
        return values.length > 0 ? values : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    for (const value of finite) expect(value).toBeCloseTo(90, 9);
  });

  it('follows the exporter as utilization changes', async () => {
    const source = sourceFor({ metric: 'utilization', aggregation: 'max', selector: 'namespace="ml"' });
    gpus[1]!.utilization = 95;
    gpus[2]!.utilization = 30;
    gpus[0]!.utilization = 55;
    // The maximum was 100; Prometheus scrapes every second, so 95 shows within a few reads.
    await waitFor('the new maximum', async () => ((await source.read()).value === 95 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 200,
    });
    const average = sourceFor({ metric: 'utilization', aggregation: 'avg', selector: 'namespace="ml"' });
    expect((await average.read()).value).toBeCloseTo((55 + 95 + 30) / 3, 9);
  });

  it('fails with UpstreamUnavailableError when Prometheus does not answer in time', async () => {
    const source = sourceFor({ timeout: '500ms' });
    await prometheus.pause();
    try {
      const started = Date.now();
      const error = await source.read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect((error as UpstreamUnavailableError).reason).toBe('timeout');
    } finally {
      prometheus.resume();
    }
  });

  it.each([
    'gpu="0"} or vector(1000',
    'gpu="0"}) + on() vector(1) or (DCGM_FI_DEV_GPU_UTIL{',
    'sum(up)',
    'gpu="0" or up',
    'gpu=0',
    'pod=~"vllm-.*"}[5m]',
    'gpu="0",,pod="x"',
  ])('refuses a selector with PromQL syntax in it: %j', (selector) => {
    let caught: unknown;
    try {
      parseTriggerMetadata({
        source: 'gpu',
        serverAddress: 'http://prometheus:9090',
        threshold: '80',
        selector,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetadataError);
    expect((caught as MetadataError).key).toBe('selector');
  });
  it('answers GetMetrics with the aggregate and refuses a PromQL selector with INVALID_ARGUMENT', async () => {
    const scaler = await startTestScaler();
    try {
      const metadata = {
        source: 'gpu',
        serverAddress: prometheus.url,
        metric: 'memory',
        aggregation: 'avg',
        selector: 'namespace="ml"',
        threshold: '80',
        predictive: 'false',
      };
      const ref = kedaRef(metadata, 'vllm');
      const name = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
      const response = await scaler.client.getMetrics(ref, name);
      expect(response.metricValues[0]!.metricValueFloat).toBeCloseTo(
        expected('memory', 'avg', (gpu) => gpu.pod?.namespace === 'ml'),
        3,
      );

      const injected = kedaRef({ ...metadata, selector: 'namespace="ml"} or vector(1000' }, 'vllm');
      const error = await grpcError(scaler.client.getMetricSpec(injected));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/selector/);
    } finally {
      await scaler.stop();
    }
  });
});
