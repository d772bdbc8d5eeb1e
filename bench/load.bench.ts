/**
 * Load benchmark: KEDA's calls against the scaler and against a bare @grpc/grpc-js server whose handlers
 * return constants, in the same run and with the same client. Run alone with
 * `npx tsx bench/load.bench.ts [--json] [--quick] [--triggers 1000,10000] [--rounds 3] [--soak 10m]
 * [--concurrency 32,64,128] [--profile DIR] [--max-old-space-size MiB]`.
 *
 * The working tree is compiled first (tsc, into a temporary folder) and every process runs plain
 * JavaScript, as the image does: tsx's loader alone adds about 35 MiB to a process's RSS.
 *
 * Three processes per measurement, so no one's CPU is counted as another's: the server (the scaler as
 * `node dist/main.js` with REDIS_URL on a real Redis, or the bare server), the gRPC load client
 * (bench/load/load-client.ts), and this one, which serves the triggers' source (a small Prometheus-API
 * stub: `/api/v1/query` answers a one-series vector at once, `/api/v1/query_range` an empty matrix, so a
 * source read costs an HTTP round trip on loopback and nothing more) and samples the server's RSS and CPU
 * from /proc/<pid>.
 *
 * Per trigger count: one warm-up poll of every trigger, then a wait until the scaler has backfilled every
 * trigger's history (its range queries, as at first sight of a trigger), then:
 * - `paced`: open loop, every trigger polled once per 15 s (KEDA's HPA sync period), GetMetricSpec then
 *   GetMetrics then IsActive: the latency KEDA sees with that many ScaledObjects;
 * - `closed-32`, `closed-64`, `closed-128`: that many pollers back to back; the best of them is the most
 *   calls per second the server answers on this machine.
 * The scaler runs with EVALUATION_TTL=500ms rather than the default 2 s: the closed loop comes back to a
 * trigger within a second or two, and each poll must read the source once, as KEDA's 15–30 s polls do,
 * while the IsActive right after GetMetrics still shares that evaluation (sourceReadsPerPoll shows it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { median } from '../src/anomaly/robust-stats';
import { parseDuration } from '../src/config/parse';
import type { LoadClientConfig, LoadClientResult, LoadPhase, PhaseResult } from './load/load-client';
import { liveHeapMb } from './load/heap-snapshot';
import { BENCH_SERIES, benchValue } from './load/load-client';

export interface LoadBenchOptions {
  /** @default [1000, 10000] */
  triggerCounts?: number[];
  /** Shorter phases (5 s paced, 4 s closed). */
  quick?: boolean;
  /** Scaler–bare pairs per trigger count; the targets take the median. @default 1 */
  rounds?: number;
  /** Also run a soak of this length at the largest trigger count. */
  soakMs?: number;
  /** @default REDIS_URL, else redis://127.0.0.1:6379 */
  redisUrl?: string;
  /**
   * Closed-loop pollers: one closed phase per count, and each server's throughput is its best phase.
   * @default [32, 64, 128]
   */
  concurrency?: number[];
  /**
   * Writes a V8 CPU profile of each scaler process to this folder (`node --cpu-prof`), and a heap snapshot
   * taken after the paced phase.
   */
  profileDir?: string;
  /**
   * Runs the scaler with `--max-old-space-size` (MiB); 0 leaves V8 to size its heap from the machine's
   * memory. @default the Helm chart's `scaler.heapLimitMiB`, so the figures are those of a deployed pod
   */
  maxOldSpaceMb?: number;
  /** Progress lines. @default stderr */
  log?: (line: string) => void;
}

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

const ROOT = path.resolve(__dirname, '..');
const COMPILED = !__filename.endsWith('.ts');
const PACED_PERIOD_S = 15;
/** Live-heap growth over the soak that counts as a leak. */
const LEAK_THRESHOLD_MB = 5;
/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
const run = promisify(execFile);

/** Runs the benchmark; returns one JSON-ready object. */
export async function runLoadBench(options: LoadBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = options.log ?? ((line: string) => process.stderr.write(`load bench: ${line}\n`));
  const counts = options.triggerCounts ?? [1_000, 10_000];
  const quick = options.quick === true;
  const rounds = options.rounds ?? 1;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // A closed loop measures a server's capacity only once it keeps the server busy. Each poll waits on
  // three calls and a source read, so with 32 pollers the scaler still had room (its calls per second
  // rise up to 128); more pollers make the single-threaded client the limit instead, for the bare
  // server first. Each server is credited with its best.
  const concurrency = options.concurrency ?? [32, 64, 128];
  const prefix = `kps-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  const started = new Date();
  const loadAverageAtStart = os.loadavg().map(round2);

  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  redis.on('error', () => undefined);
  const children = new Set<ChildProcess>();
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  let stub: PrometheusStub | undefined;
  let build: Build | undefined;
  try {
    await redis.connect();
    await redis.ping();
    log('compiling the working tree');
    build = await compile();
    stub = await startPrometheusStub();
    if (options.profileDir) await mkdir(options.profileDir, { recursive: true });
    const context: RunContext = {
      build,
      runs: 0,
      redisUrl,
      prefix,
      stub,
      children,
      profileDir: options.profileDir,
      maxOldSpaceMb: options.maxOldSpaceMb ?? chartHeapLimitMib(),
    };

    const runs: LoadBenchRun[] = [];
    for (const triggers of counts) {
      const phases: LoadPhase[] = [
        {
          name: 'paced',
          kind: 'paced',
          durationMs: quick ? 5_000 : PACED_PERIOD_S * 1000,
          pollsPerSecond: triggers / PACED_PERIOD_S,
        },
        ...concurrency.map((pollers): LoadPhase => ({
          name: `closed-${pollers}`,
          kind: 'closed',
          durationMs: quick ? 4_000 : 10_000,
          concurrency: pollers,
        })),
      ];
      for (let round = 1; round <= rounds; round++) {
        const label = rounds > 1 ? `${triggers} triggers, round ${round}/${rounds}` : `${triggers} triggers`;
        log(`${label}: scaler`);
        const scaler = await measure('scaler', triggers, phases, context);
        log(`${label}: bare server`);
        const bare = await measure('bare', triggers, phases, context);
        runs.push({
          triggers,
          round,
          scaler,
          bare,
          throughputRatio: round3(scaler.closed.callsPerSecond / bare.closed.callsPerSecond),
          pacedP99Ratio: round3(scaler.paced.latency.p99Ms / bare.paced.latency.p99Ms),
          cpuPerCallRatio: round3(bare.cpuUsPerCall.closed / scaler.cpuUsPerCall.closed),
        });
        log(
          `${label}: paced p50/p99 ${scaler.paced.latency.p50Ms}/${scaler.paced.latency.p99Ms} ms ` +
            `(bare ${bare.paced.latency.p50Ms}/${bare.paced.latency.p99Ms}), closed ${scaler.closed.callsPerSecond}/s ` +
            `at ${scaler.closed.name} (bare ${bare.closed.callsPerSecond}/s at ${bare.closed.name}), ` +
            `peak RSS ${scaler.peakRssMb} MiB`,
        );
      }
    }

    let soak: SoakResult | undefined;
    if (options.soakMs !== undefined && options.soakMs > 0) {
      const triggers = Math.max(...counts);
      log(`soak: ${triggers} triggers for ${Math.round(options.soakMs / 1000)} s`);
      soak = await runSoak(triggers, options.soakMs, context);
      log(
        `soak: live heap ${soak.liveHeapFirstMb} → ${soak.liveHeapLastMb} MiB, ` +
          `RSS ${soak.rssFirstThirdMb} → ${soak.rssLastThirdMb} MiB`,
      );
    }

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
          `node ${context.maxOldSpaceMb ? `--max-old-space-size=${context.maxOldSpaceMb} ` : ''}` +
          'dist/main.js (the working tree compiled by tsc), REDIS_URL set, LOG_LEVEL=info',
        store: 'RedisStore on a real Redis, own key prefix, removed afterwards',
        source:
          'Prometheus-API stub in the bench process: /api/v1/query answers a one-series vector at once; ' +
          '/api/v1/query_range answers an empty matrix, so no model is trained and the forecast is off',
        poll: 'GetMetricSpec, GetMetrics (the name the spec returned), IsActive, in turn, per trigger',
        paced: `open loop, each trigger polled once per ${PACED_PERIOD_S} s (KEDA's HPA sync period)`,
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
  } finally {
    killAll();
    process.removeListener('exit', killAll);
    await stub?.close();
    await build?.cleanup();
    await deleteKeys(redis, prefix).catch(() => undefined);
    redis.disconnect();
  }
}

interface RunContext {
  build: Build;
  /** Servers started so far (each scaler gets its own key prefix under `prefix`). */
  runs: number;
  redisUrl: string;
  prefix: string;
  stub: PrometheusStub;
  children: Set<ChildProcess>;
  profileDir?: string;
  maxOldSpaceMb?: number;
}

/** One server process under the load client: warm-up, settle, then the phases, RSS sampled throughout. */
async function measure(
  kind: 'scaler' | 'bare',
  triggers: number,
  phases: LoadPhase[],
  context: RunContext,
): Promise<ServerRun> {
  const server = await startServer(kind, context);
  const rss = sampleRss(server.pid, 250);
  try {
    const at: Record<string, { reads: number; cpuS: number; handler?: HandlerHistogram }> = {};
    let rssAfterWarmUpMb = NaN;
    let settleS: number | undefined;
    context.stub.resetBackfills();
    const result = await runClient(
      {
        address: `127.0.0.1:${server.grpcPort}`,
        triggers,
        serverAddress: context.stub.url,
        warmUpConcurrency: 16,
        phases,
        checkValues: kind === 'scaler',
      },
      context,
      async (event) => {
        if (event === 'warm-up') {
          rssAfterWarmUpMb = readRss(server.pid).rssMb;
          if (kind === 'scaler') {
            const started = performance.now();
            await waitUntil(() => context.stub.backfilled() >= triggers, 120_000 + triggers * 20);
            settleS = round3((performance.now() - started) / 1000);
            await sleep(2_000);
          }
          rss.resetPeak();
        }
        if (event === 'paced' && kind === 'scaler' && context.profileDir)
          await takeHeapSnapshot(server.pid, context.profileDir);
        at[event] = {
          reads: context.stub.reads(),
          cpuS: readCpuSeconds(server.pid),
          ...(kind === 'scaler' && { handler: await scrapeHandlerHistogram(server.httpPort) }),
        };
      },
    );
    const [paced, ...closedPhases] = result.phases as [PhaseResult, ...PhaseResult[]];
    const end = readRss(server.pid);
    const window = (from: string, to: string) => ({ from: at[from], to: at[to] });
    const cpuPerCall = (from: string, to: string, calls: number): number => {
      const w = window(from, to);
      return round3((((w.to?.cpuS ?? NaN) - (w.from?.cpuS ?? NaN)) * 1e6) / calls);
    };
    const perPoll = (from: string, to: string, polls: number): number => {
      const w = window(from, to);
      return round3(((w.to?.reads ?? NaN) - (w.from?.reads ?? NaN)) / polls);
    };
    const handler = (from: string, to: string) => {
      const w = window(from, to);
      return w.from?.handler && w.to?.handler ? summariseHandler(w.from.handler, w.to.handler) : undefined;
    };
    // Each closed phase's readings run from the end of the phase before it.
    const previous = (index: number): string =>
      index === 0 ? 'paced' : (closedPhases[index - 1]?.name ?? '');
    const closedSweep = closedPhases.map((phase, index): ClosedPhase => ({
      concurrency: phases[index + 1]?.concurrency ?? NaN,
      callsPerSecond: phase.callsPerSecond,
      p50Ms: phase.latency.p50Ms,
      p99Ms: phase.latency.p99Ms,
      cpuUsPerCall: cpuPerCall(previous(index), phase.name, phase.calls),
    }));
    const bestIndex = closedPhases.reduce(
      (best, phase, index) =>
        phase.callsPerSecond > (closedPhases[best]?.callsPerSecond ?? 0) ? index : best,
      0,
    );
    const closed = closedPhases[bestIndex] as PhaseResult;
    const closedFrom = previous(bestIndex);
    return {
      warmUp: result.warmUp,
      ...(settleS !== undefined && { settleS }),
      paced,
      closed,
      closedSweep,
      peakRssMb: end.hwmMb,
      phasesPeakRssMb: rss.peakMb(),
      rssAfterWarmUpMb,
      rssAtEndMb: end.rssMb,
      cpuUsPerCall: {
        paced: cpuPerCall('warm-up', 'paced', paced.calls),
        closed: cpuPerCall(closedFrom, closed.name, closed.calls),
      },
      ...(kind === 'scaler' && {
        sourceReadsPerPoll: {
          paced: perPoll('warm-up', 'paced', paced.polls),
          closed: perPoll(closedFrom, closed.name, closed.polls),
        },
        handlerTime: { paced: handler('warm-up', 'paced'), closed: handler(closedFrom, closed.name) },
        metricsScrape: {
          ms: round3(at[closed.name]?.handler?.get('scrapeMs') ?? NaN),
          bytes: at[closed.name]?.handler?.get('scrapeBytes') ?? NaN,
          series: at[closed.name]?.handler?.get('scrapeSeries') ?? NaN,
        },
      }),
    };
  } finally {
    rss.stop();
    await server.stop();
  }
}

/** Cumulative counts of the scaler's own `grpc_request_duration_seconds` (all RPCs and codes) by bucket. */
type HandlerHistogram = Map<string, number>;

async function scrapeHandlerHistogram(httpPort: number): Promise<HandlerHistogram> {
  const counts: HandlerHistogram = new Map();
  try {
    const started = performance.now();
    const text = await (
      await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(10_000) })
    ).text();
    // What a Prometheus scrape of the scaler costs at this many triggers (rendering runs on the event loop).
    counts.set('scrapeMs', performance.now() - started);
    counts.set('scrapeBytes', text.length);
    counts.set(
      'scrapeSeries',
      text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length,
    );
    const pattern =
      /^keda_predictive_scaler_grpc_request_duration_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/gm;
    for (const match of text.matchAll(pattern)) {
      const key = match[1] === 'bucket' ? (/le="([^"]+)"/.exec(match[2] ?? '')?.[1] ?? '') : (match[1] ?? '');
      counts.set(key, (counts.get(key) ?? 0) + Number(match[3]));
    }
  } catch {
    // The figures are reported as absent rather than wrong.
  }
  return counts;
}

/**
 * The time the scaler itself spent on each call (handler start to answer, transport and the client's
 * own delays left out), from its histogram over one phase: the mean, and the share of calls within each
 * bucket bound.
 */
function summariseHandler(from: HandlerHistogram, to: HandlerHistogram): HandlerTime | undefined {
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

export interface HandlerTime {
  calls: number;
  meanMs: number;
  shareWithin: Record<string, number>;
}

interface SoakResult {
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
 * The scaler under closed-loop load for `soakMs`, its RSS read every 5 s. A heap snapshot one minute in
 * and another 30 s before the end measure the live heap (garbage excluded) at both ends: a leak is
 * growth between them. Each snapshot stops the server for a few seconds, which shows in `latency.maxMs`.
 */
async function runSoak(triggers: number, soakMs: number, context: RunContext): Promise<SoakResult> {
  const snapshots = await mkdtemp(path.join(os.tmpdir(), 'kps-soak-'));
  const server = await startServer('scaler', context, [
    '--heapsnapshot-signal=SIGUSR2',
    `--diagnostic-dir=${snapshots}`,
  ]);
  const rssSamples: Array<{ atS: number; rssMb: number }> = [];
  let loadStartedMs = NaN;
  const live: { first?: Promise<number>; last?: Promise<number> } = {};
  const timers: NodeJS.Timeout[] = [];
  const rssTimer = setInterval(() => {
    if (Number.isNaN(loadStartedMs)) return;
    const { rssMb } = readRss(server.pid);
    if (Number.isFinite(rssMb)) rssSamples.push({ atS: (performance.now() - loadStartedMs) / 1000, rssMb });
  }, 5_000);
  const snapshot = async (): Promise<number> => {
    const file = await takeHeapSnapshot(server.pid, snapshots);
    try {
      return await liveHeapMb(file);
    } finally {
      await rm(file, { force: true });
    }
  };
  try {
    context.stub.resetBackfills();
    const result = await runClient(
      {
        address: `127.0.0.1:${server.grpcPort}`,
        triggers,
        serverAddress: context.stub.url,
        warmUpConcurrency: 16,
        phases: [{ name: 'soak', kind: 'closed', durationMs: soakMs, concurrency: 16, windowMs: 60_000 }],
        checkValues: true,
      },
      context,
      async (event) => {
        if (event !== 'warm-up') return;
        await waitUntil(() => context.stub.backfilled() >= triggers, 120_000 + triggers * 20);
        loadStartedMs = performance.now();
        // The first minute settles caches, the history sampling and the heap; growth is judged after it.
        timers.push(setTimeout(() => (live.first = snapshot()), Math.min(60_000, soakMs / 4)));
        timers.push(setTimeout(() => (live.last = snapshot()), Math.max(soakMs / 2, soakMs - 30_000)));
      },
    );
    const [firstMb, lastMb] = await Promise.all([live.first, live.last]);
    if (firstMb === undefined || lastMb === undefined)
      throw new Error('soak ended before its heap snapshots');
    const end = readRss(server.pid);
    const settled = rssSamples.filter((p) => p.atS >= 60);
    const third = Math.max(1, Math.floor(settled.length / 3));
    const mean = (points: typeof settled): number =>
      points.reduce((sum, p) => sum + p.rssMb, 0) / Math.max(1, points.length);
    const growthMb = lastMb - firstMb;
    const phase = result.phases[0] as PhaseResult;
    return {
      triggers,
      durationS: phase.durationS,
      calls: phase.calls,
      callsPerSecond: phase.callsPerSecond,
      errors: phase.errors,
      wrongAnswers: phase.wrongAnswers,
      latency: phase.latency,
      perMinute: phase.windows,
      rssTimelineMb: rssSamples.filter((_, i) => i % 6 === 0).map((p) => [Math.round(p.atS), p.rssMb]),
      peakRssMb: end.hwmMb,
      rssFirstThirdMb: round1(mean(settled.slice(0, third))),
      rssLastThirdMb: round1(mean(settled.slice(-third))),
      rssSlopeMbPerMinute: round3(slopePerMinute(settled)),
      liveHeapFirstMb: round1(firstMb),
      liveHeapLastMb: round1(lastMb),
      liveHeapGrowthMb: round1(growthMb),
      noGrowth: growthMb < LEAK_THRESHOLD_MB,
    };
  } finally {
    clearInterval(rssTimer);
    for (const timer of timers) clearTimeout(timer);
    await server.stop();
    await rm(snapshots, { recursive: true, force: true });
  }
}

/** `scaler.heapLimitMiB` from the chart's values.yaml: the heap a pod installed with the defaults gets. */
function chartHeapLimitMib(): number {
  const values = readFileSync(path.join(ROOT, 'charts/ml-autoscaling/values.yaml'), 'utf8');
  const match = /^ {2}heapLimitMiB: (\d+)$/m.exec(values);
  if (!match) throw new Error('charts/ml-autoscaling/values.yaml has no scaler.heapLimitMiB');
  return Number(match[1]);
}

/** Asks the server for a heap snapshot (SIGUSR2); resolves with the file once it is written. */
async function takeHeapSnapshot(pid: number, dir: string): Promise<string> {
  const before = new Set(await readdir(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  let lastSize = -1;
  while (Date.now() < deadline) {
    await sleep(1_000);
    const written = (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (written === undefined) continue;
    const { size } = await stat(path.join(dir, written));
    // V8 writes the file in one go; a size that holds for a second is the whole of it.
    if (size > 0 && size === lastSize) return path.join(dir, written);
    lastSize = size;
  }
  throw new Error(`no heap snapshot from process ${pid} within 120 s`);
}

interface Build {
  /** Folder holding src/main.js, bench/load/bare-server.js, bench/load/load-client.js, … */
  root: string;
  cleanup(): Promise<void>;
}

/**
 * Compiles the working tree (src/ and bench/, with bench/tsconfig.json) into a temporary folder: the
 * scaler lands in src/ there, the bare server and the load client in bench/load/.
 */
async function compile(): Promise<Build> {
  if (COMPILED) return { root: path.resolve(__dirname, '..'), cleanup: async () => undefined };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kps-bench-build-'));
  try {
    await run(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        path.join(ROOT, 'bench', 'tsconfig.json'),
        '--outDir',
        dir,
      ],
      { cwd: ROOT, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    // tsc still writes JavaScript when another part of the tree has type errors.
    if (!existsSync(path.join(dir, 'src', 'main.js'))) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `could not compile the working tree: ${(error as { stdout?: string }).stdout ?? error}`,
      );
    }
  }
  // The build finds its packages and the proto file where src/ finds them in the repository.
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await symlink(path.join(ROOT, 'proto'), path.join(dir, 'proto'));
  return { root: dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

interface StartedServer {
  pid: number;
  grpcPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

async function startServer(
  kind: 'scaler' | 'bare',
  context: RunContext,
  extraFlags: string[] = [],
): Promise<StartedServer> {
  const grpcPort = await freePort();
  const httpPort = await freePort();
  const nodeFlags: string[] = [];
  if (kind === 'scaler' && context.profileDir)
    nodeFlags.push(
      '--cpu-prof',
      `--cpu-prof-dir=${context.profileDir}`,
      '--heapsnapshot-signal=SIGUSR2',
      `--diagnostic-dir=${context.profileDir}`,
    );
  nodeFlags.push(...extraFlags);
  if (kind === 'scaler' && context.maxOldSpaceMb)
    nodeFlags.push(`--max-old-space-size=${context.maxOldSpaceMb}`);
  const args =
    kind === 'scaler'
      ? [...nodeFlags, path.join(context.build.root, 'src', 'main.js')]
      : [path.join(context.build.root, 'bench', 'load', 'bare-server.js'), String(grpcPort)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      BIND_ADDRESS: '127.0.0.1',
      REDIS_URL: context.redisUrl,
      // Each scaler starts from an empty store, as at first install: no history, no backfill markers.
      REDIS_KEY_PREFIX: `${context.prefix}:${++context.runs}`,
      LOG_LEVEL: 'info',
      EVALUATION_TTL: '500ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  context.children.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready =
    kind === 'scaler'
      ? () => httpOk(`http://127.0.0.1:${httpPort}/readyz`)
      : async () => output.includes('LISTENING');
  const deadline = Date.now() + 60_000;
  while (!(await ready())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} did not start: ${output.slice(-2_000)}`);
    }
    await sleep(100);
  }
  return {
    pid: child.pid as number,
    grpcPort,
    httpPort,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      context.children.delete(child);
    },
  };
}

/**
 * Runs the load client in its own process. It reports `EVENT <name>` as the warm-up and each phase end and
 * waits for a line on stdin before going on; `after` runs in between (readings, settling). Killed if it
 * overruns its phases.
 */
async function runClient(
  config: LoadClientConfig,
  context: RunContext,
  after: (event: string) => Promise<void>,
): Promise<LoadClientResult> {
  const child = spawn(
    process.execPath,
    [path.join(context.build.root, 'bench', 'load', 'load-client.js'), JSON.stringify(config)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  context.children.add(child);
  child.stdin?.on('error', () => undefined);
  const budgetMs = config.phases.reduce((sum, p) => sum + p.durationMs, 0) + 300_000 + config.triggers * 40;
  const killer = setTimeout(() => child.kill('SIGKILL'), budgetMs);
  let stdout = '';
  let stderr = '';
  let pending = '';
  let hooks: Promise<void> = Promise.resolve();
  let hookError: unknown;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.startsWith('EVENT ')) continue;
      const event = line.slice(6);
      hooks = hooks
        .then(() => after(event))
        .then(
          () => {
            if (child.exitCode === null) child.stdin?.write('GO\n');
          },
          (error: unknown) => {
            hookError ??= error;
            child.kill('SIGKILL');
          },
        );
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  await hooks;
  context.children.delete(child);
  if (hookError !== undefined) {
    const reason = hookError instanceof Error ? hookError.message : String(hookError);
    throw new Error(`load client stopped: reading the server after a phase failed: ${reason}`);
  }
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`load client failed (exit ${code}): ${stderr}`);
  return JSON.parse(last) as LoadClientResult;
}

interface PrometheusStub {
  url: string;
  /** Instant queries answered so far (live reads). */
  reads(): number;
  /**
   * Distinct triggers whose history has been asked for with range queries since the last reset: a
   * backfill of 14 days at one minute takes three of them (Prometheus caps points per query).
   */
  backfilled(): number;
  resetBackfills(): void;
  close(): Promise<void>;
}

/** `/api/v1/query` for `BENCH_SERIES{trigger="i"}` answers `benchValue(i)`; ranges are empty. */
async function startPrometheusStub(): Promise<PrometheusStub> {
  let reads = 0;
  const backfilled = new Set<number>();
  const pattern = new RegExp(`${BENCH_SERIES}\\{trigger="(\\d+)"\\}`);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    let body: string;
    if (url.pathname === '/api/v1/query') {
      reads += 1;
      const match = pattern.exec(url.searchParams.get('query') ?? '');
      const result = match
        ? [{ metric: {}, value: [Date.now() / 1000, String(benchValue(Number(match[1])))] }]
        : [];
      body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
    } else if (url.pathname === '/api/v1/query_range') {
      const match = pattern.exec(url.searchParams.get('query') ?? '');
      if (match) backfilled.add(Number(match[1]));
      body = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } });
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads: () => reads,
    backfilled: () => backfilled.size,
    resetBackfills: () => backfilled.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readRss(pid: number): { rssMb: number; hwmMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rssMb: round1(kb('VmRSS') / 1024), hwmMb: round1(kb('VmHWM') / 1024) };
  } catch {
    return { rssMb: NaN, hwmMb: NaN };
  }
}

/** utime + stime of a process in seconds (fields 14 and 15 of /proc/<pid>/stat). */
function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

function sampleRss(pid: number, everyMs: number): { peakMb(): number; resetPeak(): void; stop(): void } {
  let peak = 0;
  const timer = setInterval(() => {
    const { rssMb } = readRss(pid);
    if (rssMb > peak) peak = rssMb;
  }, everyMs);
  return {
    peakMb: () => peak,
    resetPeak: () => {
      peak = readRss(pid).rssMb;
    },
    stop: () => clearInterval(timer),
  };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5_000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
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

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(100);
}

function slopePerMinute(points: Array<{ atS: number; rssMb: number }>): number {
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (v: number): number => Math.round(v * 10) / 10;
const round2 = (v: number): number => Math.round(v * 100) / 100;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * `--quick`, `--triggers 1000,10000`, `--rounds 3`, `--soak 10m`, `--concurrency 32,64,128`, `--profile DIR`,
 * `--max-old-space-size MiB`.
 */
export function loadBenchOptionsFromArgs(argv: string[]): LoadBenchOptions {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const triggers = value('--triggers');
  const soak = value('--soak');
  const concurrency = value('--concurrency');
  const rounds = value('--rounds');
  if (
    rounds !== undefined &&
    !(Number.isInteger(Number(rounds)) && Number(rounds) >= 1 && Number(rounds) <= 20)
  )
    throw new Error(`--rounds takes 1 to 20; got ${rounds}`);
  const profileDir = value('--profile');
  const maxOldSpace = value('--max-old-space-size');
  if (
    maxOldSpace !== undefined &&
    !(Number(maxOldSpace) === 0 || (Number(maxOldSpace) >= 64 && Number(maxOldSpace) <= 65_536))
  )
    throw new Error(
      `--max-old-space-size takes MiB from 64 to 65536, or 0 for V8's default; got ${maxOldSpace}`,
    );
  const counts = triggers?.split(',').map(Number);
  if (counts && !counts.every((n) => Number.isInteger(n) && n > 0 && n <= 100_000))
    throw new Error(`--triggers takes counts such as 1000,10000; got ${triggers}`);
  const pollers = concurrency?.split(',').map(Number);
  if (pollers && !pollers.every((n) => Number.isInteger(n) && n >= 1 && n <= 1_000))
    throw new Error(`--concurrency takes poller counts from 1 to 1000 such as 32,64,128; got ${concurrency}`);
  return {
    quick: argv.includes('--quick'),
    ...(rounds !== undefined && { rounds: Number(rounds) }),
    ...(counts && { triggerCounts: counts }),
    ...(soak && { soakMs: parseDuration('--soak', soak, { minMs: 10_000, maxMs: 86_400_000 }) }),
    ...(pollers && { concurrency: pollers }),
    ...(profileDir && { profileDir: path.resolve(profileDir) }),
    ...(maxOldSpace !== undefined && { maxOldSpaceMb: Number(maxOldSpace) }),
  };
}

if (require.main === module) {
  Promise.resolve()
    .then(() => runLoadBench(loadBenchOptionsFromArgs(process.argv.slice(2))))
    .then((result) => {
      const json = process.argv.includes('--json');
      process.stdout.write(`${JSON.stringify(result, null, json ? undefined : 2)}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`load bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
