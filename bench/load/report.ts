/**
 * The load benchmark's figures: each run's record, the ratios of a scaler–bare pair, the report object
 * with its targets, the progress lines, and the JSON printed at the end.
 */
import os from 'node:os';
import { median } from '../../src/anomaly/robust-stats';
import type { LoadClientResult, PhaseResult } from './load-client';

/** Live-heap growth over the soak that counts as a leak. */
export const LEAK_THRESHOLD_MB = 5;

export interface ServerRun {
  warmUp: LoadClientResult['warmUp'];
  /** Seconds from the end of the warm-up until every trigger's history backfill was done (scaler only). */
  settleS?: number;
  paced: PhaseResult;
  /** The closed phase with the most calls per second: the server's throughput. */
  closed: PhaseResult;
  /** Every closed phase, by number of pollers. */
  closedSweep: ClosedPhase[];
  /** Peak resident set of the server process over its whole life (VmHWM), MiB. */
  peakRssMb: number;
  /** Largest resident set sampled (every 250 ms) during the measured phases, MiB. */
  phasesPeakRssMb: number;
  rssAfterWarmUpMb: number;
  rssAtEndMb: number;
  /**
   * Server CPU (user + system) per call in each phase, µs: the server's own cost, which holds even when
   * the client or other processes on the machine cap the calls per second.
   */
  cpuUsPerCall: { paced: number; closed: number };
  /** Source reads per poll in each phase (scaler only; 1 = one read per KEDA poll). */
  sourceReadsPerPoll?: { paced: number; closed: number };
  /** The scaler's own handler time per phase, from its grpc_request_duration_seconds histogram. */
  handlerTime?: { paced: HandlerTime | undefined; closed: HandlerTime | undefined };
  /** One GET /metrics after the run: time to answer, size, and series (what Prometheus scrapes). */
  metricsScrape?: { ms: number; bytes: number; series: number };
}

export interface ClosedPhase {
  concurrency: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU per call in this phase, µs. */
  cpuUsPerCall: number;
}

export interface LoadBenchRun {
  triggers: number;
  /** 1-based; `--rounds` repeats the scaler–bare pair. */
  round: number;
  scaler: ServerRun;
  bare: ServerRun;
  /** Scaler calls per second over the bare server's, each at its best number of pollers. */
  throughputRatio: number;
  /** Scaler p99 over the bare server's, paced. */
  pacedP99Ratio: number;
  /** Bare server CPU per call over the scaler's, closed loop (1 would mean the scaler's work is free). */
  cpuPerCallRatio: number;
}

/** Cumulative counts of the scaler's own `grpc_request_duration_seconds` (all RPCs and codes) by bucket. */
export type HandlerHistogram = Map<string, number>;

export interface HandlerTime {
  calls: number;
  meanMs: number;
  shareWithin: Record<string, number>;
}

export interface SoakResult {
  triggers: number;
  durationS: number;
  calls: number;
  callsPerSecond: number;
  errors: Record<string, number>;
  wrongAnswers: number;
  latency: PhaseResult['latency'];
  perMinute: PhaseResult['windows'];
  /** [seconds since load started, RSS MiB], every 30 s. */
  rssTimelineMb: Array<[number, number]>;
  peakRssMb: number;
  rssFirstThirdMb: number;
  rssLastThirdMb: number;
  rssSlopeMbPerMinute: number;
  /** Live heap (a heap snapshot: garbage collected first) one minute in and 30 s before the end. */
  liveHeapFirstMb: number;
  liveHeapLastMb: number;
  liveHeapGrowthMb: number;
  /** No leak: the live heap grew by less than LEAK_THRESHOLD_MB over the soak. */
  noGrowth: boolean;
}

/**
 * The time the scaler itself spent on each call (handler start to answer, transport and the client's
 * own delays left out), from its histogram over one phase: the mean, and the share of calls within each
 * bucket bound.
 */
export function summariseHandler(from: HandlerHistogram, to: HandlerHistogram): HandlerTime | undefined {
  const count = (to.get('count') ?? 0) - (from.get('count') ?? 0);
  if (count <= 0) return undefined;
  const within: Record<string, number> = {};
  for (const le of ['0.0005', '0.001', '0.0025', '0.005', '0.01']) {
    within[`${Number(le) * 1000}ms`] = round3(((to.get(le) ?? 0) - (from.get(le) ?? 0)) / count);
  }
  return {
    calls: count,
    meanMs: round3((((to.get('sum') ?? 0) - (from.get('sum') ?? 0)) * 1000) / count),
    shareWithin: within,
  };
}

/** One scaler–bare pair at one trigger count, with the ratios between them. */
export function pairRun(triggers: number, round: number, scaler: ServerRun, bare: ServerRun): LoadBenchRun {
  return {
    triggers,
    round,
    scaler,
    bare,
    throughputRatio: round3(scaler.closed.callsPerSecond / bare.closed.callsPerSecond),
    pacedP99Ratio: round3(scaler.paced.latency.p99Ms / bare.paced.latency.p99Ms),
    cpuPerCallRatio: round3(bare.cpuUsPerCall.closed / scaler.cpuUsPerCall.closed),
  };
}

/** The progress line of one pair. */
export function pairLine(label: string, { scaler, bare }: LoadBenchRun): string {
  return (
    `${label}: paced p50/p99 ${scaler.paced.latency.p50Ms}/${scaler.paced.latency.p99Ms} ms ` +
    `(bare ${bare.paced.latency.p50Ms}/${bare.paced.latency.p99Ms}), closed ${scaler.closed.callsPerSecond}/s ` +
    `at ${scaler.closed.name} (bare ${bare.closed.callsPerSecond}/s at ${bare.closed.name}), ` +
    `peak RSS ${scaler.peakRssMb} MiB`
  );
}

/** The progress line of the soak. */
export function soakLine(soak: SoakResult): string {
  return (
    `soak: live heap ${soak.liveHeapFirstMb} → ${soak.liveHeapLastMb} MiB, ` +
    `RSS ${soak.rssFirstThirdMb} → ${soak.rssLastThirdMb} MiB`
  );
}

export interface ReportInput {
  started: Date;
  loadAverageAtStart: number[];
  /** The scaler's `--max-old-space-size`, MiB; 0 or undefined: V8's own. */
  maxOldSpaceMb: number | undefined;
  counts: number[];
  concurrency: number[];
  /** Seconds between two polls of one trigger in the paced phase. */
  pacedPeriodS: number;
  runs: LoadBenchRun[];
  soak: SoakResult | undefined;
}

/** The benchmark's result: method, every run, and the targets met or missed. */
export function loadReport({
  started,
  loadAverageAtStart,
  maxOldSpaceMb,
  counts,
  concurrency,
  pacedPeriodS,
  runs,
  soak,
}: ReportInput): Record<string, unknown> {
  // With several rounds, each figure is the median of the rounds: one noisy stretch on a shared machine
  // must not decide a target either way.
  const at1000 = runs.filter((r) => r.triggers === 1_000);
  const at10000 = runs.filter((r) => r.triggers === 10_000);
  const p99At1000 = median(at1000.map((r) => r.scaler.paced.latency.p99Ms));
  const ratios = counts.map((n) =>
    median(runs.filter((r) => r.triggers === n).map((r) => r.throughputRatio)),
  );
  const minRatio = Math.min(...ratios);
  const rssAt10000 = Math.max(...at10000.map((r) => r.scaler.peakRssMb));
  return {
    date: started.toISOString(),
    machine: { ...machine(), loadAverageAtStart },
    method: {
      server:
        `node ${maxOldSpaceMb ? `--max-old-space-size=${maxOldSpaceMb} ` : ''}` +
        'dist/main.js (the working tree compiled by tsc), REDIS_URL set, LOG_LEVEL=info',
      store: 'RedisStore on a real Redis, own key prefix, removed afterwards',
      source:
        'Prometheus-API stub in the bench process: /api/v1/query answers a one-series vector at once; ' +
        '/api/v1/query_range answers an empty matrix, so no model is trained and the forecast is off',
      poll: 'GetMetricSpec, GetMetrics (the name the spec returned), IsActive, in turn, per trigger',
      paced: `open loop, each trigger polled once per ${pacedPeriodS} s (KEDA's HPA sync period)`,
      closed:
        `${concurrency.join(', ')} pollers back to back on one channel, one phase each; ` +
        "a server's throughput is its best phase",
      evaluationTtl: '500ms: one source read per poll; GetMetrics and IsActive of a poll share it',
      rss: 'VmHWM and VmRSS of the server process from /proc/<pid>/status',
    },
    runs,
    targets: {
      ...(at1000.length > 0 && {
        p99At1000TriggersMs: {
          value: p99At1000,
          bare: median(at1000.map((r) => r.bare.paced.latency.p99Ms)),
          target: 2,
          met: p99At1000 < 2,
        },
      }),
      throughputRatioToBare: { value: round3(minRatio), target: 0.7, met: minRatio >= 0.7 },
      ...(at10000.length > 0 && {
        peakRssAt10000TriggersMb: { value: rssAt10000, target: 250, met: rssAt10000 < 250 },
      }),
      ...(soak && {
        soakLiveHeapGrowthMb: {
          value: soak.liveHeapGrowthMb,
          target: LEAK_THRESHOLD_MB,
          met: soak.noGrowth,
        },
      }),
    },
    ...(soak && { soak }),
  };
}

/** The result as printed: one line with `--json`, indented otherwise. */
export function formatReport(result: Record<string, unknown>, json: boolean): string {
  return `${JSON.stringify(result, null, json ? undefined : 2)}\n`;
}

/** The machine the figures come from. */
export function machine(): Record<string, unknown> {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round1(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

export function slopePerMinute(points: Array<{ atS: number; rssMb: number }>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.atS, 0) / n;
  const my = points.reduce((s, p) => s + p.rssMb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.atS - mx) * (p.rssMb - my);
    den += (p.atS - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

export const round1 = (v: number): number => Math.round(v * 10) / 10;
export const round2 = (v: number): number => Math.round(v * 100) / 100;
export const round3 = (v: number): number => Math.round(v * 1000) / 1000;
