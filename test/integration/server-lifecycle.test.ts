import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import Redis from 'ioredis';
import { freePort, waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { externalScalerClient, kedaRef, startTestScaler } from '../support/scaler';

const ROOT = path.resolve(__dirname, '../..');

describe('the server with and without REDIS_URL', () => {
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus();
  }, 30_000);
  afterAll(() => prometheus.stop());

  it('runs on the in-process store by default', async () => {
    const scaler = await startTestScaler();
    try {
      expect(scaler.store.kind).toBe('memory');
      const ready = await fetch(`http://127.0.0.1:${scaler.httpPort}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', detail: 'store: memory' });
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(4)',
        threshold: '1',
      });
      expect((await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat).toBe(4);
    } finally {
      await scaler.stop();
    }
  });

  it('keeps the last reading in Redis when REDIS_URL is set, and is ready once Redis answers', async () => {
    const prefix = `kps-test-${process.pid}-${Date.now()}`;
    const scaler = await startTestScaler({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix });
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      expect(scaler.store.kind).toBe('redis');
      await waitFor('readyz', async () =>
        (await fetch(`http://127.0.0.1:${scaler.httpPort}/readyz`)).status === 200 ? true : undefined,
      );
      const ref = kedaRef({
        source: 'prometheus',
        // Prometheus ignores the user info; it must not leak into Redis key names.
        serverAddress: prometheus.url.replace('http://', 'http://reader:pw-in-key@'),
        query: 'vector(6)',
        threshold: '1',
      });
      expect((await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat).toBe(6);
      const keys = await waitFor('last reading in redis', async () => {
        const found = await redis.keys(`${prefix}:*`);
        return found.length > 0 ? found : undefined;
      });
      expect(keys.some((k) => k.endsWith(':last'))).toBe(true);
      expect(keys.join('\n')).not.toContain('pw-in-key');
    } finally {
      await scaler.stop();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('is not ready when Redis does not answer', async () => {
    const closed = await freePort();
    const scaler = await startTestScaler({ REDIS_URL: `redis://:secret-password@127.0.0.1:${closed}` });
    try {
      const response = await fetch(`http://127.0.0.1:${scaler.httpPort}/readyz`);
      expect(response.status).toBe(503);
      expect(JSON.stringify(await response.json())).not.toContain('secret-password');
      expect(scaler.logs.raw).not.toContain('secret-password');
    } finally {
      await scaler.stop();
    }
  });
});

describe('logs', () => {
  it('never contain credentials from trigger URLs or headers', async () => {
    const scaler = await startTestScaler({ EVALUATION_TTL: '0s' });
    try {
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: 'http://scaler:hunter2-password@127.0.0.1:1',
        query: 'up',
        threshold: '1',
        customHeaders: 'Authorization=Bearer tok-secret-123',
        maxStaleness: '0s',
      });
      const error = await scaler.client
        .getMetrics(ref, '')
        .catch((e: { code: number; details: string }) => e);
      expect((error as { code: number }).code).toBe(status.UNAVAILABLE);
      expect((error as { details: string }).details).not.toContain('hunter2-password');
      const metrics = await (await fetch(`http://127.0.0.1:${scaler.httpPort}/metrics`)).text();
      for (const text of [scaler.logs.raw, metrics]) {
        expect(text).not.toContain('hunter2-password');
        expect(text).not.toContain('tok-secret-123');
      }
      expect(scaler.logs.lines.length).toBeGreaterThan(0);
    } finally {
      await scaler.stop();
    }
  });
});

describe('unknown metadata keys', () => {
  it('are logged once per trigger, named, and counted in a metric', async () => {
    const scaler = await startTestScaler();
    try {
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: 'http://127.0.0.1:1',
        query: 'up',
        threshold: '1',
        leadtime: '10m',
      });
      await scaler.client.getMetricSpec(ref);
      await scaler.client.getMetricSpec(ref);
      const warnings = scaler.logs.lines.filter((line) => line.key === 'leadtime');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40, scaled_object: ref.name });
      expect(String(warnings[0]?.msg)).toContain('leadtime: not a key of source prometheus');
      const metrics = await (await fetch(`http://127.0.0.1:${scaler.httpPort}/metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(`keda_predictive_scaler_metadata_warnings\\{[^}]*scaled_object="${ref.name}"[^}]*\\} 1\n`),
      );
    } finally {
      await scaler.stop();
    }
  });
});

describe('SIGTERM', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('finishes in-flight calls, ends push streams with OK and exits 0', async () => {
    const prometheus = await startPrometheus();
    const grpcPort = await freePort();
    const httpPort = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        GRPC_PORT: String(grpcPort),
        HTTP_PORT: String(httpPort),
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    const client = externalScalerClient(`127.0.0.1:${grpcPort}`);
    try {
      await waitFor('scaler to listen', async () => (output.includes('listening') ? true : undefined), {
        timeoutMs: 20_000,
      });
      const streamRef = kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(1)',
        threshold: '1',
      });
      const stream = client.streamIsActive(streamRef);
      const streamStatus = new Promise<number>((resolve) =>
        stream.on('status', (s: { code: number }) => resolve(s.code)),
      );
      await new Promise((resolve) => stream.once('data', resolve));

      await prometheus.pause();
      const inFlight = client.getMetrics(
        kedaRef({
          source: 'prometheus',
          serverAddress: prometheus.url,
          query: 'vector(7)',
          threshold: '1',
          timeout: '5s',
        }),
        '',
      );
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      prometheus.resume();

      expect((await inFlight).metricValues[0]!.metricValueFloat).toBe(7);
      expect(await streamStatus).toBe(status.OK);
      expect(await exited).toBe(0);
    } finally {
      client.close();
      await prometheus.stop();
    }
  }, 60_000);
});
