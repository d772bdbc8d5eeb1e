import { status } from '@grpc/grpc-js';
import { startExporter, type TestExporter } from '../support/exporter';
import { startPrometheus, waitForSeries, type TestPrometheus } from '../support/prometheus';
import { grpcError, kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

describe('prometheus source against a real Prometheus', () => {
  let exporter: TestExporter;
  let prometheus: TestPrometheus;
  let scaler: TestScaler;
  const queueDepth: Record<string, number> = { emails: 42, reports: 7.5 };

  beforeAll(async () => {
    exporter = await startExporter(() =>
      [
        '# TYPE app_queue_depth gauge',
        ...Object.entries(queueDepth).map(([queue, v]) => `app_queue_depth{queue="${queue}"} ${v}`),
        '# TYPE app_requests_total counter',
        'app_requests_total 1000',
        '',
      ].join('\n'),
    );
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
    await waitForSeries(prometheus, 'app_queue_depth');
    scaler = await startTestScaler();
  }, 60_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
    await exporter?.close();
  });

  const trigger = (query: string, extra: Record<string, string> = {}) =>
    kedaRef({
      source: 'prometheus',
      serverAddress: prometheus.url,
      query,
      threshold: '10',
      predictive: 'false',
      ...extra,
    });

  it('returns what Prometheus returns for the query', async () => {
    const query = 'sum(app_queue_depth)';
    const [expected] = await prometheus.query(query);
    const ref = trigger(query);
    const spec = await scaler.client.getMetricSpec(ref);
    const name = spec.metricSpecs[0]!.metricName;
    const response = await scaler.client.getMetrics(ref, name);
    expect(response.metricValues).toHaveLength(1);
    expect(response.metricValues[0]!.metricValueFloat).toBeCloseTo(Number(expected!.value[1]), 6);
    expect(response.metricValues[0]!.metricValue).toBe(Math.round(Number(expected!.value[1])));
  });

  it('reads an empty result as 0 with ignoreNullValues (the default) and as an error without it', async () => {
    const query = 'app_queue_depth{queue="does-not-exist"}';
    const ref = trigger(query);
    const name = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
    expect((await scaler.client.getMetrics(ref, name)).metricValues[0]!.metricValueFloat).toBe(0);
    expect((await scaler.client.isActive(ref)).result).toBe(false);

    const strict = trigger(query, { ignoreNullValues: 'false' });
    const error = await grpcError(scaler.client.getMetrics(strict, ''));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toMatch(/returned no data/);
  });

  it('refuses several series with FAILED_PRECONDITION', async () => {
    const error = await grpcError(scaler.client.getMetrics(trigger('app_queue_depth'), ''));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toMatch(/returned 2 series; expected exactly one/);
  });

  it('answers DEADLINE_EXCEEDED when Prometheus does not answer within timeout', async () => {
    const ref = trigger('sum(app_queue_depth) + 1', { timeout: '300ms', maxStaleness: '0s' });
    await prometheus.pause();
    try {
      const started = Date.now();
      const error = await grpcError(scaler.client.getMetrics(ref, ''));
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      prometheus.resume();
    }
  });

  it('is active when the live value exceeds activationThreshold', async () => {
    expect(
      (await scaler.client.isActive(trigger('sum(app_queue_depth)', { activationThreshold: '40' }))).result,
    ).toBe(true);
    expect(
      (await scaler.client.isActive(trigger('sum(app_queue_depth)', { activationThreshold: '60' }))).result,
    ).toBe(false);
  });
});

describe('prometheus source when Prometheus is stopped', () => {
  it('answers UNAVAILABLE, never 0 or inactive', async () => {
    const prometheus = await startPrometheus();
    // Every call reads the source, so the failure is seen at once rather than after the shared evaluation expires.
    const scaler = await startTestScaler({ EVALUATION_TTL: '0s' });
    try {
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(5)',
        threshold: '1',
        maxStaleness: '0s',
      });
      expect((await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat).toBe(5);
      await prometheus.stop();
      const error = await grpcError(scaler.client.getMetrics(ref, ''));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+/);
      const active = await grpcError(scaler.client.isActive(ref));
      expect(active.code).toBe(status.UNAVAILABLE);
    } finally {
      await scaler.stop();
      await prometheus.stop();
    }
  }, 60_000);

  it('serves the last good value within maxStaleness, then fails', async () => {
    const prometheus = await startPrometheus();
    const scaler = await startTestScaler({ EVALUATION_TTL: '0s' });
    try {
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(3)',
        threshold: '1',
        maxStaleness: '1s',
      });
      expect((await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat).toBe(3);
      await prometheus.stop();
      expect((await scaler.client.getMetrics(ref, '')).metricValues[0]!.metricValueFloat).toBe(3);
      await new Promise((r) => setTimeout(r, 1_200));
      expect((await grpcError(scaler.client.getMetrics(ref, ''))).code).toBe(status.UNAVAILABLE);
    } finally {
      await scaler.stop();
      await prometheus.stop();
    }
  }, 60_000);
});
