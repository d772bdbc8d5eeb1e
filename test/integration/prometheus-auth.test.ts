import { status } from '@grpc/grpc-js';
import path from 'node:path';
import { makeCerts, type CertSet } from '../support/certs';
import { startHttpProxy, type HttpProxy } from '../support/http-proxy';
import { startPrometheus, TEST_BASIC_AUTH_PASSWORD, type TestPrometheus } from '../support/prometheus';
import { grpcError, kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

/**
 * Credentials, TLS and tenancy against the real Prometheus: a login it checks itself (basic auth), client
 * certificates it verifies, and a bearer token checked by a proxy in front of it. `vector(42)` needs no
 * scrape target. A refused or failed login is an error for KEDA, never a 0.
 */
describe('prometheus source: authModes, secrets from the environment and namespace', () => {
  let certs: CertSet;
  let basic: TestPrometheus;
  let mtls: TestPrometheus;
  let plain: TestPrometheus;
  let bearer: HttpProxy;
  let recorder: HttpProxy;
  let scaler: TestScaler;
  const TOKEN = 'test-bearer-token-1234';

  beforeAll(async () => {
    certs = makeCerts();
    [basic, mtls, plain] = await Promise.all([
      startPrometheus({ web: { basicAuthUsers: ['scaler'], client: { username: 'scaler' } } }),
      startPrometheus({
        web: {
          tls: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCaFile: certs.caCert },
          client: { caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey },
        },
      }),
      startPrometheus(),
    ]);
    bearer = await startHttpProxy(plain.url, { bearerToken: TOKEN });
    recorder = await startHttpProxy(plain.url);
    scaler = await startTestScaler();
  }, 90_000);

  afterAll(async () => {
    await scaler?.stop();
    await bearer?.close();
    await recorder?.close();
    await Promise.all([basic?.stop(), mtls?.stop(), plain?.stop()]);
    certs?.cleanup();
  });

  /** A trigger that reads 42, with no history to serve from when the read fails. */
  const trigger = (metadata: Record<string, string>) =>
    kedaRef({
      source: 'prometheus',
      query: 'vector(42)',
      threshold: '10',
      predictive: 'false',
      maxStaleness: '0s',
      ...metadata,
    });
  const value = async (metadata: Record<string, string>) =>
    (await scaler.client.getMetrics(trigger(metadata), '')).metricValues[0]?.metricValueFloat;

  describe('basic auth (Prometheus --web.config.file)', () => {
    it('is refused without credentials: UNAVAILABLE, not 0', async () => {
      const error = await grpcError(scaler.client.getMetrics(trigger({ serverAddress: basic.url }), ''));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/answered HTTP 401 \(check authModes and its credentials\)/);
    });

    it('is refused with a wrong password, which the error does not show', async () => {
      const wrong = 'wrong-pass-5678';
      const error = await grpcError(
        scaler.client.getMetrics(
          trigger({
            serverAddress: basic.url,
            authModes: 'basic',
            username: 'scaler',
            passwordFromEnv: wrong,
          }),
          '',
        ),
      );
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).not.toContain(wrong);
      expect(scaler.logs.raw).not.toContain(wrong);
    });

    it('answers with usernameFromEnv and passwordFromEnv', async () => {
      expect(
        await value({
          serverAddressFromEnv: basic.url,
          authModes: 'basic',
          usernameFromEnv: 'scaler',
          passwordFromEnv: TEST_BASIC_AUTH_PASSWORD,
        }),
      ).toBe(42);
      expect(scaler.logs.raw).not.toContain(TEST_BASIC_AUTH_PASSWORD);
    });

    it('refuses a password written into the metadata with INVALID_ARGUMENT, before any request', async () => {
      const error = await grpcError(
        scaler.client.getMetricSpec(
          trigger({ serverAddress: basic.url, authModes: 'basic', username: 'scaler', password: 'p' }),
        ),
      );
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^metadata key "password" has invalid value "\*\*\*": .*passwordFromEnv/);
    });
  });

  describe('TLS with client certificates (RequireAndVerifyClientCert)', () => {
    const tls = (extra: Record<string, string> = {}) => ({
      serverAddress: mtls.url,
      authModes: 'tls',
      sourceCaFile: certs.caCert,
      sourceCertFile: certs.clientCert,
      sourceKeyFile: certs.clientKey,
      ...extra,
    });

    it('answers with authModes tls and the mounted files', async () => {
      expect(mtls.url).toMatch(/^https:/);
      expect(await value(tls())).toBe(42);
    });

    it('is refused without a client certificate: UNAVAILABLE', async () => {
      const error = await grpcError(
        scaler.client.getMetrics(trigger({ serverAddress: mtls.url, sourceCaFile: certs.caCert }), ''),
      );
      expect(error.code).toBe(status.UNAVAILABLE);
    });

    it('is refused with a certificate from a CA Prometheus does not trust', async () => {
      const error = await grpcError(
        scaler.client.getMetrics(
          trigger(tls({ sourceCertFile: certs.strangerCert, sourceKeyFile: certs.strangerKey })),
          '',
        ),
      );
      expect(error.code).toBe(status.UNAVAILABLE);
    });

    it('names the key of a file that is not there (INVALID_ARGUMENT)', async () => {
      const missing = path.join(certs.dir, 'missing.key');
      const error = await grpcError(scaler.client.getMetrics(trigger(tls({ sourceKeyFile: missing })), ''));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toContain(`metadata key "sourceKeyFile" has invalid value "${missing}"`);
    });

    it('does not trust the server without sourceCaFile, unless sourceUnsafeSsl', async () => {
      const untrusted = tls({ sourceCaFile: '' });
      const error = await grpcError(scaler.client.getMetrics(trigger(untrusted), ''));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify/i);
      expect(await value({ ...untrusted, sourceUnsafeSsl: 'true' })).toBe(42);
    });

    it("does not skip verification for KEDA's unsafeSsl, and warns about it", async () => {
      const ref = trigger(tls({ sourceCaFile: '', unsafeSsl: 'true' }));
      const error = await grpcError(scaler.client.getMetrics(ref, ''));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(scaler.logs.raw).toContain('use sourceUnsafeSsl for that');
    });
  });

  describe('bearer token (checked by a proxy in front of Prometheus)', () => {
    it('is refused without the token: UNAVAILABLE', async () => {
      const error = await grpcError(scaler.client.getMetrics(trigger({ serverAddress: bearer.url }), ''));
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/HTTP 401/);
    });

    it('answers with authModes bearer and bearerTokenFromEnv', async () => {
      expect(await value({ serverAddress: bearer.url, authModes: 'bearer', bearerTokenFromEnv: TOKEN })).toBe(
        42,
      );
      expect(scaler.logs.raw).not.toContain(TOKEN);
    });

    it('also takes the header from customHeadersFromEnv', async () => {
      expect(
        await value({ serverAddress: bearer.url, customHeadersFromEnv: `Authorization=Bearer ${TOKEN}` }),
      ).toBe(42);
    });
  });

  describe('namespace', () => {
    it('reaches Prometheus as the namespace query parameter, and is another signal', async () => {
      const before = recorder.requests.length;
      expect(await value({ serverAddress: recorder.url, namespace: 'team-a' })).toBe(42);
      const sent = recorder.requests.slice(before).map((request) => new URL(request.url, recorder.url));
      expect(sent.some((url) => url.searchParams.get('namespace') === 'team-a')).toBe(true);

      const names = await Promise.all(
        ['team-a', 'team-b'].map(
          async (namespace) =>
            (await scaler.client.getMetricSpec(trigger({ serverAddress: recorder.url, namespace })))
              .metricSpecs[0]!.metricName,
        ),
      );
      expect(names[0]).not.toBe(names[1]);
    });
  });
});
