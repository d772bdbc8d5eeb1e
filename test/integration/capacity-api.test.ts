import { readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { parseTriggerMetadata } from '../../src/sources/trigger-metadata';
import type { ForecastService } from '../../src/forecast/lifecycle/forecast-service';
import { openMetricsGauge } from '../support/openmetrics';
import { waitFor } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

const FIVE_MINUTES = 300_000;
const HOUR = 3_600_000;
const ADMIN_TOKEN = 'capacity-test-token';
const FIXTURE = path.join(__dirname, '../fixtures/capacity/azure-vm-964968-usage.csv');

/** The fixture's CPU column: a week of 5-minute CPU of a real Azure VM (see test/fixtures/capacity). */
function fixtureCores(): number[] {
  return readFileSync(FIXTURE, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[1]));
}

interface Json {
  status: number;
  headers: Headers;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The capacity API against a running scaler: a week of a real VM's CPU is loaded into a real Prometheus,
 * ending now; the scaler backfills it into the real Redis, trains, and serves forecasts, model details
 * and rollback over HTTP.
 */
describe('capacity API', () => {
  const prefix = `kps-test-capacity-${process.pid}-${Date.now()}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  const now = Math.floor(Date.now() / FIVE_MINUTES) * FIVE_MINUTES;
  const cores = fixtureCores();
  const observedPeak = Math.max(...cores);
  let prometheus: TestPrometheus;
  let scaler: TestScaler;
  let metricName: string;
  let idleMetricName: string;

  const metadata = (metric = 'azure_vm_cpu_cores') => ({
    source: 'prometheus',
    serverAddress: prometheus.url,
    query: `max(last_over_time(${metric}[15m]))`,
    threshold: '1',
    sampleInterval: '5m',
    historyWindow: '7d',
  });

  const api = async (pathAndQuery: string, init: RequestInit = {}): Promise<Json> => {
    const response = await fetch(`http://127.0.0.1:${scaler.httpPort}${pathAndQuery}`, init);
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Json['body'],
    };
  };
  const rollback = (headers: Record<string, string> = {}): Promise<Json> =>
    api(`/models/shop/web/${metricName}/rollback`, { method: 'POST', headers });

  beforeAll(async () => {
    const samples = cores.map((value, i): [number, number] => [
      now - (cores.length - i) * FIVE_MINUTES,
      value,
    ]);
    prometheus = await startPrometheus({
      openMetricsHistory: openMetricsGauge('azure_vm_cpu_cores', samples),
    });
    scaler = await startTestScaler({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      RETRAIN_INTERVAL: '1h',
      MODEL_REFRESH_INTERVAL: '500ms',
      ADMIN_TOKEN,
    });
  }, 120_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('answers 404 with a clear message for a trigger KEDA has not asked about', async () => {
    const response = await api('/forecast/shop/web/prometheus-0123456789?window=next_day');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatch(
      /^unknown trigger shop\/web\/prometheus-0123456789: this scaler has not been asked about it/,
    );
    expect((await api('/models/shop/web/prometheus-0123456789')).status).toBe(404);
  });

  it('answers 503 with Retry-After while a trigger has no model yet', async () => {
    const ref = kedaRef(metadata(), 'web', 'shop');
    metricName = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
    await scaler.client.getMetrics(ref, metricName);
    // No history at all for this one: it stays untrained.
    const idle = kedaRef(metadata('azure_vm_cpu_cores_of_a_new_service'), 'idle', 'shop');
    idleMetricName = (await scaler.client.getMetricSpec(idle)).metricSpecs[0]!.metricName;
    await scaler.client.getMetrics(idle, idleMetricName);

    const response = await api(`/forecast/shop/idle/${idleMetricName}?window=next_day`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(response.body).toMatchObject({ status: 'not_trained' });
    expect(response.body.error).toMatch(new RegExp(`^no model of shop/idle/${idleMetricName} yet`));
    expect((await api(`/models/shop/idle/${idleMetricName}`)).status).toBe(503);
  });

  it('forecasts tomorrow from the model trained on the real trace, with a CPU recommendation', async () => {
    await waitFor(
      'the model of the web trigger',
      async () => ((await api(`/models/shop/web/${metricName}`)).status === 200 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const { status, body } = await api(`/forecast/shop/web/${metricName}?window=next_day&resource=cpu`);
    expect(status).toBe(200);
    expect(body.trigger).toMatchObject({
      namespace: 'shop',
      scaledObject: 'web',
      metricName,
      source: 'prometheus',
    });
    const tomorrow = new Date(now);
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(body.window).toMatchObject({
      name: 'next_day',
      from: tomorrow.toISOString(),
      to: new Date(tomorrow.getTime() + 24 * HOUR).toISOString(),
      timezone: 'UTC',
      resolution: '5m',
    });
    expect(body.points).toHaveLength(288);
    for (const point of body.points) {
      expect(point.lower).toBeLessThanOrEqual(point.mean);
      expect(point.upper).toBeGreaterThanOrEqual(point.mean);
    }
    // The VM idles around 0.2 cores with short bursts near 2: the forecast must look like it.
    const { summary } = body;
    expect(summary.mean).toBeGreaterThan(0.1);
    expect(summary.mean).toBeLessThan(0.4);
    expect(summary.peak.value).toBeGreaterThan(summary.mean);
    expect(summary.quantile.level).toBe(0.9);
    expect(summary.quantile.value).toBeGreaterThanOrEqual(summary.mean);
    expect(summary.lower).toBeLessThanOrEqual(summary.mean);
    expect(summary.upper).toBeGreaterThanOrEqual(summary.quantile.value);
    expect(body.observedPeak).toBeCloseTo(observedPeak, 3);

    expect(body.model).toMatchObject({ version: 1, step: '5m', quantile: 0.9 });
    expect(typeof body.model.method).toBe('string');
    expect(body.model.backtestMase).toBeGreaterThan(0);
    // The window ends with the current 5-minute slot.
    expect(Date.parse(body.model.trainingWindow.to)).toBeLessThanOrEqual(Date.now() + FIVE_MINUTES);
    expect(Date.parse(body.model.trainingWindow.from)).toBeLessThanOrEqual(now - 6 * 24 * HOUR);
    expect(body.uncertainty).toMatchObject({ scalingBand: '30m' });
    expect(body.uncertainty.longHorizonMethod).toEqual(expect.any(String));
    expect(body.uncertainty.calibratedHorizon).toMatch(/^\d+[dh]/);

    const rec = body.recommendation;
    expect(rec.resource).toBe('cpu');
    expect(rec.multipliers).toEqual({ request: 0.8, limit: 1.2 });
    expect(rec.request.text).toMatch(/^(\d+m|\d+)$/);
    expect(rec.limit.text).toMatch(/^(\d+m|\d+)$/);
    // Never below the observed peak, and the limit never below the request.
    expect(rec.request.value).toBeGreaterThanOrEqual(observedPeak);
    expect(rec.limit.value).toBeGreaterThanOrEqual(rec.request.value);
    expect(rec.limit.value).toBeGreaterThanOrEqual(Math.ceil(1.2 * rec.basis * 100 - 1e-6) / 100 - 1e-9);

    // Asked to, the request follows the forecast alone: 80 % of the basis, rounded up to 10m.
    const below = await api(
      `/forecast/shop/web/${metricName}?window=next_day&resource=cpu&allowBelowPeak=true`,
    );
    expect(below.body.recommendation.request.bound).toBe('forecast');
    expect(below.body.recommendation.request.value).toBeCloseTo(
      Math.ceil(0.8 * rec.basis * 100 - 1e-9) / 100,
      9,
    );
  }, 90_000);

  it.each([
    ['next_week', '1h', 168],
    ['next_weekend', '1h', 48],
    ['next_month', '6h', undefined],
  ])('forecasts %s at %s resolution', async (window, resolution, points) => {
    const { status, body } = await api(`/forecast/shop/web/${metricName}?window=${window}&resource=cpu`);
    expect(status).toBe(200);
    expect(body.window.resolution).toBe(resolution);
    const hours = (Date.parse(body.window.to) - Date.parse(body.window.from)) / HOUR;
    expect(body.points).toHaveLength(points ?? hours / 6);
    expect(Date.parse(body.window.from)).toBeGreaterThan(Date.now());
    if (window === 'next_month') {
      expect(body.window.from).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
      expect(body.recommendation.multipliers).toEqual({ request: 0.7, limit: 1.5 });
    }
  });

  it.each([
    [
      'window=tomorrow',
      'window "tomorrow" is invalid: expected one of next_day, next_week, next_weekend, next_month',
    ],
    ['resource=gpu', 'resource "gpu" is invalid: expected cpu (cores), memory (bytes) or none'],
    ['requestMultiplier=lots', 'requestMultiplier "lots" is invalid'],
    ['timezone=Mars/Olympus', 'timezone "Mars/Olympus" is invalid'],
  ])('answers 400 for %s', async (query, message) => {
    const response = await api(`/forecast/shop/web/${metricName}?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error).toContain(message);
  });

  it('lists the models of the triggers KEDA asked about', async () => {
    const { status, body } = await api('/models');
    expect(status).toBe(200);
    const byName = Object.fromEntries(body.models.map((m: { scaledObject: string }) => [m.scaledObject, m]));
    expect(byName.web).toMatchObject({ namespace: 'shop', metricName, status: 'trained', previous: null });
    expect(byName.web.current).toMatchObject({ version: 1 });
    expect(byName.idle).toMatchObject({ metricName: idleMetricName, status: 'not_trained', current: null });
  });

  it('rolls back to the previous model only with the admin token', async () => {
    const missing = await rollback();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.body.error).toContain('Authorization: Bearer');
    const wrong = await rollback({ authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('the bearer token does not match ADMIN_TOKEN');
    expect((await api(`/models/shop/web/${metricName}/rollback`)).status).toBe(405);

    const authorised = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const nothing = await rollback(authorised);
    expect(nothing.status).toBe(409);
    expect(nothing.body.error).toContain('nothing to roll back to');

    // A retraining keeps the first model as the previous version.
    const runtime = scaler.forecast as ForecastService;
    expect(await runtime.trainNow(parseTriggerMetadata(metadata()))).toBe('saved');
    const retrained = await api(`/models/shop/web/${metricName}`);
    expect(retrained.body.current.version).toBe(2);
    expect(retrained.body.previous.version).toBe(1);
    expect(retrained.body.current.scores.length).toBeGreaterThan(1);

    const done = await rollback(authorised);
    expect(done.status).toBe(200);
    expect(done.body.restored.version).toBe(1);
    expect(done.body.previous.version).toBe(2);
    const after = await api(`/models/shop/web/${metricName}`);
    expect(after.body.current.version).toBe(1);
    expect(after.body.previous.version).toBe(2);
    expect(scaler.logs.lines.some((line) => line.msg === 'model rolled back through the HTTP API')).toBe(
      true,
    );
    // The forecast is served from the restored model.
    expect((await api(`/forecast/shop/web/${metricName}`)).body.model.version).toBe(1);
  }, 60_000);

  it('keeps the versions with who promoted them, and a pinned model stays through training', async () => {
    const authorised = { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
    const listed = await api(`/models/shop/web/${metricName}/versions`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ currentVersion: 1, previousVersion: 2, pinnedVersion: null });
    expect(listed.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(listed.body.versions[1]).toMatchObject({ version: 1, promotedBy: 'operator' });
    expect(listed.body.versions[0]).toMatchObject({ version: 2, promotedBy: 'trainer' });

    const pinned = await api(`/models/shop/web/${metricName}/pin`, authorised);
    expect(pinned.status).toBe(200);
    expect(pinned.body.pinned.version).toBe(1);
    const runtime = scaler.forecast as ForecastService;
    expect(await runtime.trainNow(parseTriggerMetadata(metadata()))).toBe('pinned');
    expect((await api(`/models/shop/web/${metricName}`)).body.current.version).toBe(1);
    expect((await api(`/models/shop/web/${metricName}/rollback`, authorised)).status).toBe(409);

    expect((await api(`/models/shop/web/${metricName}/unpin`, authorised)).body.unpinnedVersion).toBe(1);
    expect(await runtime.trainNow(parseTriggerMetadata(metadata()))).toBe('saved');
    const after = await api(`/models/shop/web/${metricName}/versions`);
    expect(after.body).toMatchObject({ currentVersion: 3, previousVersion: 1, pinnedVersion: null });

    const audit = scaler.logs.lines.filter((line) => typeof line.audit === 'string');
    expect(audit.map((line) => line.audit)).toEqual(
      expect.arrayContaining(['model.promoted', 'model.rolledBack', 'model.pinned', 'model.unpinned']),
    );
    expect(audit.find((line) => line.audit === 'model.pinned')).toMatchObject({
      promotedBy: 'operator',
      namespace: 'shop',
      scaledObject: 'web',
      version: 1,
    });
  }, 60_000);

  it('refuses rollback with 403 when no admin token is set', async () => {
    const plain = await startTestScaler();
    try {
      const response = await fetch(
        `http://127.0.0.1:${plain.httpPort}/models/shop/web/${metricName}/rollback`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        },
      );
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: 'rollback is disabled: set ADMIN_TOKEN on the scaler to enable it',
      });
    } finally {
      await plain.stop();
    }
  });
});
