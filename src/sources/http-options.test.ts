import type { PrometheusTriggerConfig } from './prometheus/prometheus-metadata';
import { parseTriggerMetadata, readTriggerMetadata } from './trigger-metadata';
import { errorOf, GPU, omit, PROMETHEUS, type Metadata } from '../../test/support/trigger-metadata';

/** The keys prometheus and gpu share (`http-options.ts`): address, headers, secrets, TLS, tenancy. */

const SECRET = 's3cr3t-Pa55';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe.each([
  ['prometheus', PROMETHEUS],
  ['gpu', GPU],
])('%s: HTTP options', (_name, base) => {
  const parse = (extra: Metadata) =>
    parseTriggerMetadata({ ...base, ...extra }) as unknown as PrometheusTriggerConfig;

  it.each<[Metadata, Partial<PrometheusTriggerConfig>]>([
    [
      { serverAddress: '', serverAddressFromEnv: 'https://user:pw@thanos.example/' },
      {
        serverAddress: 'https://user:pw@thanos.example',
        serverAddressRedacted: 'https://***@thanos.example',
      },
    ],
    [
      { serverAddress: 'http://plain:9090', serverAddressFromEnv: 'http://from-env:9090' },
      { serverAddress: 'http://plain:9090' },
    ],
    [
      { customHeadersFromEnv: 'X-Api-Key=k1' },
      { customHeaders: [], credentialHeaders: [['X-Api-Key', 'k1']] },
    ],
    [
      { customHeaders: 'X-Scope-OrgID=a', customHeadersFromEnv: 'X-Api-Key=k1' },
      { customHeaders: [['X-Scope-OrgID', 'a']], credentialHeaders: [['X-Api-Key', 'k1']] },
    ],
    [{ namespace: ' team-a ' }, { namespace: 'team-a' }],
    [
      { authModes: 'basic', username: 'scaler', passwordFromEnv: SECRET },
      { authModes: ['basic'], credentialHeaders: [['Authorization', basic('scaler', SECRET)]] },
    ],
    [
      { authModes: 'Basic', usernameFromEnv: 'from-env', passwordFromEnv: SECRET },
      { authModes: ['basic'], credentialHeaders: [['Authorization', basic('from-env', SECRET)]] },
    ],
    [
      { authModes: 'bearer', bearerTokenFromEnv: SECRET, customHeadersFromEnv: 'X-Api-Key=k1' },
      {
        authModes: ['bearer'],
        credentialHeaders: [
          ['Authorization', `Bearer ${SECRET}`],
          ['X-Api-Key', 'k1'],
        ],
      },
    ],
    [
      { authModes: 'tls', sourceCertFile: '/tls/tls.crt', sourceKeyFile: '/tls/tls.key' },
      {
        authModes: ['tls'],
        tls: { caFile: undefined, certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' },
        credentialHeaders: [],
      },
    ],
    [
      {
        authModes: 'tls, bearer',
        bearerTokenFromEnv: SECRET,
        sourceCertFile: '/tls/tls.crt',
        sourceKeyFile: '/tls/tls.key',
        sourceCaFile: '/tls/ca.crt',
      },
      {
        authModes: ['tls', 'bearer'],
        tls: { caFile: '/tls/ca.crt', certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' },
      },
    ],
    [
      { sourceCaFile: '/etc/ssl/private-ca.pem' },
      { authModes: [], tls: expect.objectContaining({ caFile: '/etc/ssl/private-ca.pem' }) as never },
    ],
    [{ sourceUnsafeSsl: 'TRUE' }, { sourceUnsafeSsl: true }],
    [{ unsafeSsl: 'true' }, { sourceUnsafeSsl: false }],
    [{ timeout: '5s' }, { timeoutMs: 5_000 }],
    [{ timeout: '' }, { timeoutMs: 3_000 }],
  ])('accepts %j', (extra, expected) => {
    expect(parse(extra)).toMatchObject(expected);
  });

  it.each<[string, Metadata, string]>([
    [
      'a bad serverAddressFromEnv, named as such and without its password',
      { serverAddress: '', serverAddressFromEnv: `ftp://u:${SECRET}@prom` },
      'metadata key "serverAddressFromEnv" has invalid value "ftp://***@prom": expected an absolute URL with scheme http or https',
    ],
    [
      'a password in the metadata',
      { password: SECRET },
      `metadata key "password" has invalid value "***": expected no secret in trigger metadata (whoever can read the ScaledObject can read it): put it in an environment variable of the workload's container and name that variable in passwordFromEnv`,
    ],
    [
      'a bearer token in the metadata',
      { authModes: 'bearer', bearerToken: SECRET },
      `metadata key "bearerToken" has invalid value "***": expected no secret in trigger metadata (whoever can read the ScaledObject can read it): put it in an environment variable of the workload's container and name that variable in bearerTokenFromEnv`,
    ],
    [
      'an unknown auth mode',
      { authModes: 'kerberos' },
      'metadata key "authModes" has invalid value "kerberos": expected a comma-separated list of basic, bearer, tls (basic and bearer exclude each other)',
    ],
    [
      "KEDA's custom mode",
      { authModes: 'custom' },
      'metadata key "authModes" has invalid value "custom": expected a comma-separated list of basic, bearer, tls (basic and bearer exclude each other); custom is not supported: put the header in customHeadersFromEnv',
    ],
    [
      "KEDA's oauth mode",
      { authModes: 'oauth' },
      `metadata key "authModes" has invalid value "oauth": expected a comma-separated list of basic, bearer, tls (basic and bearer exclude each other); oauth is not supported: KEDA's prometheus scaler does not use it either`,
    ],
    [
      'basic and bearer together',
      { authModes: 'basic,bearer', username: 'u', passwordFromEnv: SECRET, bearerTokenFromEnv: SECRET },
      'metadata key "authModes" has invalid value "basic,bearer": expected a comma-separated list of basic, bearer, tls (basic and bearer exclude each other)',
    ],
    [
      'basic without a user name',
      { authModes: 'basic', passwordFromEnv: SECRET },
      'metadata key "username" is required: expected a user name for authModes basic (or usernameFromEnv)',
    ],
    [
      'basic without a password',
      { authModes: 'basic', username: 'u' },
      'metadata key "passwordFromEnv" is required: expected the password for authModes basic',
    ],
    [
      'bearer without a token',
      { authModes: 'bearer' },
      'metadata key "bearerTokenFromEnv" is required: expected the bearer token for authModes bearer',
    ],
    [
      'tls without a certificate',
      { authModes: 'tls', sourceKeyFile: '/tls/tls.key' },
      'metadata key "sourceCertFile" is required: expected the path of a PEM file mounted into the scaler pod for authModes tls',
    ],
    [
      'tls without a key',
      { authModes: 'tls', sourceCertFile: '/tls/tls.crt' },
      'metadata key "sourceKeyFile" is required: expected the path of a PEM file mounted into the scaler pod for authModes tls',
    ],
    [
      'a relative TLS file path',
      { sourceCaFile: 'ca.crt' },
      'metadata key "sourceCaFile" has invalid value "ca.crt": expected the absolute path of a PEM file mounted into the scaler pod',
    ],
    [
      'a password without authModes',
      { passwordFromEnv: SECRET },
      'metadata key "passwordFromEnv" has invalid value "***": expected to be used with authModes basic, which is not set',
    ],
    [
      'a user name without authModes',
      { usernameFromEnv: 'scaler' },
      'metadata key "usernameFromEnv" has invalid value "scaler": expected to be used with authModes basic, which is not set',
    ],
    [
      'a bearer token with authModes basic',
      { authModes: 'basic', username: 'u', passwordFromEnv: SECRET, bearerTokenFromEnv: SECRET },
      'metadata key "bearerTokenFromEnv" has invalid value "***": expected to be used with authModes bearer, which is not set',
    ],
    [
      'a client certificate without authModes tls',
      { sourceCertFile: '/tls/tls.crt', sourceKeyFile: '/tls/tls.key' },
      'metadata key "sourceCertFile" has invalid value "/tls/tls.crt": expected to be used with authModes tls, which is not set',
    ],
    [
      'a header in both lists',
      { customHeaders: 'X-Api-Key=plain', customHeadersFromEnv: `x-api-key=${SECRET}` },
      'metadata key "customHeadersFromEnv" has invalid value "x-api-key=***": expected headers not also named in customHeaders (x-api-key is in both)',
    ],
    [
      'an Authorization header next to authModes bearer',
      {
        authModes: 'bearer',
        bearerTokenFromEnv: SECRET,
        customHeadersFromEnv: `Authorization=Basic ${SECRET}`,
      },
      'metadata key "customHeadersFromEnv" has invalid value "Authorization=***": expected no Authorization header when authModes is bearer (it sets that header)',
    ],
    [
      'an Authorization header in customHeaders next to authModes basic',
      {
        authModes: 'basic',
        username: 'u',
        passwordFromEnv: SECRET,
        customHeaders: `authorization=${SECRET}`,
      },
      'metadata key "customHeaders" has invalid value "Authorization=***": expected no Authorization header when authModes is basic (it sets that header)',
    ],
    [
      'user info in the address next to authModes basic',
      {
        serverAddress: `http://u:${SECRET}@prom:9090`,
        authModes: 'basic',
        username: 'u',
        passwordFromEnv: SECRET,
      },
      'metadata key "serverAddress" has invalid value "http://***@prom:9090": expected an address without user:password@ when authModes is basic (both would set Authorization)',
    ],
    [
      'a namespace query parameter next to the namespace key',
      { namespace: 'a', queryParameters: 'namespace=b' },
      'metadata key "queryParameters" has invalid value "namespace=b": expected no namespace parameter when the namespace key is set',
    ],
    [
      'a malformed customHeadersFromEnv (values hidden)',
      { customHeadersFromEnv: `Authorization: Bearer ${SECRET}` },
      'metadata key "customHeadersFromEnv" has invalid value "Authorization:***": expected a comma-separated list of name=value pairs',
    ],
  ])('refuses %s', (_case, extra, message) => {
    expect(errorOf({ ...base, ...extra })).toBe(message);
    expect(message).not.toContain(SECRET);
  });

  it('refuses a trigger with neither serverAddress nor serverAddressFromEnv, naming serverAddress', () => {
    expect(errorOf(omit(base, 'serverAddress'))).toMatch(/^metadata key "serverAddress" is required/);
  });

  describe('unsafeSsl', () => {
    const warningsOf = (extra: Metadata) => readTriggerMetadata({ ...base, ...extra }).warnings;

    it('"true" without sourceUnsafeSsl warns that it no longer applies to the source', () => {
      expect(warningsOf({ unsafeSsl: 'True' })).toEqual([
        {
          key: 'unsafeSsl',
          message:
            "KEDA's key for its TLS to this scaler: it no longer skips verification of the source's certificate; use sourceUnsafeSsl for that",
        },
      ]);
    });

    it.each<Metadata>([
      { unsafeSsl: 'false' },
      { unsafeSsl: 'true', sourceUnsafeSsl: 'true' },
      { unsafeSsl: 'true', sourceUnsafeSsl: 'false' },
      { sourceUnsafeSsl: 'true' },
    ])('%j gives no warning', (extra) => {
      expect(warningsOf(extra)).toEqual([]);
    });
  });

  describe('credentials in plain customHeaders', () => {
    it('are sent, with a warning that names the header and not its value', () => {
      const { config, warnings } = readTriggerMetadata({
        ...base,
        customHeaders: `X-Scope-OrgID=a,Authorization=Bearer ${SECRET}`,
      });
      expect((config as PrometheusTriggerConfig).customHeaders).toContainEqual([
        'Authorization',
        `Bearer ${SECRET}`,
      ]);
      expect(warnings).toEqual([
        {
          key: 'customHeaders',
          message:
            'Authorization is a secret that whoever can read the ScaledObject can read: move it to customHeadersFromEnv',
        },
      ]);
    });

    it('give no warning from customHeadersFromEnv', () => {
      expect(readTriggerMetadata({ ...base, customHeadersFromEnv: `Cookie=${SECRET}` }).warnings).toEqual([]);
    });
  });

  describe('identity', () => {
    const id = (extra: Metadata) => parse(extra).signalId;
    const plain = id({});

    it.each<Metadata>([
      { serverAddress: '', serverAddressFromEnv: base.serverAddress as string },
      { customHeadersFromEnv: 'X-Api-Key=k1' },
      { authModes: 'basic', username: 'u', passwordFromEnv: 'p1' },
      { authModes: 'bearer', bearerTokenFromEnv: 't1' },
      { authModes: 'tls', sourceCertFile: '/tls/tls.crt', sourceKeyFile: '/tls/tls.key' },
      { sourceCaFile: '/tls/ca.crt', sourceUnsafeSsl: 'true' },
      { timeout: '10s' },
    ])('%j keeps the signal', (extra) => {
      expect(id(extra)).toBe(plain);
    });

    it('a rotated password or token keeps the signal', () => {
      const basicId = (password: string) =>
        id({ authModes: 'basic', username: 'u', passwordFromEnv: password });
      expect(basicId('old')).toBe(basicId('new'));
    });

    it.each<Metadata>([{ namespace: 'team-a' }, { customHeaders: 'X-Scope-OrgID=team-a' }])(
      '%j is another signal',
      (extra) => {
        expect(id(extra)).not.toBe(plain);
      },
    );

    it('each namespace is its own signal', () => {
      expect(id({ namespace: 'team-a' })).not.toBe(id({ namespace: 'team-b' }));
    });
  });
});
