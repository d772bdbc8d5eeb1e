import { credentials } from '@grpc/grpc-js';
import { makeCerts, type CertSet } from '../support/certs';
import { externalScalerClient, kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

const ref = kedaRef({
  source: 'prometheus',
  serverAddress: 'http://127.0.0.1:1',
  query: 'up',
  threshold: '1',
});

describe('gRPC over TLS', () => {
  let certs: CertSet;
  beforeAll(() => {
    certs = makeCerts();
  });
  afterAll(() => certs.cleanup());

  describe('server TLS without client certificates', () => {
    let scaler: TestScaler;
    beforeAll(async () => {
      scaler = await startTestScaler({ TLS_CERT_FILE: certs.serverCert, TLS_KEY_FILE: certs.serverKey });
    });
    afterAll(() => scaler.stop());

    it('answers a client that trusts its CA', async () => {
      const client = externalScalerClient(
        `127.0.0.1:${scaler.grpcPort}`,
        credentials.createSsl(certs.read(certs.caCert)),
      );
      expect((await client.getMetricSpec(ref)).metricSpecs).toHaveLength(1);
      client.close();
    });

    it('refuses a plaintext client', async () => {
      const client = externalScalerClient(`127.0.0.1:${scaler.grpcPort}`, credentials.createInsecure(), {
        'grpc.initial_reconnect_backoff_ms': 100,
      });
      await expect(withDeadline(client.getMetricSpec(ref))).rejects.toThrow();
      client.close();
    });
  });

  describe('mTLS (TLS_CA_FILE set)', () => {
    let scaler: TestScaler;
    beforeAll(async () => {
      scaler = await startTestScaler({
        TLS_CERT_FILE: certs.serverCert,
        TLS_KEY_FILE: certs.serverKey,
        TLS_CA_FILE: certs.caCert,
      });
    });
    afterAll(() => scaler.stop());

    const connect = (cert?: string, key?: string) =>
      externalScalerClient(
        `127.0.0.1:${scaler.grpcPort}`,
        credentials.createSsl(
          certs.read(certs.caCert),
          key ? certs.read(key) : null,
          cert ? certs.read(cert) : null,
        ),
      );

    it('answers a client with a certificate from the trusted CA', async () => {
      const client = connect(certs.clientCert, certs.clientKey);
      expect((await client.getMetricSpec(ref)).metricSpecs).toHaveLength(1);
      client.close();
    });

    it.each([
      ['no client certificate', undefined, undefined],
      ['a certificate from another CA', 'strangerCert', 'strangerKey'],
      ['an expired certificate', 'expiredCert', 'expiredKey'],
    ] as const)('refuses a client with %s', async (_label, certKey, keyKey) => {
      const client = connect(certKey && certs[certKey], keyKey && certs[keyKey]);
      await expect(withDeadline(client.getMetricSpec(ref))).rejects.toThrow(
        /UNAVAILABLE|handshake|certificate|alert/i,
      );
      client.close();
    });
  });
});

/** A refused handshake makes the channel retry until the call's deadline; keep that short. */
function withDeadline<T>(promise: Promise<T>, ms = 3_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('UNAVAILABLE: no answer (handshake refused)')), ms).unref(),
    ),
  ]);
}
