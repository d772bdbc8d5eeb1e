import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { startExporter, type TestExporter } from '../support/exporter';
import { freePort, waitFor } from '../support/ports';
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

/**
 * An auth proxy in front of Prometheus that refuses every request and, as some do, quotes what it was
 * sent: the Authorization header and the query string. What it answers becomes the source's error.
 */
async function startEchoingProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const authorization = req.headers.authorization ?? 'none';
    seen.push(`${authorization} ${req.url}`);
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: 'error',
        errorType: 'unauthorized',
        error: `token rejected: Authorization: ${authorization} for GET ${req.url}`,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('what the decision API, /v1/workloads and the status page show of sources that fail', () => {
  // Every credential below holds the word "secret", so one check finds any of them, in any form.
  const bearer = 'Bearer secret-token-9f8e7d6c';
  const script = '<script>alert(1)</script>';
  let proxy: Awaited<ReturnType<typeof startEchoingProxy>>;
  let scaler: TestScaler;
  let dir: string;
  let profile: string;

  beforeAll(async () => {
    proxy = await startEchoingProxy();
    dir = await mkdtemp(path.join(tmpdir(), 'kps-redact-'));
    const file = path.join(dir, 'workloads.yaml');
    await writeFile(
      file,
      [
        'workloads:',
        '  - name: billing',
        '    namespace: secure',
        '    deployment: billing',
        `    serverAddress: ${proxy.url}`,
        '    customHeadersFromEnv: KPS_TEST_REDACT_HEADERS',
        '    queryParameters: access_token=secret-query-workload',
        '',
      ].join('\n'),
    );
    // A workload's …FromEnv keys name variables of the scaler's own environment.
    process.env.KPS_TEST_REDACT_HEADERS = `Authorization=${bearer}`;
    scaler = await startTestScaler({ EVALUATION_TTL: '0s', WORKLOADS_FILE: file });
    profile = await mkdtemp(path.join(tmpdir(), 'kps-chromium-'));
  }, 60_000);

  afterAll(async () => {
    await scaler?.stop();
    await proxy?.close();
    delete process.env.KPS_TEST_REDACT_HEADERS;
    if (dir) await rm(dir, { recursive: true, force: true });
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const base = (): string => `http://127.0.0.1:${scaler.httpPort}`;

  it('shows why each source is down without its credentials, and names as text', async () => {
    const triggers: Array<[string, string, Record<string, string>]> = [
      // Nothing listens on port 1 of loopback: the connection is refused at once.
      [
        'secure',
        script,
        {
          source: 'rabbitmq',
          host: 'amqp://guest:secret-amqp@127.0.0.1:1/',
          queueName: 'orders',
          value: '5',
          timeout: '2s',
        },
      ],
      [
        'secure',
        'reports',
        {
          source: 'prometheus',
          serverAddress: 'http://user:secret-prom@127.0.0.1:1',
          query: 'up',
          threshold: '1',
        },
      ],
      [
        'secure',
        'billing',
        {
          source: 'prometheus',
          serverAddress: proxy.url,
          query: 'sum(billing_requests)',
          threshold: '1',
          customHeaders: `Authorization=${bearer}`,
          queryParameters: 'access_token=secret-query-trigger',
        },
      ],
    ];
    const grpcDetails: string[] = [];
    for (const [namespace, name, metadata] of triggers) {
      const ref = kedaRef(metadata, name, namespace);
      const metric = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
      const error = await grpcError(scaler.client.getMetrics(ref, metric));
      expect(error.code).toBe(status.UNAVAILABLE);
      grpcDetails.push(error.details);
    }
    // The credentials really went out: the proxy was sent the token and the query parameter.
    expect(proxy.seen.some((line) => line.includes(bearer) && line.includes('secret-query-trigger'))).toBe(
      true,
    );
    expect(grpcDetails.join('\n')).not.toContain('secret');

    const decisions = async (name: string): Promise<{ text: string; body: any }> => {
      const response = await fetch(`${base()}/v1/decisions/secure/${encodeURIComponent(name)}`);
      expect(response.status).toBe(200);
      const text = await response.text();
      return { text, body: JSON.parse(text) };
    };
    const amqp = await decisions(script);
    expect(amqp.body.scaledObject).toBe(script);
    expect(amqp.body.triggers[0].error).toMatch(/RabbitMQ at amqp:\/\/127\.0\.0\.1:1\b/);
    expect(amqp.body.triggers[0].reason).toMatch(
      /^source down: .+; KEDA applies the ScaledObject's fallback$/,
    );
    const prometheusDown = await decisions('reports');
    expect(prometheusDown.body.triggers[0].error).toContain('cannot reach http://127.0.0.1:1/');
    const echoed = await decisions('billing');
    expect(echoed.body.triggers[0].error).toContain('Authorization: Bearer ***');
    expect(echoed.body.triggers[0].error).toContain('access_token=***');
    for (const { text } of [amqp, prometheusDown, echoed]) expect(text).not.toContain('secret');

    // The workload's sampler reads through the same proxy: its last error is listed, redacted.
    const workloads = await waitFor('the workload sampling error', async () => {
      const text = await (await fetch(`${base()}/v1/workloads`)).text();
      return text.includes('lastError') ? text : undefined;
    });
    expect(workloads).toContain('Bearer ***');
    expect(workloads).not.toContain('secret');
    expect(proxy.seen.some((line) => line.includes('secret-query-workload'))).toBe(true);

    const html = await (await fetch(`${base()}/`)).text();
    expect(html).not.toContain('secret');
    expect(html).not.toContain(script);
    const dom = await chromiumDom(`${base()}/`, profile);
    expect(dom).toContain('secure/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dom).toContain('source down: Prometheus at');
    expect(dom).toContain('Authorization: Bearer ***');
    expect(dom).toContain('billing');
    expect(dom).toContain('cpu: failing (');
    expect(dom).not.toContain('<script');
    expect(dom).not.toContain('secret');

    // Logs may say the word (a warning calls a plain Authorization header a secret), never a credential.
    expect(scaler.logs.raw.split('\n').filter((line) => line.includes('secret-'))).toEqual([]);
  }, 90_000);
});
