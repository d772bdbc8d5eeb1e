import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
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
  /** Prometheus's web configuration (`--web.config.file`): login and TLS required of every client. */
  web?: PrometheusWebOptions;
}

/** Password of every `web.basicAuthUsers` user. */
export const TEST_BASIC_AUTH_PASSWORD = 'prom-pass';
/**
 * bcrypt of `TEST_BASIC_AUTH_PASSWORD` (cost 10), as Prometheus's web configuration wants it. Made with
 * `python3 -c "import crypt; print(crypt.crypt('prom-pass', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2**10)))"`.
 */
const TEST_BASIC_AUTH_HASH = '$2b$10$YWEUHvyguLOGVzA0T7xHTO0MCWPBJRWUTu/aWY9eMKUiAwxclJW4S';

export interface PrometheusWebOptions {
  /** Users that may log in with `TEST_BASIC_AUTH_PASSWORD`. */
  basicAuthUsers?: string[];
  /** HTTPS with these files; with `clientCaFile`, a client certificate signed by it is required. */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  /** How this module's own requests (readiness, `query`) get past the above. */
  client: { caFile?: string; certFile?: string; keyFile?: string; username?: string };
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
  let webConfigFile: string | undefined;
  if (options.web !== undefined) {
    webConfigFile = path.join(dir, 'web.yml');
    await writeFile(webConfigFile, webConfig(options.web));
  }
  const get = webClient(options.web);
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
      started = await spawnPrometheus(
        binary,
        path.join(dir, 'prometheus.yml'),
        dataDir,
        await freePort(),
        webConfigFile,
        get,
      );
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
      const response = await get(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = JSON.parse(response.body) as {
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

/** Prometheus's web configuration file for `web`. */
function webConfig(web: PrometheusWebOptions): string {
  const lines: string[] = [];
  if (web.tls !== undefined) {
    lines.push('tls_server_config:', `  cert_file: ${web.tls.certFile}`, `  key_file: ${web.tls.keyFile}`);
    if (web.tls.clientCaFile !== undefined) {
      lines.push(
        `  client_ca_file: ${web.tls.clientCaFile}`,
        '  client_auth_type: RequireAndVerifyClientCert',
      );
    }
  }
  if (web.basicAuthUsers !== undefined) {
    lines.push(
      'basic_auth_users:',
      ...web.basicAuthUsers.map((user) => `  ${user}: ${TEST_BASIC_AUTH_HASH}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

type Get = (url: string) => Promise<{ status: number; body: string }>;

/** GET with the credentials `web.client` names; node:http, as fetch takes no client certificate. */
function webClient(web: PrometheusWebOptions | undefined): Get {
  const client = web?.client ?? {};
  const tls = {
    ca: client.caFile === undefined ? undefined : readFileSync(client.caFile),
    cert: client.certFile === undefined ? undefined : readFileSync(client.certFile),
    key: client.keyFile === undefined ? undefined : readFileSync(client.keyFile),
  };
  const headers: Record<string, string> = { connection: 'close' };
  if (client.username !== undefined) {
    const login = `${client.username}:${TEST_BASIC_AUTH_PASSWORD}`;
    headers.authorization = `Basic ${Buffer.from(login).toString('base64')}`;
  }
  return (url) =>
    new Promise((resolve, reject) => {
      const secure = url.startsWith('https:');
      const req = (secure ? https : http).get(url, { headers, ...(secure ? tls : {}) }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
}

async function spawnPrometheus(
  binary: string,
  configFile: string,
  dataDir: string,
  port: number,
  webConfigFile: string | undefined,
  get: Get,
): Promise<{ child: ChildProcess; url: string }> {
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(webConfigFile === undefined ? [] : [`--web.config.file=${webConfigFile}`]),
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
  const secure =
    webConfigFile !== undefined && (await readFile(webConfigFile, 'utf8')).includes('tls_server_config');
  const url = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitFor(
        'prometheus to be ready',
        async () => {
          const response = await get(`${url}/api/v1/status/flags`);
          if (response.status !== 200) return undefined;
          const body = JSON.parse(response.body) as { data?: Record<string, string> };
          if (body.data?.['config.file'] !== configFile)
            throw new Error(`port ${port} is another Prometheus`);
          return (await get(`${url}/-/ready`)).status === 200 ? true : undefined;
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
