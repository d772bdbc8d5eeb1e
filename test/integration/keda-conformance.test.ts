import path from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  status,
  type GrpcObject,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { grpcError, kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

/**
 * Calls the four ExternalScaler RPCs the way KEDA does: the whole trigger metadata map (scalerAddress
 * included) on every call, the metric name GetMetricSpec returned, float fields preferred when > 0.
 */
describe('KEDA external scaler conformance', () => {
  let prometheus: TestPrometheus;
  let scaler: TestScaler;

  beforeAll(async () => {
    prometheus = await startPrometheus();
    scaler = await startTestScaler();
  }, 60_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
  });

  const trigger = (query: string, extra: Record<string, string> = {}) =>
    kedaRef({ source: 'prometheus', serverAddress: prometheus.url, query, threshold: '2.5', ...extra });

  it('GetMetricSpec names one stable lowercase metric with a target in both fields, without touching the source', async () => {
    const ref = trigger('vector(12.5)', { serverAddress: 'http://127.0.0.1:1' });
    const first = await scaler.client.getMetricSpec(ref);
    const second = await scaler.client.getMetricSpec(ref);
    expect(first.metricSpecs).toHaveLength(1);
    const spec = first.metricSpecs[0]!;
    expect(spec.metricName).toMatch(/^[a-z0-9-]+$/);
    expect(spec.metricName.startsWith('prometheus-')).toBe(true);
    expect(second.metricSpecs[0]!.metricName).toBe(spec.metricName);
    expect(spec.targetSizeFloat).toBe(2.5);
    expect(spec.targetSize).toBe(3);
  });

  it('never returns a target of 0', async () => {
    const spec = await scaler.client.getMetricSpec(trigger('vector(1)', { threshold: '0.2' }));
    expect(spec.metricSpecs[0]!.targetSize).toBe(1);
    expect(spec.metricSpecs[0]!.targetSizeFloat).toBe(0.2);
  });

  it('GetMetrics round-trips the metric name exactly, in any case and with the trigger index prefix', async () => {
    const ref = trigger('vector(12.5)');
    const name = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
    for (const asked of [name, name.toUpperCase(), `s0-${name}`]) {
      const response = await scaler.client.getMetrics(ref, asked);
      expect(response.metricValues).toEqual([{ metricName: name, metricValue: 13, metricValueFloat: 12.5 }]);
    }
  });

  it('GetMetrics for another name is NOT_FOUND', async () => {
    const error = await grpcError(
      scaler.client.getMetrics(trigger('vector(1)'), 'prometheus-other-00000000'),
    );
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toMatch(/GetMetricSpec named it "prometheus-/);
  });

  it('clamps negative and non-finite source values to 0', async () => {
    for (const query of ['vector(-4)', 'vector(+Inf)', 'vector(NaN)']) {
      const response = await scaler.client.getMetrics(trigger(query), '');
      expect(response.metricValues[0]!.metricValueFloat).toBe(0);
      expect(response.metricValues[0]!.metricValue).toBe(0);
    }
  });

  it('IsActive compares the live value with activationThreshold', async () => {
    expect(await scaler.client.isActive(trigger('vector(12.5)', { activationThreshold: '12' }))).toEqual({
      result: true,
    });
    expect(await scaler.client.isActive(trigger('vector(12.5)', { activationThreshold: '13' }))).toEqual({
      result: false,
    });
  });

  it('StreamIsActive sends the current state first', async () => {
    const stream = scaler.client.streamIsActive(trigger('vector(12.5)', { activationThreshold: '1' }));
    const first = await new Promise<{ result: boolean }>((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
    });
    expect(first).toEqual({ result: true });
    stream.cancel();
  });

  it('answers bad metadata with INVALID_ARGUMENT naming the key, on every RPC', async () => {
    const bad = trigger('vector(1)', { threshold: 'lots' });
    const expected =
      'metadata key "threshold" has invalid value "lots": expected a decimal number greater than 0';
    for (const call of [
      scaler.client.getMetricSpec(bad),
      scaler.client.getMetrics(bad, ''),
      scaler.client.isActive(bad),
    ]) {
      const error = await grpcError(call);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toBe(expected);
    }
    const stream = scaler.client.streamIsActive(bad);
    const streamError = await new Promise<{ code: number; details: string }>((resolve) =>
      stream.once('error', resolve),
    );
    expect(streamError.code).toBe(status.INVALID_ARGUMENT);
    expect(streamError.details).toBe(expected);
  });

  it('serves grpc.health.v1 for the server and the ExternalScaler service', async () => {
    const definition = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String }));
    const Health = ((definition.grpc as GrpcObject).health as GrpcObject).v1 as GrpcObject;
    const client = new (Health.Health as ServiceClientConstructor)(
      `127.0.0.1:${scaler.grpcPort}`,
      credentials.createInsecure(),
    );
    for (const service of ['', 'externalscaler.ExternalScaler']) {
      const response = await new Promise<{ status: string }>((resolve, reject) =>
        client.Check!({ service }, (error: Error | null, value: { status: string }) =>
          error ? reject(error) : resolve(value),
        ),
      );
      expect(response.status).toBe('SERVING');
    }
    client.close();
  });

  it('serves reflection listing the ExternalScaler service', async () => {
    const reflectionProto = path.join(
      path.dirname(require.resolve('@grpc/reflection/package.json')),
      'build/proto/grpc/reflection/v1/reflection.proto',
    );
    const definition = loadPackageDefinition(loadSync(reflectionProto, { keepCase: true }));
    const v1 = ((definition.grpc as GrpcObject).reflection as GrpcObject).v1 as GrpcObject;
    const client = new (v1.ServerReflection as ServiceClientConstructor)(
      `127.0.0.1:${scaler.grpcPort}`,
      credentials.createInsecure(),
    );
    const call = client.ServerReflectionInfo!();
    const response = await new Promise<{ list_services_response: { service: Array<{ name: string }> } }>(
      (resolve, reject) => {
        call.once('data', resolve);
        call.once('error', reject);
        call.write({ list_services: '*' });
      },
    );
    call.end();
    client.close();
    expect(response.list_services_response.service.map((s) => s.name)).toContain(
      'externalscaler.ExternalScaler',
    );
  });
});
