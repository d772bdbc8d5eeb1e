import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './ports';

const run = promisify(execFile);
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';

/**
 * A redis-server of the test's own on a free loopback port, so a test can stop, restart or reconfigure
 * it without touching the shared Redis on 6379 that other suites use at the same time.
 */
export interface OwnRedis {
  port: number;
  /** `redis://127.0.0.1:<port>` (with the password when one is required). */
  url: string;
  dir: string;
  /** Stops the server (SIGTERM: with `persistent`, it writes its append-only file first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  destroy(): Promise<void>;
}

export interface OwnRedisOptions {
  /** Keep data across restarts: append-only file, fsync on every write. @default false */
  persistent?: boolean;
  /** `requirepass`. */
  password?: string;
  /** Extra `redis-server` arguments. */
  args?: string[];
  /** A config file's text, written into the server's folder and passed first (for Sentinel). */
  configFile?: string;
  port?: number;
}

export async function startOwnRedis(options: OwnRedisOptions = {}): Promise<OwnRedis> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(path.join(tmpdir(), 'kps-redis-'));
  const args: string[] = [];
  if (options.configFile !== undefined) {
    const file = path.join(dir, 'redis.conf');
    await writeFile(file, options.configFile);
    args.push(file);
  }
  args.push('--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no', '--dir', dir);
  if (options.persistent) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  if (options.password !== undefined) args.push('--requirepass', options.password);
  args.push(...(options.args ?? []));

  let child: ChildProcess | undefined;
  let log = '';
  const start = async (): Promise<void> => {
    log = '';
    const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const keep = (chunk: Buffer): void => {
      log = (log + chunk.toString()).slice(-4_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (error) => reject(new Error(`cannot start ${REDIS_SERVER}: ${error.message}`)));
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${log}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([
      waitFor(`redis-server on ${port}`, async () => ((await answersPing(port)) ? true : undefined), {
        timeoutMs: 15_000,
        intervalMs: 50,
      }),
      failed,
    ]);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    dir,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True when something on the port answers PING like Redis (NOAUTH counts: it is up). */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

/** redis-cli with arguments, for cluster creation and inspection. */
export async function redisCli(args: string[], timeoutMs = 30_000): Promise<string> {
  const { stdout } = await run(REDIS_CLI, args, { timeout: timeoutMs });
  return stdout;
}

/** One master and one Sentinel watching it as `masterName`. */
export interface OwnSentinel {
  master: OwnRedis;
  sentinel: OwnRedis;
  masterName: string;
  /** `redis+sentinel://127.0.0.1:<sentinel port>/<master name>` */
  url: string;
  destroy(): Promise<void>;
}

export async function startOwnSentinel(masterName = 'kps-master'): Promise<OwnSentinel> {
  const master = await startOwnRedis();
  const sentinelPort = await freePort();
  const sentinel = await startOwnRedis({
    port: sentinelPort,
    // `--save ""` and friends are server options a Sentinel still accepts; the monitor line is what matters.
    configFile: [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${masterName} 5000`,
      '',
    ].join('\n'),
    args: ['--sentinel'],
  });
  await waitFor(
    'the sentinel to know its master',
    async () => {
      const out = await redisCli([
        '-p',
        String(sentinelPort),
        'SENTINEL',
        'get-master-addr-by-name',
        masterName,
      ]);
      return out.includes(String(master.port)) ? true : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
  return {
    master,
    sentinel,
    masterName,
    url: `redis+sentinel://127.0.0.1:${sentinelPort}/${masterName}`,
    async destroy() {
      await sentinel.destroy();
      await master.destroy();
    },
  };
}

/** Three masters (no replicas) joined into a cluster with `redis-cli --cluster create`. */
export interface OwnCluster {
  nodes: OwnRedis[];
  /** `redis+cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3>` */
  url: string;
  destroy(): Promise<void>;
}

export async function startOwnCluster(size = 3): Promise<OwnCluster> {
  const nodes: OwnRedis[] = [];
  try {
    for (let i = 0; i < size; i++) {
      nodes.push(
        await startOwnRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    await redisCli(
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      60_000,
    );
    await waitFor(
      'the cluster to be ok on every node',
      async () => {
        for (const node of nodes) {
          const info = await redisCli(['-p', String(node.port), 'CLUSTER', 'INFO']);
          if (!info.includes('cluster_state:ok')) return undefined;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  } catch (error) {
    for (const node of nodes) await node.destroy();
    throw error;
  }
  return {
    nodes,
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    async destroy() {
      for (const node of nodes) await node.destroy();
    },
  };
}
