/**
 * The load generator of the load benchmark, run in its own process so its CPU is not the server's:
 * `node --import tsx bench/load/load-client.ts '<LoadClientConfig as JSON>'`. It calls GetMetricSpec,
 * GetMetrics (with the name GetMetricSpec returned) and IsActive for each trigger in turn, as KEDA's poll
 * does, over one channel as KEDA keeps one connection per scaler address. It prints `EVENT <name>` as
 * the warm-up and each phase end, waits for a line on stdin before going on, and prints one JSON line
 * (`LoadClientResult`) last.
 */
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadExternalScalerProto } from '../../src/server/proto';

/** One measured stretch of load. */
export interface LoadPhase {
  name: string;
  /**
   * `closed`: `concurrency` pollers each run polls back to back (throughput at saturation).
   * `paced`: polls start on a fixed schedule of `pollsPerSecond` whatever the answers (open loop: latency
   * at a given load, as KEDA's timers produce it).
   */
  kind: 'closed' | 'paced';
  durationMs: number;
  concurrency?: number;
  pollsPerSecond?: number;
  /** When set, per-window throughput and p99 are reported too (for the soak). */
  windowMs?: number;
}

export interface LoadClientConfig {
  /** `host:port` of the gRPC server. */
  address: string;
  /** Distinct triggers (ScaledObjects) cycled through. */
  triggers: number;
  /** The Prometheus API the triggers' metadata points at. */
  serverAddress: string;
  /** One poll per trigger before the phases, with this many pollers (parses and caches every trigger). */
  warmUpConcurrency: number;
  phases: LoadPhase[];
  /** Check that GetMetrics returns what the source serves for each trigger (off for the bare server). */
  checkValues: boolean;
  /** @default 10000 */
  callDeadlineMs?: number;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface PhaseResult {
  name: string;
  kind: LoadPhase['kind'];
  durationS: number;
  polls: number;
  calls: number;
  callsPerSecond: number;
  /** Failed calls by gRPC status name. */
  errors: Record<string, number>;
  /** GetMetrics answers that differed from the value the source served, or IsActive false. */
  wrongAnswers: number;
  latency: LatencySummary;
  byRpc: Record<string, LatencySummary>;
  windows?: Array<{ endS: number; callsPerSecond: number; p99Ms: number }>;
}

export interface LoadClientResult {
  warmUp: { durationS: number; calls: number; errors: Record<string, number> };
  phases: PhaseResult[];
}

/** Series the bench's Prometheus stub serves: the value of trigger i is `benchValue(i)`. */
export const BENCH_SERIES = 'kps_bench_queue_length';

export function benchQuery(trigger: number): string {
  return `sum(${BENCH_SERIES}{trigger="${trigger}"})`;
}

export function benchValue(trigger: number): number {
  return (trigger % 50) + 1;
}

/** The metadata KEDA would send for trigger `i`: a Prometheus trigger, `scalerAddress` included. */
export function benchMetadata(trigger: number, serverAddress: string): Record<string, string> {
  return {
    scalerAddress: 'keda-predictive-scaler.keda.svc:9090',
    source: 'prometheus',
    serverAddress,
    query: benchQuery(trigger),
    threshold: '10',
    activationThreshold: '0',
  };
}

/**
 * Latencies in 10 µs buckets up to 100 ms (exact beyond): constant memory however long the run, and
 * percentiles exact to 10 µs.
 */
class LatencyHistogram {
  private static readonly BUCKET_US = 10;
  private static readonly BUCKETS = 10_000;
  private readonly counts = new Uint32Array(LatencyHistogram.BUCKETS);
  private readonly overflowUs: number[] = [];
  count = 0;
  private sumUs = 0;
  private maxUs = 0;

  record(us: number): void {
    this.count += 1;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
    const bucket = Math.floor(us / LatencyHistogram.BUCKET_US);
    if (bucket < LatencyHistogram.BUCKETS) this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    else this.overflowUs.push(us);
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < LatencyHistogram.BUCKETS; i++)
      this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.overflowUs.push(...other.overflowUs);
    this.count += other.count;
    this.sumUs += other.sumUs;
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  quantileMs(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < LatencyHistogram.BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      // The bucket's upper edge: a latency is never reported lower than it was.
      if (seen >= rank) return ((i + 1) * LatencyHistogram.BUCKET_US) / 1000;
    }
    const sorted = [...this.overflowUs].sort((a, b) => a - b);
    return (sorted[rank - seen - 1] ?? this.maxUs) / 1000;
  }

  summary(): LatencySummary {
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return {
      count: this.count,
      p50Ms: round(this.quantileMs(0.5)),
      p90Ms: round(this.quantileMs(0.9)),
      p99Ms: round(this.quantileMs(0.99)),
      p999Ms: round(this.quantileMs(0.999)),
      maxMs: round(this.maxUs / 1000),
      meanMs: this.count === 0 ? NaN : round(this.sumUs / this.count / 1000),
    };
  }
}

type Rpc = 'GetMetricSpec' | 'GetMetrics' | 'IsActive';
const RPCS: readonly Rpc[] = ['GetMetricSpec', 'GetMetrics', 'IsActive'];

interface Recorder {
  byRpc: Record<Rpc, LatencyHistogram>;
  errors: Record<string, number>;
  wrongAnswers: number;
  polls: number;
  window?: LatencyHistogram;
}

function newRecorder(): Recorder {
  return {
    byRpc: {
      GetMetricSpec: new LatencyHistogram(),
      GetMetrics: new LatencyHistogram(),
      IsActive: new LatencyHistogram(),
    },
    errors: {},
    wrongAnswers: 0,
    polls: 0,
  };
}

const STATUS_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
};

/** Drives the configured load and returns what it measured. */
export async function runLoad(
  config: LoadClientConfig,
  onEvent: (name: string) => void = () => undefined,
  /** Awaited after the warm-up and after every phase but the last, so the caller can take readings. */
  between: () => Promise<void> = async () => undefined,
): Promise<LoadClientResult> {
  const { service } = loadExternalScalerProto();
  const client = new service(config.address, credentials.createInsecure(), {}) as Client &
    Record<
      string,
      (request: unknown, options: object, callback: (e: ServiceError | null, v: unknown) => void) => void
    >;
  const deadlineMs = config.callDeadlineMs ?? 10_000;
  const refs = Array.from({ length: config.triggers }, (_, i) => ({
    name: `bench-${i}`,
    namespace: 'bench',
    scalerMetadata: benchMetadata(i, config.serverAddress),
  }));

  const call = (rpc: Rpc, request: unknown, recorder: Recorder): Promise<unknown> =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const method = client[rpc] as (typeof client)[string];
      method.call(client, request, { deadline: Date.now() + deadlineMs }, (error, value) => {
        const us = Number(process.hrtime.bigint() - started) / 1000;
        recorder.byRpc[rpc].record(us);
        recorder.window?.record(us);
        if (error) {
          const name = STATUS_NAMES[error.code] ?? String(error.code);
          recorder.errors[name] = (recorder.errors[name] ?? 0) + 1;
          resolve(undefined);
          return;
        }
        resolve(value);
      });
    });

  // One KEDA poll of trigger i: the spec (every poll and HPA sync), the value, then activity.
  const poll = async (i: number, recorder: Recorder): Promise<void> => {
    const ref = refs[i % refs.length] as (typeof refs)[number];
    const spec = (await call('GetMetricSpec', ref, recorder)) as
      { metricSpecs: Array<{ metricName: string }> } | undefined;
    const metricName = spec?.metricSpecs[0]?.metricName ?? '';
    const metrics = (await call('GetMetrics', { scaledObjectRef: ref, metricName }, recorder)) as
      { metricValues: Array<{ metricValueFloat: number }> } | undefined;
    const active = (await call('IsActive', ref, recorder)) as { result: boolean } | undefined;
    recorder.polls += 1;
    if (config.checkValues) {
      const value = metrics?.metricValues[0]?.metricValueFloat;
      if (metrics !== undefined && value !== benchValue(i % refs.length)) recorder.wrongAnswers += 1;
      if (active !== undefined && !active.result) recorder.wrongAnswers += 1;
    }
  };

  await waitForReady(client, 30_000);

  const warmStarted = performance.now();
  const warm = newRecorder();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, config.warmUpConcurrency) }, async () => {
      while (next < refs.length) await poll(next++, warm);
    }),
  );
  const warmUp = {
    durationS: round3((performance.now() - warmStarted) / 1000),
    calls: RPCS.reduce((sum, rpc) => sum + warm.byRpc[rpc].count, 0),
    errors: warm.errors,
  };
  onEvent('warm-up');
  await between();

  const phases: PhaseResult[] = [];
  let cursor = 0;
  for (const phase of config.phases) {
    const recorder = newRecorder();
    const windows: NonNullable<PhaseResult['windows']> = [];
    const started = performance.now();
    const endAt = started + phase.durationMs;
    let windowTimer: NodeJS.Timeout | undefined;
    if (phase.windowMs !== undefined) {
      recorder.window = new LatencyHistogram();
      let windowStart = started;
      let callsAtWindowStart = 0;
      windowTimer = setInterval(() => {
        const now = performance.now();
        const calls = RPCS.reduce((sum, rpc) => sum + recorder.byRpc[rpc].count, 0);
        windows.push({
          endS: round3((now - started) / 1000),
          callsPerSecond: Math.round(((calls - callsAtWindowStart) * 1000) / (now - windowStart)),
          p99Ms: round3((recorder.window as LatencyHistogram).quantileMs(0.99)),
        });
        recorder.window = new LatencyHistogram();
        windowStart = now;
        callsAtWindowStart = calls;
      }, phase.windowMs);
    }

    if (phase.kind === 'closed') {
      await Promise.all(
        Array.from({ length: Math.max(1, phase.concurrency ?? 32) }, async () => {
          while (performance.now() < endAt) await poll(cursor++, recorder);
        }),
      );
    } else {
      const rate = Math.max(1, phase.pollsPerSecond ?? 100);
      const inFlight = new Set<Promise<void>>();
      const maxInFlight = 5_000;
      let started_ = 0;
      let skipped = 0;
      while (performance.now() < endAt) {
        const due = Math.floor(((performance.now() - started) * rate) / 1000);
        while (started_ < due) {
          started_ += 1;
          // An overloaded server must not make the client's memory grow without bound.
          if (inFlight.size >= maxInFlight) {
            skipped += 1;
            continue;
          }
          const p = poll(cursor++, recorder).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await Promise.all(inFlight);
      if (skipped > 0) recorder.errors.CLIENT_SKIPPED = skipped;
    }
    clearInterval(windowTimer);
    const elapsedS = (performance.now() - started) / 1000;
    const all = new LatencyHistogram();
    for (const rpc of RPCS) all.merge(recorder.byRpc[rpc]);
    phases.push({
      name: phase.name,
      kind: phase.kind,
      durationS: round3(elapsedS),
      polls: recorder.polls,
      calls: all.count,
      callsPerSecond: Math.round(all.count / elapsedS),
      errors: recorder.errors,
      wrongAnswers: recorder.wrongAnswers,
      latency: all.summary(),
      byRpc: Object.fromEntries(RPCS.map((rpc) => [rpc, recorder.byRpc[rpc].summary()])),
      ...(phase.windowMs !== undefined ? { windows } : {}),
    });
    onEvent(phase.name);
    if (phase !== config.phases[config.phases.length - 1]) await between();
  }
  client.close();
  return { warmUp, phases };
}

function waitForReady(client: Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
  );
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Resolves once per line read from stdin: the bench says `GO` when it is ready for the next phase. */
function stdinLines(): () => Promise<void> {
  let buffered = 0;
  let ended = false;
  const waiting: Array<() => void> = [];
  let text = '';
  process.stdin.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    let newline: number;
    while ((newline = text.indexOf('\n')) >= 0) {
      text = text.slice(newline + 1);
      const wake = waiting.shift();
      if (wake) wake();
      else buffered += 1;
    }
  });
  process.stdin.once('end', () => {
    ended = true;
    for (const wake of waiting.splice(0)) wake();
  });
  return () =>
    new Promise<void>((resolve) => {
      if (buffered > 0 || ended) {
        buffered = Math.max(0, buffered - 1);
        resolve();
      } else {
        waiting.push(resolve);
      }
    });
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as LoadClientConfig;
  runLoad(config, (name) => process.stdout.write(`EVENT ${name}\n`), stdinLines())
    .then((result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`load client failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
