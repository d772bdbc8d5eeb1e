import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './ports';

const run = promisify(execFile);

export interface PrometheusOptions {
  /** `host:port` targets scraped at `scrapeIntervalSeconds`. */
  scrapeTargets?: string[];
  /** @default 1 */
  scrapeIntervalSeconds?: number;
  /** OpenMetrics text loaded as TSDB blocks before start (`promtool tsdb create-blocks-from openmetrics`). */
  openMetricsHistory?: string;
}

export interface TestPrometheus {
  url: string;
  /**
   * Freezes the process (SIGSTOP): requests hang, as with an overloaded server. Resolves once every
   * thread is stopped: the signal takes effect when each thread is next scheduled, and a request sent in
   * between was seen answered.
   */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
  /** Instant query through Prometheus's own API, for comparing with what the scaler reports. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
}

/**
 * The real Prometheus from Debian's package, on a free loopback port with a temporary config and data
 * directory that are removed on stop.
 */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<TestPrometheus> {
  const binary = process.env.PROMETHEUS_BIN ?? 'prometheus';
  const dir = await mkdtemp(path.join(tmpdir(), 'kps-prometheus-'));
  const dataDir = path.join(dir, 'data');
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    '  - job_name: test',
    '    static_configs:',
    `      - targets: [${(options.scrapeTargets ?? []).map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'prometheus.yml'), config);
  if (options.openMetricsHistory !== undefined) {
    const file = path.join(dir, 'history.om');
    await writeFile(file, options.openMetricsHistory);
    await run(
      process.env.PROMTOOL_BIN ?? 'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  }
  // A port found free can be taken by another process before Prometheus binds it; then our process exits
  // and another one answers on that port. Readiness therefore checks that the answer comes from our own
  // config file, and a lost race is retried on a new port.
  let started: { child: ChildProcess; url: string } | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && started === undefined; attempt++) {
    try {
      started = await spawnPrometheus(binary, path.join(dir, 'prometheus.yml'), dataDir, await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  if (started === undefined) throw lastError;
  const { child, url } = started;
  let stopped = false;
  return {
    url,
    pause: async () => {
      child.kill('SIGSTOP');
      await waitFor('every Prometheus thread to stop', () => allThreadsStopped(child.pid as number), {
        timeoutMs: 5_000,
        intervalMs: 5,
      });
    },
    resume: () => child.kill('SIGCONT'),
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGCONT');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
    async query(promql: string) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, {
        headers: { connection: 'close' },
      });
      const body = (await response.json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      return body.data.result;
    },
  };
}

/** Waits until Prometheus has scraped `series` at least once (after a target starts or changes). */
export async function waitForSeries(
  prometheus: TestPrometheus,
  promql: string,
  timeoutMs = 15_000,
): Promise<void> {
  await waitFor(
    `series ${promql}`,
    async () => ((await prometheus.query(promql)).length > 0 ? true : undefined),
    {
      timeoutMs,
      intervalMs: 200,
    },
  );
}

async function spawnPrometheus(
  binary: string,
  configFile: string,
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; url: string }> {
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=60d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot start ${binary} (apt-get install -y prometheus): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`prometheus exited with ${code}: ${stderr}`)));
  });
  spawnError.catch(() => undefined);
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitFor(
        'prometheus to be ready',
        async () => {
          const response = await fetch(`${url}/api/v1/status/flags`, { headers: { connection: 'close' } });
          if (!response.ok) return undefined;
          const body = (await response.json()) as { data?: Record<string, string> };
          if (body.data?.['config.file'] !== configFile)
            throw new Error(`port ${port} is another Prometheus`);
          return (await fetch(`${url}/-/ready`, { headers: { connection: 'close' } })).ok ? true : undefined;
        },
        { timeoutMs: 30_000 },
      ),
      spawnError,
    ]);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw error;
  }
  return { child, url };
}

/** True when every thread of `pid` is in state T (stopped), from /proc/<pid>/task/<tid>/stat. */
async function allThreadsStopped(pid: number): Promise<true | undefined> {
  const tasks = await readdir(`/proc/${pid}/task`);
  for (const tid of tasks) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    // The state follows the command name, which may hold spaces but ends at the last parenthesis.
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'T') return undefined;
  }
  return true;
}
