/**
 * Starting and stopping what the load benchmark runs: the working tree compiled once, the server under
 * test (the scaler as `node src/main.js` of that build, or the bare server), the Prometheus-API stub the
 * triggers read, and the Redis keys each scaler writes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type Redis from 'ioredis';
import { BENCH_SERIES, benchValue } from './load-client';

/** The repository. */
export const ROOT = path.resolve(__dirname, '../..');
const COMPILED = !__filename.endsWith('.ts');
const run = promisify(execFile);

export interface RunContext {
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

/** `scaler.heapLimitMiB` from the chart's values.yaml: the heap a pod installed with the defaults gets. */
export function chartHeapLimitMib(): number {
  const values = readFileSync(path.join(ROOT, 'charts/ml-autoscaling/values.yaml'), 'utf8');
  const match = /^ {2}heapLimitMiB: (\d+)$/m.exec(values);
  if (!match) throw new Error('charts/ml-autoscaling/values.yaml has no scaler.heapLimitMiB');
  return Number(match[1]);
}

export interface Build {
  /** Folder holding src/main.js, bench/load/bare-server.js, bench/load/load-client.js, … */
  root: string;
  cleanup(): Promise<void>;
}

/**
 * Compiles the working tree (src/ and bench/, with bench/tsconfig.json) into a temporary folder: the
 * scaler lands in src/ there, the bare server and the load client in bench/load/.
 */
export async function compile(): Promise<Build> {
  if (COMPILED) return { root: path.resolve(__dirname, '../..'), cleanup: async () => undefined };
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

export interface StartedServer {
  pid: number;
  grpcPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

export async function startServer(
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

export interface PrometheusStub {
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
export async function startPrometheusStub(): Promise<PrometheusStub> {
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

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5_000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
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

export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(100);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
