import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeCerts, type CertSet } from '../../../test/support/certs';
import { MetadataError, UpstreamUnavailableError } from '../../errors';
import { parseTriggerMetadata } from '../trigger-metadata';
import { PrometheusClient } from './prometheus-client';
import type { PrometheusTriggerConfig } from './prometheus-metadata';

/** What the client sends (against an in-process server) and how it treats its TLS files. */

const SECRET = 's3cr3t-T0ken';

function configFor(metadata: Record<string, string>): PrometheusTriggerConfig {
  return parseTriggerMetadata({
    source: 'prometheus',
    query: 'up',
    threshold: '1',
    ...metadata,
  }) as PrometheusTriggerConfig;
}

describe('PrometheusClient requests', () => {
  let server: http.Server;
  let address: string;
  let seen: http.IncomingMessage[] = [];
  let answer = 200;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req);
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(
        answer === 200
          ? JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } })
          : '',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    seen = [];
    answer = 200;
  });

  it('sends namespace as a query parameter, before queryParameters', async () => {
    const config = configFor({ serverAddress: address, namespace: 'team a', queryParameters: 'dedup=false' });
    await new PrometheusClient(config, 1_000).instantQuery('up');
    const url = new URL(seen[0]!.url!, address);
    expect(url.pathname).toBe('/api/v1/query');
    expect([...url.searchParams]).toEqual([
      ['query', 'up'],
      ['namespace', 'team a'],
      ['dedup', 'false'],
    ]);
  });

  it('sends customHeaders, customHeadersFromEnv and the authModes header', async () => {
    const config = configFor({
      serverAddress: address,
      customHeaders: 'X-Scope-OrgID=tenant-a',
      customHeadersFromEnv: 'X-Api-Key=k1',
      authModes: 'bearer',
      bearerTokenFromEnv: SECRET,
    });
    await new PrometheusClient(config, 1_000).instantQuery('up');
    expect(seen[0]!.headers).toMatchObject({
      'x-scope-orgid': 'tenant-a',
      'x-api-key': 'k1',
      authorization: `Bearer ${SECRET}`,
    });
  });

  it('sends basic auth from username and passwordFromEnv', async () => {
    const config = configFor({
      serverAddressFromEnv: address,
      authModes: 'basic',
      usernameFromEnv: 'scaler',
      passwordFromEnv: SECRET,
    });
    await new PrometheusClient(config, 1_000).instantQuery('up');
    expect(seen[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`scaler:${SECRET}`).toString('base64')}`,
    );
  });

  it('turns a refused login into UNAVAILABLE that points at the credentials, without them', async () => {
    answer = 401;
    const config = configFor({ serverAddress: address, authModes: 'bearer', bearerTokenFromEnv: SECRET });
    const error = await new PrometheusClient(config, 1_000).instantQuery('up').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toBe(
      `Prometheus at ${address} answered HTTP 401 (check authModes and its credentials)`,
    );
  });
});

describe('PrometheusClient TLS files', () => {
  let certs: CertSet;
  const https = (extra: Record<string, string>) =>
    configFor({ serverAddress: 'https://127.0.0.1:1', ...extra });
  const errorOf = (config: PrometheusTriggerConfig): MetadataError => {
    try {
      new PrometheusClient(config, 1_000);
    } catch (error) {
      expect(error).toBeInstanceOf(MetadataError);
      return error as MetadataError;
    }
    throw new Error('expected the client to refuse its TLS files');
  };

  beforeAll(() => {
    certs = makeCerts();
    writeFileSync(path.join(certs.dir, 'not-pem.txt'), 'hello');
  });
  afterAll(() => certs.cleanup());

  it('builds with a CA, a client certificate and its key', () => {
    expect(
      () =>
        new PrometheusClient(
          https({
            authModes: 'tls',
            sourceCaFile: certs.caCert,
            sourceCertFile: certs.clientCert,
            sourceKeyFile: certs.clientKey,
          }),
          1_000,
        ),
    ).not.toThrow();
  });

  it.each<[string, (c: CertSet) => Record<string, string>, string, RegExp]>([
    [
      'a missing CA file',
      (c) => ({ sourceCaFile: path.join(c.dir, 'missing.crt') }),
      'sourceCaFile',
      /expected a readable PEM file of at most 1 MiB mounted into the scaler pod \(ENOENT\)$/,
    ],
    [
      'a CA file that is not PEM',
      (c) => ({ sourceCaFile: path.join(c.dir, 'not-pem.txt') }),
      'sourceCaFile',
      /expected a usable PEM file/,
    ],
    ['a directory', (c) => ({ sourceCaFile: c.dir }), 'sourceCaFile', /\(not a regular file of that size\)$/],
    [
      'a device that never ends',
      () => ({ sourceCaFile: '/dev/zero' }),
      'sourceCaFile',
      /\(not a regular file of that size\)$/,
    ],
    [
      'a key that does not belong to the certificate',
      (c) => ({ authModes: 'tls', sourceCertFile: c.clientCert, sourceKeyFile: c.strangerKey }),
      'sourceKeyFile',
      /expected a usable PEM file/,
    ],
    [
      'a certificate file that holds a key',
      (c) => ({ authModes: 'tls', sourceCertFile: c.clientKey, sourceKeyFile: c.clientKey }),
      'sourceCertFile',
      /expected a usable PEM file/,
    ],
  ])('refuses %s, naming the key and never the content', (_case, files, key, expected) => {
    const error = errorOf(https(files(certs)));
    expect(error.key).toBe(key);
    expect(error.message).toMatch(expected);
    expect(error.message).not.toMatch(/BEGIN|PRIVATE/);
  });
});
