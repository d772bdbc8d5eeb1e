import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openMetricsGauge } from '../support/openmetrics';
import { waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { startTestScaler, type TestScaler } from '../support/scaler';

const FIVE_MINUTES = 300_000;
const DAY = 86_400_000;
const MIB = 1024 * 1024;

/** Weekdays: 0.3 cores, 0.5 from 09:00 to 17:00 UTC; weekends 0.1 all day. */
function cpuAt(atMs: number): number {
  const date = new Date(atMs);
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  if (weekend) return 0.1;
  const hour = date.getUTCHours();
  return hour >= 9 && hour < 17 ? 0.5 : 0.3;
}

/** Weekdays 600Mi, weekends 300Mi. */
function memoryAt(atMs: number): number {
  const day = new Date(atMs).getUTCDay();
  return (day === 0 || day === 6 ? 300 : 600) * MIB;
}

/** Mean of `level` over [fromMs, toMs). */
function meanOf(level: (atMs: number) => number, fromMs: number, toMs: number): number {
  let sum = 0;
  let n = 0;
  for (let t = fromMs; t < toMs; t += FIVE_MINUTES, n++) sum += level(t);
  return sum / n;
}

interface Json {
  status: number;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Workloads of WORKLOADS_FILE against a real Prometheus holding 14 days of a workload's CPU and memory
 * (loaded with `promtool tsdb create-blocks-from openmetrics`): they are sampled, backfilled, trained and
 * planned with no KEDA call at all.
 */
describe('workloads without a ScaledObject', () => {
  const now = Math.floor(Date.now() / FIVE_MINUTES) * FIVE_MINUTES;
  let prometheus: TestPrometheus;
  let scaler: TestScaler;
  let dir: string;

  const api = async (pathAndQuery: string): Promise<Json> => {
    const response = await fetch(`http://127.0.0.1:${scaler.httpPort}${pathAndQuery}`);
    return { status: response.status, body: (await response.json()) as Json['body'] };
  };

  beforeAll(async () => {
    const times = Array.from(
      { length: (14 * DAY) / FIVE_MINUTES },
      (_, i) => now - 14 * DAY + i * FIVE_MINUTES,
    );
    prometheus = await startPrometheus({
      // One OpenMetrics document: only the last family keeps its `# EOF`.
      openMetricsHistory:
        openMetricsGauge(
          'web_cpu_cores',
          times.map((t) => [t, cpuAt(t)]),
        ).replace('# EOF\n', '') +
        openMetricsGauge(
          'web_memory_bytes',
          times.map((t) => [t, memoryAt(t)]),
        ),
    });
    dir = await mkdtemp(path.join(tmpdir(), 'kps-workloads-'));
    const file = path.join(dir, 'workloads.yaml');
    await writeFile(
      file,
      [
        'workloads:',
        '  - name: web',
        '    namespace: shop',
        '    serverAddressFromEnv: KPS_TEST_PROMETHEUS',
        '    cpuQuery: max(last_over_time(web_cpu_cores[15m]))',
        '    memoryQuery: max(last_over_time(web_memory_bytes[15m]))',
        '    timezone: UTC',
        '    sampleInterval: 5m',
        '    historyWindow: 14d',
        '',
      ].join('\n'),
    );
    process.env.KPS_TEST_PROMETHEUS = prometheus.url;
    scaler = await startTestScaler({
      WORKLOADS_FILE: file,
      RETRAIN_INTERVAL: '1h',
      MODEL_REFRESH_INTERVAL: '500ms',
    });
  }, 120_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
    delete process.env.KPS_TEST_PROMETHEUS;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists the workload and trains both resources without any KEDA poll', async () => {
    await waitFor(
      'both models of the web workload',
      async () => {
        const { body } = await api('/v1/workloads');
        const [web] = body.workloads;
        return web?.cpu.status === 'trained' && web?.memory.status === 'trained' ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const { status, body } = await api('/v1/workloads');
    expect(status).toBe(200);
    expect(body.workloads).toHaveLength(1);
    expect(body.workloads[0]).toMatchObject({
      name: 'web',
      namespace: 'shop',
      timezone: 'UTC',
      cpu: { query: 'max(last_over_time(web_cpu_cores[15m]))', status: 'trained', model: { version: 1 } },
      memory: { status: 'trained' },
    });
    expect(body.workloads[0].cpu.lastSample).not.toBeNull();
    expect([...scaler.registry.all()]).toHaveLength(0);
  }, 120_000);

  it('forecasts weekday and weekend windows at their own level, with requests and limits', async () => {
    for (const window of ['next_day', 'next_weekend', 'next_week'] as const) {
      const { status, body } = await api(`/v1/workloads/web/forecast?window=${window}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ workload: 'web', namespace: 'shop', window, timezone: 'UTC' });
      const fromMs = Date.parse(body.from);
      const toMs = Date.parse(body.to);
      const cpuMean = meanOf(cpuAt, fromMs, toMs);
      const memoryMean = meanOf(memoryAt, fromMs, toMs);
      expect(body.cpu.mean).toBeGreaterThan(cpuMean * 0.8);
      expect(body.cpu.mean).toBeLessThan(cpuMean * 1.2);
      expect(body.memory.mean).toBeGreaterThan(memoryMean * 0.8);
      expect(body.memory.mean).toBeLessThan(memoryMean * 1.2);
      expect(body.cpu.p90).toBeGreaterThanOrEqual(body.cpu.mean);
      expect(body.cpu.request.text).toMatch(/^\d+m?$/);
      expect(body.cpu.limit.text).toMatch(/^\d+m?$/);
      expect(body.memory.request.text).toMatch(/^\d+(Mi|Gi)$/);
      expect(body.model.cpu).toMatchObject({ version: 1 });
    }
    const weekend = (await api('/v1/workloads/web/forecast?window=next_weekend')).body;
    const week = (await api('/v1/workloads/web/forecast?window=next_week')).body;
    expect(weekend.cpu.mean).toBeLessThan(week.cpu.mean * 0.6);
  });

  it('forecasts one instant with ?at', async () => {
    const at = new Date(now + DAY + 12 * 3_600_000).toISOString();
    const { status, body } = await api(`/v1/workloads/web/forecast?at=${at}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ workload: 'web', at });
    const expected = cpuAt(Date.parse(at));
    expect(body.cpu.mean).toBeGreaterThan(expected * 0.7);
    expect(body.cpu.mean).toBeLessThan(expected * 1.3);
    expect(body.cpu.upper).toBeGreaterThanOrEqual(body.cpu.mean);
    expect((await api('/v1/workloads/web/forecast?at=yesterday')).status).toBe(400);
  });

  it("answers the old API's paths in its shapes", async () => {
    const { status, body } = await api('/next_day?workload=web');
    expect(status).toBe(200);
    expect(Object.keys(body.predictions).sort()).toEqual(['cpu_cores', 'memory_gb']);
    expect(body.recommendations).toEqual({
      cpu: { request: expect.stringMatching(/^\d+m?$/), limit: expect.stringMatching(/^\d+m?$/) },
      memory: {
        request: expect.stringMatching(/^\d+(Mi|Gi)$/),
        limit: expect.stringMatching(/^\d+(Mi|Gi)$/),
      },
    });
    const v1 = (await api('/v1/workloads/web/forecast?window=next_day')).body;
    expect(body.predictions.cpu_cores).toBe(v1.cpu.p90);
    expect(body.recommendations.cpu).toEqual({ request: v1.cpu.request.text, limit: v1.cpu.limit.text });
    for (const window of ['next_week', 'next_weekend', 'next_month']) {
      expect((await api(`/${window}?workload=web`)).status).toBe(200);
    }
    expect((await api('/next_day')).status).toBe(400);
    const unknown = await api('/next_day?workload=shop');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('known are web');
    expect((await api('/health')).body).toEqual({ status: 'healthy', workloads: 1 });
    const info = (await api('/models/info')).body.models;
    expect(info.map((m: { resource: string }) => m.resource)).toEqual(['cpu', 'memory']);
    expect(info[0]).toMatchObject({ workload: 'web', status: 'trained', version: 1 });
    const lost = await api('/predict');
    expect(lost.status).toBe(404);
    expect(lost.body.error).toContain('forecasts live at /v1/workloads/{name}/forecast');
  });
});
