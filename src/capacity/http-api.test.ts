import type http from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseTriggerMetadata } from '../sources/trigger-metadata';
import { trainModel } from '../forecast';
import { historySpec, modelKey } from '../forecast/lifecycle/model-key';
import type { RegularSeries, TrainedModel } from '../forecast/types';
import { startHttpServer } from '../metrics/http-server';
import { TriggerRegistry } from '../server/trigger-registry';
import { MemoryStore } from '../store/memory-store';
import type { StateStore } from '../store/state-store';
import { capacityRoutes } from './http-api';

const FIVE_MINUTES = 300_000;
const DAY = 86_400_000;
const NOW = Date.parse('2024-03-25T00:00:00Z');
const METADATA = {
  source: 'prometheus',
  serverAddress: 'http://prometheus:9090',
  query: 'sum(container_memory_working_set_bytes{namespace="shop",container="web"})',
  threshold: '1',
  sampleInterval: '5m',
  historyWindow: '7d',
};

/** A week of memory: 600Mi at night, 900Mi from 08:00 to 20:00, with a little noise. */
function memoryHistory(): RegularSeries {
  const values: number[] = [];
  let seed = 5;
  for (let t = NOW - 7 * DAY; t < NOW; t += FIVE_MINUTES) {
    const hour = ((t % DAY) / DAY) * 24;
    seed = (seed * 16807) % 2147483647;
    values.push((hour >= 8 && hour < 20 ? 900 : 600) * 2 ** 20 + (seed / 2147483647) * 2 ** 20);
  }
  return { startMs: NOW - 7 * DAY, stepMs: FIVE_MINUTES, values };
}

describe('capacity HTTP API', () => {
  const config = parseTriggerMetadata(METADATA);
  const key = modelKey(config);
  const history = memoryHistory();
  let model: TrainedModel;
  let store: StateStore;
  let triggers: TriggerRegistry;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    model = trainModel(
      history,
      {
        seasonality: 'auto',
        leadTimesMs: [900_000],
        horizonMs: 1_800_000,
        quantile: 0.9,
        anomalyThreshold: 3.5,
      },
      NOW,
    );
    store = new MemoryStore(() => NOW);
    await store.writeSamples(config.signalId, historySpec(config), history);
    await store.saveModel(key, model, { keepPrevious: false, nowMs: NOW });
    triggers = new TriggerRegistry(() => NOW);
    triggers.resolve({ name: 'web', namespace: 'shop', scalerMetadata: METADATA });
    const started = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
      readiness: async () => ({ ready: true, detail: 'test' }),
      routes: capacityRoutes({
        store,
        triggers,
        clock: () => NOW,
        logger: pino({ level: 'silent' }),
        adminToken: 'secret',
        retryAfterSeconds: 30,
      }),
    });
    server = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Body = Record<string, any>;
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(base + path, init);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Body };
  };

  it('recognises a memory trigger from its query and recommends in Mi/Gi', async () => {
    const { status, body } = await get(`/forecast/shop/web/${config.metricName}?window=next_week`);
    expect(status).toBe(200);
    expect(body.resource).toBe('memory');
    expect(body.resourceInferred).toBe(true);
    // Now is Monday 00:00: this week is in progress, the next one starts in 7 days.
    expect(body.window).toMatchObject({
      from: '2024-04-01T00:00:00.000Z',
      to: '2024-04-08T00:00:00.000Z',
      resolution: '1h',
    });
    expect(body.points).toHaveLength(168);
    // Daytime is about 900Mi: the request is at least the observed peak, the limit 120 % of the forecast.
    expect(body.recommendation.request.text).toMatch(/^9\d\dMi$/);
    expect(body.recommendation.limit.text).toMatch(/^1\d{3}Mi$/);
    expect(body.recommendation.request.value).toBeGreaterThanOrEqual(body.observedPeak);
  });

  it("accepts KEDA's s0- prefix and any case in the metric name", async () => {
    const { status } = await get(`/forecast/shop/web/s0-${config.metricName.toUpperCase()}`);
    expect(status).toBe(200);
  });

  it('lists the metric names of a known ScaledObject when the metric is wrong', async () => {
    const { status, body } = await get('/forecast/shop/web/prometheus-nope');
    expect(status).toBe(404);
    expect(body.metricsOfThisScaledObject).toEqual([config.metricName]);
  });

  it('answers 404 for an unknown path under /models, and leaves other paths to the server', async () => {
    expect((await get('/models/shop')).status).toBe(404);
    expect((await get('/forecast/shop/web')).body.error).toMatch(/^no route for GET \/forecast\/shop\/web/);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('answers 405 with Allow for the wrong method', async () => {
    const response = await get(`/forecast/shop/web/${config.metricName}`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('answers 400 for a path segment that is not valid percent-encoding', async () => {
    const response = await get('/forecast/shop/%E0%A4%A/x');
    expect(response.status).toBe(400);
  });

  it('answers 400 for multipliers in the wrong order', async () => {
    const response = await get(
      `/forecast/shop/web/${config.metricName}?requestMultiplier=2&limitMultiplier=1`,
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('limitMultiplier 1 is below requestMultiplier 2');
  });

  it('answers 503 with Retry-After when the store does not answer', async () => {
    const routes = capacityRoutes({
      store: { getModels: () => Promise.reject(new Error('connection refused')) } as unknown as StateStore,
      triggers,
      clock: () => NOW,
      logger: pino({ level: 'silent' }),
      adminToken: undefined,
      retryAfterSeconds: 30,
    });
    let status = 0;
    let headers: Record<string, string> = {};
    let body = '';
    const res = {
      headersSent: false,
      writeHead(code: number, h: Record<string, string>) {
        status = code;
        headers = h;
      },
      end(text: string) {
        body = text;
      },
    } as unknown as http.ServerResponse;
    const url = new URL(`http://localhost/models/shop/web/${config.metricName}`);
    expect(await routes[0]!({ method: 'GET', headers: {} } as http.IncomingMessage, res, url)).toBe(true);
    expect(status).toBe(503);
    expect(headers['retry-after']).toBe('30');
    expect(JSON.parse(body).error).toBe('the state store is not answering: connection refused');
  });

  it('answers 503 for a stored model of an older format', async () => {
    await store.saveModel(key, { ...model, formatVersion: -1 }, { keepPrevious: true, nowMs: NOW });
    const response = await get(`/forecast/shop/web/${config.metricName}`);
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('retraining');
    // Rolling back restores the good one.
    const rolled = await get(`/models/shop/web/${config.metricName}/rollback`, {
      method: 'POST',
      headers: { authorization: 'bearer secret' },
    });
    expect(rolled.status).toBe(200);
    expect((await get(`/forecast/shop/web/${config.metricName}`)).status).toBe(200);
  });

  it('flags a model that did not beat the baselines', async () => {
    await store.saveModel(key, { ...model, usable: false }, { keepPrevious: true, nowMs: NOW });
    const { status, body } = await get(`/forecast/shop/web/${config.metricName}?resource=none`);
    expect(status).toBe(200);
    expect(body.warning).toMatch(/did not beat the baselines/);
    expect(body.recommendation).toBeUndefined();
    expect(body.resource).toBeNull();
  });

  it('lists kept versions, pins one against training and rollback, and rolls back to a named version', async () => {
    const post = (action: string, query = '', token = 'secret') =>
      get(`/models/shop/web/${config.metricName}/${action}${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    const versions = async () => (await get(`/models/shop/web/${config.metricName}/versions`)).body;

    const listed = await versions();
    expect(listed.versions.length).toBeGreaterThanOrEqual(2);
    expect(listed.versions[0]).toMatchObject({ version: listed.currentVersion, method: expect.any(String) });
    const oldest = listed.versions[listed.versions.length - 1].version as number;

    expect((await post('pin', '?version=999')).status).toBe(404);
    expect((await post('pin', '?version=two')).body.error).toBe(
      'version "two" is invalid: expected a positive whole number',
    );
    expect((await post('unpin', '', 'wrong')).status).toBe(401);
    const pinned = await post('pin', `?version=${oldest}`);
    expect(pinned.status).toBe(200);
    expect(pinned.body.pinned.version).toBe(oldest);
    expect(await versions()).toMatchObject({ currentVersion: oldest, pinnedVersion: oldest });
    await expect(
      store.saveModel(key, model, { keepPrevious: true, nowMs: NOW, promotedBy: 'trainer' }),
    ).rejects.toThrow('the model is pinned to version');
    const refused = await post('rollback');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ pinnedVersion: oldest });

    expect((await post('unpin')).body.unpinnedVersion).toBe(oldest);
    expect((await post('unpin')).status).toBe(409);
    const rolled = await post('rollback', `?version=${listed.currentVersion}`);
    expect(rolled.status).toBe(200);
    expect(rolled.body.restored.version).toBe(listed.currentVersion);
    const after = await versions();
    expect(after).toMatchObject({
      currentVersion: listed.currentVersion,
      previousVersion: oldest,
      pinnedVersion: null,
    });
    expect(after.versions[0]).toMatchObject({
      promotedBy: 'operator',
      promotedAt: new Date(NOW).toISOString(),
    });
  });
});
