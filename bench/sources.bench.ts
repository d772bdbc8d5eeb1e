/**
 * Read latency of each live source against real servers: RabbitMQ over AMQP (passive declare on the
 * pooled channel) and over the management API, and GPU telemetry through a real Prometheus scraping a
 * DCGM-style exporter. Run alone with `npx tsx bench/sources.bench.ts [--json]`.
 *
 * Environment: `BENCH_AMQP_URL` (default amqp://guest:guest@127.0.0.1:5672), `BENCH_MANAGEMENT_URL`
 * (default http://guest:guest@127.0.0.1:15672), `BENCH_PROMETHEUS_URL` (a Prometheus that already scrapes
 * a DCGM exporter; without it the test Prometheus and exporter from test/support are started),
 * `BENCH_READS` (default 200).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { connect } from 'amqplib';
import pino from 'pino';
import {
  parseTriggerMetadata,
  type GpuTriggerConfig,
  type RabbitMqTriggerConfig,
} from '../src/sources/trigger-metadata';
import { createGpuSource } from '../src/sources/gpu/gpu.source';
import { createAmqpConnectionPool } from '../src/sources/rabbitmq/amqp-connection-pool';
import { createRabbitMqSource } from '../src/sources/rabbitmq/rabbitmq.source';
import type { Source } from '../src/sources/source';

export interface SourcesBenchOptions {
  /** Timed reads per source (after 20 warm-up reads). @default 200 */
  reads?: number;
  amqpUrl?: string;
  managementUrl?: string;
  /** A Prometheus scraping a DCGM exporter; when absent the test Prometheus is started. */
  prometheusUrl?: string;
}

export interface LatencySummary {
  reads: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

const WARM_UP = 20;

/** Measures every source and returns one JSON-ready object: a summary per source, or why it was skipped. */
export async function runSourcesBench(options: SourcesBenchOptions = {}): Promise<Record<string, unknown>> {
  const reads = options.reads ?? Number(process.env.BENCH_READS ?? 200);
  const amqpUrl = options.amqpUrl ?? process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const managementUrl =
    options.managementUrl ?? process.env.BENCH_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
  const logger = pino({ level: 'silent' });
  const pool = createAmqpConnectionPool({ logger, connectionName: 'keda-predictive-scaler-bench' });
  const deps = { logger, amqp: pool };
  const result: Record<string, unknown> = { readsPerSource: reads, node: process.version };

  const queueName = `kps-bench-${randomBytes(4).toString('hex')}`;
  const extraQueues = Array.from({ length: 20 }, (_, i) => `${queueName}-${i}`);
  const admin = await connect(amqpUrl).catch((error: Error) => error);
  try {
    if (admin instanceof Error) {
      result.rabbitmq = { skipped: `cannot connect to RabbitMQ: ${admin.message}` };
    } else {
      const channel = await admin.createConfirmChannel();
      await channel.assertQueue(queueName, { durable: false, autoDelete: false });
      for (let i = 0; i < 100; i += 1) channel.sendToQueue(queueName, Buffer.from('x'));
      await channel.waitForConfirms();

      const rabbit = (host: string, queue = queueName): Source =>
        createRabbitMqSource(
          parseTriggerMetadata({
            source: 'rabbitmq',
            host,
            queueName: queue,
            value: '5',
          }) as RabbitMqTriggerConfig,
          deps,
        );
      const amqpSource = rabbit(amqpUrl);
      result.rabbitmqAmqp = await measure(amqpSource, reads);
      // Twenty triggers on one queue read at once share one declare; twenty queues read at once wait their
      // turn on the connection's one channel (declares are serialised): these bound the cost of both.
      const sameQueue = Array.from({ length: 20 }, () => rabbit(amqpUrl, queueName));
      result.rabbitmqAmqpSameQueue20 = await measureConcurrent(sameQueue, reads);
      for (const extra of extraQueues)
        await channel.assertQueue(extra, { durable: false, autoDelete: false });
      const distinctQueues = extraQueues.map((name) => rabbit(amqpUrl, name));
      result.rabbitmqAmqpDistinctQueues20 = await measureConcurrent(distinctQueues, reads);

      const managementSource = rabbit(managementUrl);
      const ready = await firstRead(managementSource, 20_000);
      result.rabbitmqManagement =
        ready === true ? await measure(managementSource, reads) : { skipped: ready };

      for (const source of [amqpSource, managementSource, ...sameQueue, ...distinctQueues])
        await source.close?.();
      for (const name of [queueName, ...extraQueues]) await channel.deleteQueue(name);
    }
  } finally {
    if (!(admin instanceof Error)) await admin.close().catch(() => undefined);
    await pool.close();
  }

  result.gpuPrometheus = await benchGpu(
    options.prometheusUrl ?? process.env.BENCH_PROMETHEUS_URL,
    reads,
    deps,
  );
  return result;
}

async function benchGpu(
  prometheusUrl: string | undefined,
  reads: number,
  deps: Parameters<typeof createGpuSource>[1],
): Promise<unknown> {
  let stop: (() => Promise<void>) | undefined;
  let url = prometheusUrl;
  try {
    if (url === undefined) {
      const started = await startTestPrometheus();
      if (typeof started === 'string') return { skipped: started };
      ({ url, stop } = started);
    }
    const source = createGpuSource(
      parseTriggerMetadata({
        source: 'gpu',
        serverAddress: url,
        metric: 'memory',
        aggregation: 'avg',
        selector: 'namespace="ml"',
        threshold: '80',
      }) as GpuTriggerConfig,
      deps,
    );
    return { query: 'memory avg over 8 GPUs, selector namespace="ml"', ...(await measure(source, reads)) };
  } finally {
    await stop?.();
  }
}

/** The parts of test/support/prometheus.ts used here (declared, not imported: see below). */
interface TestPrometheusModule {
  startPrometheus(options: { scrapeTargets: string[] }): Promise<{ url: string; stop(): Promise<void> }>;
  waitForSeries(prometheus: { url: string }, promql: string): Promise<void>;
}

/** The part of test/support/dcgm-exporter.ts used here. */
interface DcgmExporterModule {
  startDcgmExporter(gpus: unknown[]): Promise<{ target: string; close(): Promise<void> }>;
}

/**
 * The Debian Prometheus and the DCGM-style exporter from test/support, loaded at run time so the build
 * of the benchmarks (bench/tsconfig.json) never pulls test code in; from a compiled build the GPU bench is skipped instead.
 */
async function startTestPrometheus(): Promise<{ url: string; stop: () => Promise<void> } | string> {
  const support = path.join(__dirname, '..', 'test', 'support');
  let prometheusModule: TestPrometheusModule;
  let exporterModule: DcgmExporterModule;
  try {
    prometheusModule = (await import(path.join(support, 'prometheus'))) as TestPrometheusModule;
    exporterModule = (await import(path.join(support, 'dcgm-exporter'))) as DcgmExporterModule;
  } catch (error) {
    return `test/support not loadable (${(error as Error).message}); set BENCH_PROMETHEUS_URL`;
  }
  const gpus = Array.from({ length: 8 }, (_, i) => ({
    gpu: String(i % 4),
    uuid: `GPU-${i}`,
    hostname: `node-${Math.floor(i / 4)}`,
    ...(i < 6 ? { pod: { namespace: 'ml', pod: `vllm-${i}`, container: 'vllm' } } : {}),
    utilization: 10 * i,
    fbUsedMiB: 8_000 * i,
    fbFreeMiB: 80_000 - 8_000 * i,
    temperature: 40 + i,
  }));
  const exporter = await exporterModule.startDcgmExporter(gpus);
  try {
    const prometheus = await prometheusModule.startPrometheus({ scrapeTargets: [exporter.target] });
    await prometheusModule.waitForSeries(prometheus, 'DCGM_FI_DEV_FB_USED');
    return {
      url: prometheus.url,
      stop: async () => {
        await prometheus.stop();
        await exporter.close();
      },
    };
  } catch (error) {
    await exporter.close();
    return `cannot start Prometheus: ${(error as Error).message}`;
  }
}

/** Waits until the source answers at all (the management API has no counters for a new queue at first). */
async function firstRead(source: Source, timeoutMs: number): Promise<true | string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      await source.read();
      return true;
    } catch (error) {
      last = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return `no answer within ${timeoutMs} ms: ${last}`;
}

async function measure(source: Source, reads: number): Promise<LatencySummary> {
  for (let i = 0; i < WARM_UP; i += 1) await source.read();
  const samples: number[] = [];
  for (let i = 0; i < reads; i += 1) {
    const started = process.hrtime.bigint();
    await source.read();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return summarise(samples);
}

/** Each round reads every source at once; each read's own latency is a sample. */
async function measureConcurrent(sources: Source[], reads: number): Promise<LatencySummary> {
  await Promise.all(sources.map((source) => source.read()));
  const samples: number[] = [];
  while (samples.length < reads) {
    samples.push(
      ...(await Promise.all(
        sources.map(async (source) => {
          const started = process.hrtime.bigint();
          await source.read();
          return Number(process.hrtime.bigint() - started) / 1e6;
        }),
      )),
    );
  }
  return summarise(samples.slice(0, reads));
}

function summarise(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  return {
    reads: sorted.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

if (require.main === module) {
  runSourcesBench()
    .then((result) => {
      if (process.argv.includes('--json')) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      for (const [name, value] of Object.entries(result)) {
        process.stdout.write(
          `${name.padEnd(30)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`,
        );
      }
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `sources bench failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    });
}
