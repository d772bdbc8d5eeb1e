import { status } from '@grpc/grpc-js';
import { grpcError, kedaRef } from '../../test/support/scaler';
import { UpstreamDataError, UpstreamUnavailableError } from '../errors';
import { PROMETHEUS_METADATA, startInProcessScaler, type InProcessScaler } from './request-path.fixtures';

/**
 * The four ExternalScaler RPCs on a real grpc-js server on loopback, called through a client built from
 * the proto as KEDA's is, with a fake source behind the evaluator: no Prometheus, broker or Redis.
 */
describe('externalScalerService in-process', () => {
  let scaler: InProcessScaler;
  const ref = (metadata: Record<string, string> = {}) => kedaRef({ ...PROMETHEUS_METADATA, ...metadata });

  beforeEach(async () => {
    scaler = await startInProcessScaler({ evaluationTtlMs: 1_000 });
  });
  afterEach(async () => {
    await scaler.stop();
  });

  describe('GetMetricSpec', () => {
    it('names the metric and target from metadata alone, without reading the source', async () => {
      const { client, path } = scaler;
      const spec = await client.getMetricSpec(ref({ threshold: '2.5' }));
      const config = path.registry.config({ ...PROMETHEUS_METADATA, threshold: '2.5' });
      expect(spec.metricSpecs).toEqual([
        { metricName: config.metricName, targetSize: 3, targetSizeFloat: 2.5 },
      ]);
      expect(path.source.reads).toBe(0);
    });

    it('scales target and value by valueScale for KEDA before 2.17, which reads integers only', async () => {
      const { client, path } = scaler;
      path.source.answers(0.73);
      const scaled = ref({ threshold: '0.5', valueScale: '1000' });
      const spec = await client.getMetricSpec(scaled);
      expect(spec.metricSpecs[0]).toMatchObject({ targetSize: 500, targetSizeFloat: 500 });
      const reply = await client.getMetrics(scaled, spec.metricSpecs[0]!.metricName);
      expect(reply.metricValues[0]).toMatchObject({ metricValue: 730, metricValueFloat: 730 });
      // Without it the integer fields lose the ratio: 0.73 / 0.5 is 2 replicas, 1 / 1 would be 1.
      const plain = await client.getMetricSpec(ref({ threshold: '0.5' }));
      expect(plain.metricSpecs[0]).toMatchObject({ targetSize: 1, targetSizeFloat: 0.5 });
    });

    it('answers even while the source is down', async () => {
      scaler.path.source.fails(new UpstreamUnavailableError('cannot reach http://127.0.0.1:1'));
      await expect(scaler.client.getMetricSpec(ref())).resolves.toBeDefined();
      expect(scaler.path.source.reads).toBe(0);
    });
  });

  describe('GetMetrics and IsActive', () => {
    it('return the evaluated value and activation', async () => {
      const { client, path } = scaler;
      path.source.answers(12.4);
      const { metricName } = (await client.getMetricSpec(ref())).metricSpecs[0]!;
      expect(await client.getMetrics(ref(), metricName)).toEqual({
        metricValues: [{ metricName, metricValue: 12, metricValueFloat: 12.4 }],
      });
      expect(await client.isActive(ref())).toEqual({ result: true });
    });

    it('share one evaluation: one source read answers both', async () => {
      const { client, path } = scaler;
      path.source.answers(0);
      const { metricName } = (await client.getMetricSpec(ref())).metricSpecs[0]!;
      const [metrics, active] = await Promise.all([
        client.getMetrics(ref(), metricName),
        client.isActive(ref()),
      ]);
      expect(metrics.metricValues[0]!.metricValueFloat).toBe(0);
      expect(active.result).toBe(false);
      expect(path.source.reads).toBe(1);

      // Once the evaluation is older than its TTL, the next call reads again.
      path.clock.advance(1_000);
      path.source.answers(3);
      expect(await client.isActive(ref())).toEqual({ result: true });
      expect(path.source.reads).toBe(2);
    });

    it('accept the metric name with the sN- prefix KEDA adds, in any case', async () => {
      const { client, path } = scaler;
      path.source.answers(8);
      const { metricName } = (await client.getMetricSpec(ref())).metricSpecs[0]!;
      for (const asked of [`s0-${metricName}`, `s12-${metricName}`, `S3-${metricName.toUpperCase()}`, '']) {
        const reply = await client.getMetrics(ref(), asked);
        expect(reply.metricValues).toEqual([{ metricName, metricValue: 8, metricValueFloat: 8 }]);
      }
      expect(path.source.reads).toBe(1);
    });

    it("answer NOT_FOUND for another trigger's metric name, before reading", async () => {
      const { client, path } = scaler;
      const error = await grpcError(client.getMetrics(ref(), 's0-prometheus-other-0000abcd'));
      expect(error.code).toBe(status.NOT_FOUND);
      expect(error.details).toContain('"s0-prometheus-other-0000abcd" is not this trigger\'s');
      // The prefix is stripped once, at the start only.
      const { metricName } = (await client.getMetricSpec(ref())).metricSpecs[0]!;
      const nested = await grpcError(client.getMetrics(ref(), `s0-s1-${metricName}`));
      expect(nested.code).toBe(status.NOT_FOUND);
      expect(path.source.reads).toBe(0);
    });
  });

  describe('StreamIsActive', () => {
    it('stays open while the trigger cannot be evaluated, and says true once the source shows activity', async () => {
      const own = await startInProcessScaler({ evaluationTtlMs: 0, pushPollIntervalMs: 50 });
      const stream = own.client.streamIsActive(ref({ maxStaleness: '0s' }));
      const messages: boolean[] = [];
      let ended = false;
      stream.on('data', (message: { result: boolean }) => messages.push(message.result));
      stream.on('status', () => (ended = true));
      stream.on('error', () => undefined);
      try {
        own.path.source.fails(new UpstreamUnavailableError('queue "orders" not found'));
        await sleep(500);
        expect(own.path.source.reads).toBeGreaterThan(3);
        expect(messages).toEqual([]);
        expect(ended).toBe(false);

        own.path.source.answers(3);
        await waitUntil(() => messages.length > 0, 2_000);
        expect(messages).toEqual([true]);

        // Failing again after an answer changes nothing; the next transition to active is sent.
        own.path.source.fails(new UpstreamUnavailableError('broker restarting'));
        await sleep(300);
        own.path.source.answers(0);
        await sleep(300);
        expect(messages).toEqual([true]);
        own.path.source.answers(4);
        await waitUntil(() => messages.length > 1, 2_000);
        expect(messages).toEqual([true, true]);
        expect(ended).toBe(false);
      } finally {
        stream.cancel();
        await own.stop();
      }
    });
  });

  describe('errors map to status codes (src/server/status.ts)', () => {
    const rpcs = {
      GetMetricSpec: (s: InProcessScaler, r: ReturnType<typeof ref>) => s.client.getMetricSpec(r),
      GetMetrics: (s: InProcessScaler, r: ReturnType<typeof ref>) => s.client.getMetrics(r, ''),
      IsActive: (s: InProcessScaler, r: ReturnType<typeof ref>) => s.client.isActive(r),
    };

    it.each(Object.keys(rpcs) as Array<keyof typeof rpcs>)(
      '%s: bad metadata is INVALID_ARGUMENT naming the key',
      async (rpc) => {
        const error = await grpcError(rpcs[rpc](scaler, ref({ threshold: 'lots' })));
        expect(error.code).toBe(status.INVALID_ARGUMENT);
        expect(error.details).toMatch(/^metadata key "threshold" has invalid value "lots"/);
        const missing = await grpcError(rpcs[rpc](scaler, kedaRef({ source: 'prometheus' })));
        expect(missing.code).toBe(status.INVALID_ARGUMENT);
        expect(missing.details).toContain('metadata key "serverAddress" is required');
        expect(scaler.path.source.reads).toBe(0);
      },
    );

    it.each<[string, Record<string, string>, string]>([
      [
        'a start-up time longer than the lead',
        { startupTime: '20m', leadTime: '10m' },
        'metadata key "startupTime" has invalid value "20m": expected a duration no longer than leadTime (10m)',
      ],
      [
        'a horizon shorter than the start-up time and a poll',
        { startupTime: '10m', leadTime: '10m', horizon: '10m' },
        'metadata key "horizon" has invalid value "10m": expected a duration at least startupTime (10m) plus KEDA\'s polling interval (30s)',
      ],
      [
        'a cooldown period without a unit',
        { cooldownPeriod: '300' },
        'metadata key "cooldownPeriod" has invalid value "300": expected a duration with a unit, such as 300s (the ScaledObject\'s cooldownPeriod counts seconds)',
      ],
    ])('%s is INVALID_ARGUMENT naming the key, on every RPC', async (_case, metadata, details) => {
      for (const rpc of Object.values(rpcs)) {
        const error = await grpcError(rpc(scaler, ref(metadata)));
        expect(error.code).toBe(status.INVALID_ARGUMENT);
        expect(error.details).toBe(details);
      }
      expect(scaler.path.source.reads).toBe(0);
    });

    it('an unreachable source is UNAVAILABLE, without credentials in the details', async () => {
      scaler.path.source.fails(
        new UpstreamUnavailableError(
          'cannot reach http://user:s3cret@127.0.0.1:1/api/v1/query: ECONNREFUSED',
        ),
      );
      for (const call of [rpcs.GetMetrics, rpcs.IsActive]) {
        const error = await grpcError(call(scaler, ref({ maxStaleness: '0' })));
        expect(error.code).toBe(status.UNAVAILABLE);
        expect(error.details).toBe('cannot reach http://***@127.0.0.1:1/api/v1/query: ECONNREFUSED');
      }
    });

    it('a wrong answer from the source is FAILED_PRECONDITION', async () => {
      scaler.path.source.fails(new UpstreamDataError('query returned no series', 'empty'));
      const error = await grpcError(rpcs.GetMetrics(scaler, ref()));
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(error.details).toBe('query returned no series');
    });

    it('a non-finite reading is FAILED_PRECONDITION', async () => {
      scaler.path.source.answers(NaN);
      const error = await grpcError(rpcs.IsActive(scaler, ref()));
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(error.details).toBe('source returned NaN; expected a finite number');
    });

    it("a read that outlasts the trigger's timeout is DEADLINE_EXCEEDED, after that timeout", async () => {
      scaler.path.source.hangs();
      const started = Date.now();
      const error = await grpcError(rpcs.GetMetrics(scaler, ref({ timeout: '200ms', maxStaleness: '0' })));
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
      expect(error.details).toBe('fake source did not answer in time');
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('anything else is INTERNAL', async () => {
      scaler.path.source.fails(new TypeError('cannot read properties of undefined'));
      const error = await grpcError(rpcs.IsActive(scaler, ref()));
      expect(error.code).toBe(status.INTERNAL);
      expect(error.details).toBe('internal error: cannot read properties of undefined');
    });

    it('within maxStaleness a failing source is not an error but the last good value', async () => {
      const { path } = scaler;
      path.source.answers(6);
      await rpcs.IsActive(scaler, ref());
      path.clock.advance(10_000);
      path.source.fails(new UpstreamUnavailableError('cannot reach http://127.0.0.1:1'));
      const reply = await rpcs.GetMetrics(scaler, ref());
      expect(reply.metricValues[0]!.metricValueFloat).toBe(6);
    });

    it('counts calls by RPC and status code', async () => {
      await grpcError(rpcs.IsActive(scaler, ref({ threshold: 'lots' })));
      await rpcs.GetMetricSpec(scaler, ref());
      const text = await scaler.path.metricsText();
      expect(text).toContain(
        'keda_predictive_scaler_grpc_requests_total{rpc="IsActive",code="INVALID_ARGUMENT"} 1',
      );
      expect(text).toContain('keda_predictive_scaler_grpc_requests_total{rpc="GetMetricSpec",code="OK"} 1');
    });
  });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}
