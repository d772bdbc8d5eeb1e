import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { startExporter, type TestExporter } from '../support/exporter';
import { freePort } from '../support/ports';
import { startPrometheus, waitForSeries, type TestPrometheus } from '../support/prometheus';
import { grpcError, kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

/** The page as Chromium renders it: headless, its DOM after load, serialised. */
function chromiumDom(url: string, profile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.env.CHROMIUM_BIN ?? 'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--virtual-time-budget=2000',
        '--dump-dom',
        url,
      ],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('decisions a person can read: /v1/decisions and the status page', () => {
  let exporter: TestExporter;
  let prometheus: TestPrometheus;
  let scaler: TestScaler;
  let profile: string;

  beforeAll(async () => {
    exporter = await startExporter(() => '# TYPE app_requests gauge\napp_requests 40\n');
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
    await waitForSeries(prometheus, 'app_requests');
    // Every poll evaluates afresh, so a second poll makes a second decision to compare with.
    scaler = await startTestScaler({ EVALUATION_TTL: '0s' });
    profile = await mkdtemp(path.join(tmpdir(), 'kps-chromium-'));
  }, 60_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
    await exporter?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const base = (): string => `http://127.0.0.1:${scaler.httpPort}`;
  const getJson = async (pathname: string): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${base()}${pathname}`);
    return { status: response.status, body: await response.json() };
  };

  it('shows the decision of a real GetMetrics: live, returned, target, replicas and the reason', async () => {
    const ref = kedaRef(
      {
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'sum(app_requests)',
        threshold: '10',
        predictive: 'false',
      },
      'web',
      'shop',
    );
    const name = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
    const value = (await scaler.client.getMetrics(ref, name)).metricValues[0]!.metricValueFloat;
    expect(value).toBe(40);

    const { status: code, body } = await getJson('/v1/decisions/shop/web');
    expect(code).toBe(200);
    expect(body).toMatchObject({ namespace: 'shop', scaledObject: 'web' });
    expect(body.triggers).toHaveLength(1);
    expect(body.triggers[0]).toMatchObject({
      metricName: name,
      source: 'prometheus',
      live: 40,
      returned: 40,
      target: 10,
      impliedReplicas: 4,
      change: null,
      active: true,
      forecast: null,
      confidence: null,
      reason: 'predictive: false: following live 40 (4 replicas)',
    });

    // A second poll compares with the first.
    await scaler.client.getMetrics(ref, name);
    expect((await getJson('/v1/decisions/shop/web')).body.triggers[0].change).toBe('hold');
  });

  it('names a source that is down, and answers 404 for a ScaledObject it has not seen', async () => {
    const closed = await freePort();
    const ref = kedaRef(
      { source: 'prometheus', serverAddress: `http://127.0.0.1:${closed}`, query: 'up', threshold: '1' },
      'reports',
      'shop',
    );
    const name = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
    expect((await grpcError(scaler.client.getMetrics(ref, name))).code).toBe(status.UNAVAILABLE);
    const down = (await getJson('/v1/decisions/shop/reports')).body.triggers[0];
    expect(down).toMatchObject({ live: null, returned: null, impliedReplicas: null });
    expect(down.reason).toMatch(/^source down: .+; KEDA applies the ScaledObject's fallback$/);

    const missing = await getJson('/v1/decisions/shop/nobody');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('no decision for shop/nobody yet');
    expect(missing.body.error).toContain('known: shop/reports, shop/web');
  });

  it('renders the status page in Chromium: triggers, their decision, a plot, no script', async () => {
    const response = await fetch(`${base()}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");

    const dom = await chromiumDom(`${base()}/`, profile);
    expect(dom).toContain('<h1>keda-predictive-scaler</h1>');
    expect(dom).toContain('shop/web');
    expect(dom).toContain('predictive: false: following live 40 (4 replicas)');
    expect(dom).toMatch(/<svg[^>]*>.*<polyline class="live" points="[\d.,]+"/s);
    expect(dom).toContain('source down');
    expect(dom).toContain('no workloads configured');
    expect(dom).not.toContain('<script');
  }, 90_000);
});
