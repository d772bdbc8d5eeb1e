/**
 * One server under the load client: the scaler or the bare server started, driven through the warm-up
 * and the phases (or the soak) with the readings taken between them, then stopped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { liveHeapMb } from './heap-snapshot';
import type { LoadPhase, PhaseResult } from './load-client';
import { sleep, startServer, waitUntil, type RunContext } from './processes';
import { readCpuSeconds, readRss, sampleRss, scrapeHandlerHistogram, takeHeapSnapshot } from './readings';
import {
  LEAK_THRESHOLD_MB,
  round1,
  round3,
  slopePerMinute,
  summariseHandler,
  type ClosedPhase,
  type HandlerHistogram,
  type ServerRun,
  type SoakResult,
} from './report';
import { runClient } from './run-client';

/** One server process under the load client: warm-up, settle, then the phases, RSS sampled throughout. */
export async function measure(
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

/**
 * The scaler under closed-loop load for `soakMs`, its RSS read every 5 s. A heap snapshot one minute in
 * and another 30 s before the end measure the live heap (garbage excluded) at both ends: a leak is
 * growth between them. Each snapshot stops the server for a few seconds, which shows in `latency.maxMs`.
 */
export async function runSoak(triggers: number, soakMs: number, context: RunContext): Promise<SoakResult> {
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
