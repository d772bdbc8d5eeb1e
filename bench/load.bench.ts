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
 * `node src/main.js` of the build with REDIS_URL on a real Redis, or the bare server), the gRPC load
 * client (bench/load/load-client.ts), and this one, which serves the triggers' source (a small Prometheus-API
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
 *
 * This file holds the options and the sequence of runs; bench/load/ holds the parts: processes.ts
 * (compiling, starting and stopping the servers and the stub), run-client.ts and load-client.ts (the load
 * client), readings.ts (RSS, CPU, heap snapshots, handler time), measure.ts (one server under load) and
 * report.ts (figures, targets, progress lines, JSON).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { parseDuration } from '../src/config/parse';
import type { LoadPhase } from './load/load-client';
import { measure, runSoak } from './load/measure';
import {
  chartHeapLimitMib,
  compile,
  deleteKeys,
  startPrometheusStub,
  type Build,
  type PrometheusStub,
  type RunContext,
} from './load/processes';
import {
  formatReport,
  loadReport,
  pairLine,
  pairRun,
  round2,
  soakLine,
  type LoadBenchRun,
  type SoakResult,
} from './load/report';

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

const PACED_PERIOD_S = 15;

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
        const pair = pairRun(triggers, round, scaler, bare);
        runs.push(pair);
        log(pairLine(label, pair));
      }
    }

    let soak: SoakResult | undefined;
    if (options.soakMs !== undefined && options.soakMs > 0) {
      const triggers = Math.max(...counts);
      log(`soak: ${triggers} triggers for ${Math.round(options.soakMs / 1000)} s`);
      soak = await runSoak(triggers, options.soakMs, context);
      log(soakLine(soak));
    }

    return loadReport({
      started,
      loadAverageAtStart,
      maxOldSpaceMb: context.maxOldSpaceMb,
      counts,
      concurrency,
      pacedPeriodS: PACED_PERIOD_S,
      runs,
      soak,
    });
  } finally {
    killAll();
    process.removeListener('exit', killAll);
    await stub?.close();
    await build?.cleanup();
    await deleteKeys(redis, prefix).catch(() => undefined);
    redis.disconnect();
  }
}

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
      process.stdout.write(formatReport(result, process.argv.includes('--json')));
    })
    .catch((error: unknown) => {
      process.stderr.write(`load bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
