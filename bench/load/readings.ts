/**
 * What the load benchmark reads off a running server: resident set and CPU time from /proc/<pid>, heap
 * snapshots on SIGUSR2, and the scaler's own handler-time histogram from its /metrics.
 */
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { sleep } from './processes';
import { round1, type HandlerHistogram } from './report';

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export function readRss(pid: number): { rssMb: number; hwmMb: number } {
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
export function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export function sampleRss(
  pid: number,
  everyMs: number,
): { peakMb(): number; resetPeak(): void; stop(): void } {
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

export async function scrapeHandlerHistogram(httpPort: number): Promise<HandlerHistogram> {
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

/** Asks the server for a heap snapshot (SIGUSR2); resolves with the file once it is written. */
export async function takeHeapSnapshot(pid: number, dir: string): Promise<string> {
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
