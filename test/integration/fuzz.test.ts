import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { COMMON_KEYS } from '../../src/config/trigger-config';
import { SOURCE_KINDS } from '../../src/sources/source-kinds';
import { loadExternalScalerProto } from '../../src/server/proto';
import { freePort } from '../support/ports';
import { startPrometheus, type TestPrometheus } from '../support/prometheus';
import { kedaRef, startTestScaler, type ScaledObjectRefMessage, type TestScaler } from '../support/scaler';

/**
 * Hostile input, seeded (FUZZ_SEED) and bounded in time: random trigger metadata over gRPC, hand-encoded
 * protobuf with invalid UTF-8, PromQL injection in `selector`, absurd numbers in metadata and from the
 * source, and raw bytes and malformed HTTP/2 frames on the gRPC port. The server must never crash, must
 * answer a good call after each batch, and must answer every bad input with a clear error: INVALID_ARGUMENT
 * naming the key, another status that says what failed, or a protocol error on the connection. Never
 * INTERNAL or UNKNOWN, never a negative or non-finite value.
 *
 * Every URL the fuzzer produces points at loopback (or does not parse): no traffic leaves the machine.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const METADATA_BUDGET_MS = 8_000;
const BYTES_BUDGET_MS = 5_000;
const { service } = loadExternalScalerProto();

/** mulberry32: small, seedable, good enough to pick inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = ReturnType<typeof rng>;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: Random, max: number): number => Math.floor(random() * max);

const NUMBERS = [
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  '+Inf',
  '-1',
  '-0',
  '0',
  '1e309',
  '-1e309',
  '1e308',
  '1e-320',
  '0x10',
  '1_000',
  ' 5 ',
  '5e',
  '.',
  '',
  '   ',
  '9'.repeat(400),
  '1'.repeat(20),
  '5',
  '0.5',
];
const CONTROL = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b[31m',
  '\u007f',
  '\u202e',
  '\ufeff',
  '\ud800',
];

function randomText(random: Random, maxLength: number): string {
  const length = int(random, maxLength + 1);
  let out = '';
  while (out.length < length) {
    const r = random();
    if (r < 0.15) out += pick(random, CONTROL);
    else if (r < 0.25) out += String.fromCodePoint(int(random, 0xd7ff));
    else if (r < 0.3) out += String.fromCodePoint(0x10000 + int(random, 0xfffff));
    else if (r < 0.4)
      out += pick(random, ['"', "'", '{', '}', '(', ')', '=', ',', '~', '!', '\\', '%', '@', '/', ':']);
    else out += String.fromCharCode(0x20 + int(random, 0x5f));
  }
  return out.slice(0, length);
}

const KNOWN_KEYS = [
  'source',
  'serverAddress',
  'query',
  'threshold',
  'activationThreshold',
  'ignoreNullValues',
  'customHeaders',
  'queryParameters',
  'unsafeSsl',
  // The keys every source takes, in the parser's order.
  ...COMMON_KEYS.filter((key) => key !== 'source'),
  'host',
  'hostFromEnv',
  'queueName',
  'mode',
  'value',
  'activationValue',
  'vhostName',
  'excludeUnacknowledged',
  'metric',
  'selector',
  'aggregation',
];
/** Every other key a source reads (credentials, TLS files, regex options, …), after the ones above. */
const ALL_KEYS = [
  ...KNOWN_KEYS,
  ...[...new Set(SOURCE_KINDS.flatMap((kind) => kind.keys))].filter((key) => !KNOWN_KEYS.includes(key)),
];
const URL_KEYS = new Set(['serverAddress', 'serverAddressFromEnv', 'host', 'hostFromEnv']);

/** A trigger that starts valid and is then mangled; every URL stays on loopback or fails to parse. */
function randomMetadata(
  random: Random,
  urls: { prometheus: string; closed: string },
): Record<string, string> {
  const loopback = [urls.prometheus, urls.closed, 'http://[::1]:1', 'http://localhost:1'];
  const base = pick<Record<string, string>>(random, [
    { source: 'prometheus', serverAddress: urls.prometheus, query: 'vector(5)', threshold: '2' },
    { source: 'gpu', serverAddress: urls.prometheus, metric: 'memory', threshold: '80' },
    {
      source: 'rabbitmq',
      host: urls.closed.replace('http:', 'amqp:'),
      queueName: 'orders',
      value: '5',
      // A read waits up to its timeout for the pool's next reconnect to the closed port.
      timeout: '300ms',
    },
  ]);
  const metadata: Record<string, string> = { scalerAddress: 'keda-predictive-scaler.keda.svc:9090', ...base };
  const mutations = 1 + int(random, 4);
  for (let m = 0; m < mutations; m++) {
    const key = random() < 0.8 ? pick(random, ALL_KEYS) : randomText(random, 40);
    const r = random();
    if (URL_KEYS.has(key)) {
      // Only the path is fuzzed, after a slash: the host stays on loopback whatever the junk holds.
      metadata[key] =
        r < 0.3
          ? randomText(random, 30).replace(/[:/]/g, '')
          : `${pick(random, loopback)}/${randomText(random, 60)}`;
    } else if (r < 0.1) {
      delete metadata[key];
    } else if (r < 0.4) {
      metadata[key] = pick(random, NUMBERS);
    } else if (r < 0.5) {
      metadata[key] = randomText(random, 50_000);
    } else {
      metadata[key] = randomText(random, 80);
    }
  }
  if (random() < 0.05) {
    // A huge map: thousands of keys KEDA would never send.
    for (let i = 0; i < 5_000; i++) metadata[`k${i}-${randomText(random, 8)}`] = randomText(random, 20);
  }
  return metadata;
}

interface Outcome {
  code: status;
  details: string;
  value?: unknown;
}

const call = (scaler: TestScaler, rpc: string, request: unknown): Promise<Outcome> =>
  new Promise((resolve) => {
    const client = scaler.client.raw as unknown as Record<
      string,
      (
        request: unknown,
        options: object,
        callback: (error: ServiceError | null, value: unknown) => void,
      ) => void
    >;
    client[rpc]!.call(scaler.client.raw, request, { deadline: Date.now() + 15_000 }, (error, value) =>
      resolve(error ? { code: error.code, details: error.details } : { code: status.OK, details: '', value }),
    );
  });

/** The invariants every answer keeps, good input or bad. */
function checkOutcome(
  rpc: string,
  request: unknown,
  metadata: Record<string, string>,
  outcome: Outcome,
): void {
  const context = () =>
    `${rpc} ${JSON.stringify(request).slice(0, 300)} -> ${status[outcome.code]} ${outcome.details.slice(0, 300)}`;
  if (outcome.code === status.OK) {
    if (rpc === 'GetMetricSpec') {
      const spec = (
        outcome.value as {
          metricSpecs: Array<{ metricName: string; targetSize: number; targetSizeFloat: number }>;
        }
      ).metricSpecs;
      expect(spec).toHaveLength(1);
      if (!(spec[0]!.targetSizeFloat > 0 && Number.isFinite(spec[0]!.targetSizeFloat)))
        throw new Error(context());
      // int64 on the wire: a huge target saturates at 2^63 - 1 (read back here as 2^63), never wraps.
      if (!(spec[0]!.targetSize >= 1 && spec[0]!.targetSize <= 2 ** 63)) throw new Error(context());
      if (!/^[a-z0-9-]+$/.test(spec[0]!.metricName)) throw new Error(context());
    } else if (rpc === 'GetMetrics') {
      const values = (
        outcome.value as { metricValues: Array<{ metricValue: number; metricValueFloat: number }> }
      ).metricValues;
      expect(values).toHaveLength(1);
      const { metricValue, metricValueFloat } = values[0]!;
      if (!(Number.isFinite(metricValueFloat) && metricValueFloat >= 0 && metricValue >= 0))
        throw new Error(context());
    } else if (typeof (outcome.value as { result: unknown }).result !== 'boolean') {
      throw new Error(context());
    }
    return;
  }
  const allowed = [
    status.INVALID_ARGUMENT,
    status.NOT_FOUND,
    status.FAILED_PRECONDITION,
    status.UNAVAILABLE,
    status.DEADLINE_EXCEEDED,
    status.RESOURCE_EXHAUSTED,
  ];
  if (!allowed.includes(outcome.code)) throw new Error(`unclear error: ${context()}`);
  // Short enough to read in KEDA's events, however long the input was.
  if (outcome.details.length > 2_000)
    throw new Error(`error details of ${outcome.details.length} characters: ${context()}`);
  if (outcome.code === status.INVALID_ARGUMENT) {
    const named = /metadata key "([^"]+)"/.exec(outcome.details)?.[1];
    if (named === undefined) throw new Error(`INVALID_ARGUMENT without a key: ${context()}`);
    const keys = new Set([
      ...Object.keys(metadata),
      ...ALL_KEYS,
      'ScaledObjectRef.name',
      'ScaledObjectRef.namespace',
    ]);
    if (!keys.has(named))
      throw new Error(`INVALID_ARGUMENT names "${named}", which is not a key: ${context()}`);
  }
}

describe('hostile input', () => {
  let prometheus: TestPrometheus;
  let scaler: TestScaler;
  let closed: number;
  const good = () =>
    kedaRef(
      { source: 'prometheus', serverAddress: prometheus.url, query: 'vector(5)', threshold: '2' },
      'good-worker',
    );
  const expectGoodCall = async (): Promise<void> => {
    expect((await scaler.client.getMetrics(good(), '')).metricValues[0]!.metricValueFloat).toBe(5);
  };

  beforeAll(async () => {
    prometheus = await startPrometheus();
    closed = await freePort();
    scaler = await startTestScaler({ EVALUATION_TTL: '0s', LOG_LEVEL: 'warn' });
  }, 60_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
  });

  it(`survives random metadata on every RPC with clear errors (seed ${SEED})`, async () => {
    const random = rng(SEED);
    const urls = { prometheus: prometheus.url, closed: `http://127.0.0.1:${closed}` };
    const deadline = Date.now() + METADATA_BUDGET_MS;
    const seen = new Map<string, number>();
    let calls = 0;
    while (Date.now() < deadline) {
      const metadata = randomMetadata(random, urls);
      const ref: ScaledObjectRefMessage = {
        name: random() < 0.8 ? `so-${int(random, 50)}` : randomText(random, 300),
        namespace: random() < 0.9 ? 'default' : randomText(random, 100),
        scalerMetadata: metadata,
      };
      const rpc = pick(random, ['GetMetricSpec', 'GetMetrics', 'IsActive'] as const);
      const request =
        rpc === 'GetMetrics'
          ? { scaledObjectRef: ref, metricName: random() < 0.7 ? '' : randomText(random, 30) }
          : ref;
      const outcome = await call(scaler, rpc, request);
      checkOutcome(rpc, request, metadata, outcome);
      seen.set(status[outcome.code] ?? String(outcome.code), (seen.get(status[outcome.code] ?? '') ?? 0) + 1);
      calls += 1;
      if (calls % 50 === 0) await expectGoodCall();
    }
    await expectGoodCall();
    expect(calls).toBeGreaterThan(50);
    // The fuzzer reached both sides: accepted triggers and refused ones.
    expect(seen.get('OK') ?? 0).toBeGreaterThan(0);
    expect(seen.get('INVALID_ARGUMENT') ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('answers hand-encoded requests holding invalid UTF-8 with OK or a clear error', async () => {
    const random = rng(SEED + 1);
    const bad = [
      Buffer.from([0xff, 0xfe]),
      Buffer.from([0x80]),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf4, 0x90, 0x80, 0x80]),
      Buffer.from('ok'),
    ];
    const text = (value: string | Buffer): Buffer => (typeof value === 'string' ? Buffer.from(value) : value);
    const mangle = (value: string): Buffer =>
      random() < 0.5
        ? Buffer.concat([Buffer.from(value), pick(random, bad)])
        : Buffer.concat([pick(random, bad), Buffer.from(value)]);
    const rpcs = ['GetMetricSpec', 'GetMetrics', 'IsActive'] as const;
    for (let i = 0; i < 150; i++) {
      const entries: Array<[Buffer, Buffer]> = Object.entries({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(5)',
        threshold: '2',
      }).map(([key, value]) => [text(key), text(value)]);
      const target = int(random, entries.length + 2);
      if (target < entries.length) {
        const entry = entries[target]!;
        // Mangle the key or the value (a mangled URL keeps its loopback host: the bytes go after it).
        if (random() < 0.5 && !entry[0].equals(Buffer.from('serverAddress')))
          entry[1] = mangle(entry[1].toString());
        else if (entry[0].equals(Buffer.from('serverAddress')))
          entry[1] = Buffer.concat([entry[1], Buffer.from('/'), pick(random, bad)]);
        else entry[0] = mangle(entry[0].toString());
      }
      const ref = encodeRef({
        name: target === entries.length ? mangle('worker') : text(`utf8-${i % 10}`),
        namespace: target === entries.length + 1 ? mangle('default') : text('default'),
        entries,
      });
      const rpc = pick(random, rpcs);
      const body = rpc === 'GetMetrics' ? encodeGetMetricsRequest(ref, Buffer.alloc(0)) : ref;
      const outcome = await rawCall(scaler, rpc, body);
      const shownMetadata = Object.fromEntries(entries.map(([k, v]) => [k.toString(), v.toString()]));
      checkOutcome(rpc, { bytes: body.toString('base64') }, shownMetadata, outcome);
    }
    await expectGoodCall();
  }, 60_000);

  it.each([
    'gpu="0"} or vector(1e9) #',
    'gpu="0"}) + on() vector(1e9',
    'gpu=~".*"} > 0 or {__name__=~".+"',
    'gpu="0",namespace="ml"}[5m]',
    'gpu="0"\n} or vector(1)',
    'gpu="0"} / 0',
    'gpu="0" or 1',
    '{gpu="0"}} or {job="x"',
    'gpu="0\\"} or vector(1)',
    'label_replace(up, "gpu", "0", "", "")',
    'gpu="0"; drop',
    'gpu=0',
  ])('refuses PromQL injection in selector: %j', async (selector) => {
    const ref = kedaRef({
      source: 'gpu',
      serverAddress: prometheus.url,
      metric: 'utilization',
      selector,
      threshold: '80',
    });
    for (const rpc of ['GetMetricSpec', 'IsActive'] as const) {
      const outcome = await call(scaler, rpc, ref);
      expect(status[outcome.code]).toBe('INVALID_ARGUMENT');
      expect(outcome.details).toContain('metadata key "selector"');
    }
  });

  it.each([
    ['NaN', 'threshold'],
    ['Infinity', 'threshold'],
    ['-Infinity', 'threshold'],
    ['-1', 'threshold'],
    ['0', 'threshold'],
    ['1e309', 'threshold'],
    ['0x10', 'threshold'],
    ['NaN', 'activationThreshold'],
    ['-5', 'activationThreshold'],
    ['1e309', 'quantile'],
    ['-1', 'businessHoursMultiplier'],
    ['NaN', 'anomalyThreshold'],
    ['-5s', 'timeout'],
    ['99999999999999999999d', 'horizon'],
  ])('refuses %s in %s with INVALID_ARGUMENT naming it', async (value, key) => {
    const ref = kedaRef({
      source: 'prometheus',
      serverAddress: prometheus.url,
      query: 'vector(5)',
      threshold: '2',
      [key]: value,
    });
    const outcome = await call(scaler, 'GetMetricSpec', ref);
    expect(status[outcome.code]).toBe('INVALID_ARGUMENT');
    expect(outcome.details).toContain(`metadata key "${key}"`);
  });

  // Header values node:http would refuse (control characters, characters above U+00FF) are caught by the
  // metadata parser, not by the HTTP client halfway through a read.
  it.each(['X-Tenant=\u0001a', 'X-Tenant=a\u007fb', 'X-Tenant=\u4e2d', 'X-Tenant=\u001b[31m'])(
    'refuses customHeaders value %j with INVALID_ARGUMENT naming customHeaders',
    async (customHeaders) => {
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(5)',
        threshold: '2',
        customHeaders,
      });
      const outcome = await call(scaler, 'GetMetrics', { scaledObjectRef: ref, metricName: '' });
      expect(status[outcome.code]).toBe('INVALID_ARGUMENT');
      expect(outcome.details).toContain('metadata key "customHeaders"');
    },
  );

  it('keeps an astronomically large threshold positive in both target fields', async () => {
    const outcome = await call(
      scaler,
      'GetMetricSpec',
      kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(5)',
        threshold: '1e308',
      }),
    );
    checkOutcome('GetMetricSpec', {}, {}, outcome);
    const spec = (outcome.value as { metricSpecs: Array<{ targetSize: number; targetSizeFloat: number }> })
      .metricSpecs[0]!;
    expect(spec.targetSizeFloat).toBe(1e308);
    expect(spec.targetSize).toBe(2 ** 63);
  });

  it.each([
    ['vector(NaN)', 0],
    ['vector(+Inf)', 0],
    ['vector(-Inf)', 0],
    ['vector(-5)', 0],
    ['vector(-0)', 0],
    ['vector(1e300)', Number.MAX_SAFE_INTEGER],
    ['vector(123456789012345678)', Number.MAX_SAFE_INTEGER],
  ])('clamps %s from the source to %d, as KEDA would read it', async (query, expected) => {
    const ref = kedaRef(
      { source: 'prometheus', serverAddress: prometheus.url, query, threshold: '2' },
      'clamp-worker',
    );
    const value = (await scaler.client.getMetrics(ref, '')).metricValues[0]!;
    expect(value.metricValueFloat).toBe(expected);
    expect(Object.is(value.metricValueFloat, -0)).toBe(false);
    expect(value.metricValue).toBe(expected);
  });

  it('refuses NaN and Inf from the source with FAILED_PRECONDITION when ignoreNullValues is false', async () => {
    for (const query of ['vector(NaN)', 'vector(+Inf)']) {
      const ref = kedaRef({
        source: 'prometheus',
        serverAddress: prometheus.url,
        query,
        threshold: '2',
        ignoreNullValues: 'false',
        maxStaleness: '0s',
      });
      const outcome = await call(scaler, 'GetMetrics', { scaledObjectRef: ref, metricName: '' });
      expect(status[outcome.code]).toBe('FAILED_PRECONDITION');
      expect(outcome.details).toMatch(/NaN|Infinity/);
      expect(status[(await call(scaler, 'IsActive', ref)).code]).toBe('FAILED_PRECONDITION');
    }
  });

  it('refuses names longer than Kubernetes allows, naming the field', async () => {
    const metadata = {
      source: 'prometheus',
      serverAddress: prometheus.url,
      query: 'vector(5)',
      threshold: '2',
    };
    for (const [field, ref] of [
      ['ScaledObjectRef.name', { ...good(), name: 'n'.repeat(254), scalerMetadata: metadata }],
      ['ScaledObjectRef.namespace', { ...good(), namespace: 'n'.repeat(64), scalerMetadata: metadata }],
    ] as const) {
      for (const rpc of ['GetMetrics', 'IsActive'] as const) {
        const request = rpc === 'GetMetrics' ? { scaledObjectRef: ref, metricName: '' } : ref;
        const outcome = await call(scaler, rpc, request);
        expect(status[outcome.code]).toBe('INVALID_ARGUMENT');
        expect(outcome.details).toContain(`"${field}"`);
        expect(outcome.details.length).toBeLessThan(600);
      }
    }
    // Kubernetes' own maximum still works.
    const longest = { ...good(), name: 'n'.repeat(253), namespace: 'n'.repeat(63), scalerMetadata: metadata };
    expect((await scaler.client.getMetrics(longest, '')).metricValues[0]!.metricValueFloat).toBe(5);
  });

  it('answers a megabyte-long metric name with a short NOT_FOUND', async () => {
    const outcome = await call(scaler, 'GetMetrics', {
      scaledObjectRef: good(),
      metricName: 'm'.repeat(900_000),
    });
    expect(status[outcome.code]).toBe('NOT_FOUND');
    expect(outcome.details.length).toBeLessThan(2_000);
  });

  it('keeps a few kilobytes at most per distinct hostile trigger, however large the request', async () => {
    // A collectable heap is measured, not what the allocator happens to hold.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = (): number => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = heap();
    for (let i = 0; i < 40; i++) {
      const metadata: Record<string, string> = {
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: 'vector(5)',
        threshold: '2',
      };
      for (let k = 0; k < 30; k++) metadata[`junk-${i}-${k}`] = 'x'.repeat(30_000);
      await scaler.client.getMetrics(kedaRef(metadata, `hostile-${i}`), '');
    }
    // Forty requests of 900 kB each: kept whole, that would be 36 MB and more.
    expect(heap() - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('refuses requests over the 1 MiB message limit with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const ref = kedaRef({
      source: 'prometheus',
      serverAddress: prometheus.url,
      query: 'vector(5)',
      threshold: '2',
      junk: 'x'.repeat(1_100_000),
    });
    const outcome = await call(scaler, 'GetMetricSpec', ref);
    expect(status[outcome.code]).toBe('RESOURCE_EXHAUSTED');
    await expectGoodCall();
  });

  it(`survives raw bytes and malformed HTTP/2 on the gRPC port (seed ${SEED})`, async () => {
    const random = rng(SEED + 2);
    const deadline = Date.now() + BYTES_BUDGET_MS;
    let connections = 0;
    let goAways = 0;
    while (Date.now() < deadline) {
      const kind = int(random, 4);
      const chunks: Buffer[] = [];
      if (kind === 0) {
        chunks.push(randomBytes(random, 1 + int(random, 4_096)));
      } else {
        chunks.push(PREFACE, frame(0x4, 0, 0, Buffer.alloc(0)));
        const frames = 1 + int(random, 6);
        for (let f = 0; f < frames; f++) {
          if (kind === 1) {
            // Any type, flags and stream, a payload of random bytes (its declared length may lie).
            const payload = randomBytes(random, int(random, 300));
            const header = frame(int(random, 12), int(random, 256), int(random, 8), payload);
            if (random() < 0.2) header.writeUIntBE(int(random, 1 << 24), 0, 3);
            chunks.push(header);
          } else if (kind === 2) {
            // HEADERS for a real method with garbage where HPACK should be.
            chunks.push(frame(0x1, 0x4, 1 + 2 * f, randomBytes(random, 1 + int(random, 200))));
          } else {
            // A well-formed call whose gRPC message is garbage: wrong length prefix, compressed flag, junk.
            chunks.push(
              frame(0x1, 0x4, 1 + 2 * f, requestHeaders('/externalscaler.ExternalScaler/GetMetricSpec')),
            );
            const message = randomBytes(random, int(random, 200));
            const prefix = Buffer.alloc(5);
            prefix.writeUInt8(random() < 0.2 ? 1 : 0, 0);
            prefix.writeUInt32BE(random() < 0.3 ? int(random, 1 << 30) : message.length, 1);
            chunks.push(frame(0x0, 0x1, 1 + 2 * f, Buffer.concat([prefix, message])));
          }
        }
      }
      const verdict = await sendAndClose(scaler.grpcPort, chunks);
      // A protocol error (GOAWAY) or the connection closed: the input never just hangs there.
      if (!verdict.closedByServer && verdict.goAwayCode === undefined)
        throw new Error(`no verdict on ${Buffer.concat(chunks).toString('hex').slice(0, 400)}`);
      if (verdict.goAwayCode !== undefined) goAways += 1;
      connections += 1;
      if (connections % 25 === 0) await expectGoodCall();
    }
    expect(connections).toBeGreaterThan(20);
    expect(goAways).toBeGreaterThan(0);
    await expectGoodCall();
  }, 60_000);

  it('answers a protocol violation with GOAWAY PROTOCOL_ERROR and bytes that are not HTTP/2 by closing', async () => {
    // DATA on stream 0 is a connection error of type PROTOCOL_ERROR (RFC 9113, 6.1).
    const violation = await sendAndClose(scaler.grpcPort, [
      PREFACE,
      frame(0x4, 0, 0, Buffer.alloc(0)),
      frame(0x0, 0, 0, Buffer.from('x')),
    ]);
    expect(violation.goAwayCode).toBe(1);
    // Not HTTP/2 at all (an HTTP/1.1 request): a GOAWAY with an error code, then the connection is closed.
    const garbage = await sendAndClose(
      scaler.grpcPort,
      [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
      false,
      false,
    );
    expect(garbage.goAwayCode).toBeGreaterThan(0);
    expect(garbage.closedByServer).toBe(true);
    await expectGoodCall();
  });
});

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header.writeUInt8(type & 0xff, 3);
  header.writeUInt8(flags & 0xff, 4);
  header.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

/** HPACK literal headers without indexing (no Huffman), enough for the server to route a call. */
function requestHeaders(path: string): Buffer {
  const literal = (name: string, value: string): Buffer =>
    Buffer.concat([
      Buffer.from([0x00, name.length]),
      Buffer.from(name),
      Buffer.from([value.length]),
      Buffer.from(value),
    ]);
  return Buffer.concat([
    literal(':method', 'POST'),
    literal(':scheme', 'http'),
    literal(':path', path),
    literal(':authority', '127.0.0.1'),
    literal('content-type', 'application/grpc'),
    literal('te', 'trailers'),
  ]);
}

function randomBytes(random: Random, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = int(random, 256);
  return out;
}

/**
 * Sends the chunks, half-closes (unless told not to), and waits up to `waitMs` for the server's verdict:
 * the connection closed, or a GOAWAY (after which the server stops reading; it drops the connection at
 * the next keepalive). Reports both.
 */
function sendAndClose(
  port: number,
  chunks: Buffer[],
  halfClose = true,
  stopAtGoAway = true,
  waitMs = 1_500,
): Promise<{ closedByServer: boolean; goAwayCode: number | undefined }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ closedByServer, goAwayCode: goAwayCode(received) });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]).subarray(0, 65_536);
      if (stopAtGoAway && goAwayCode(received) !== undefined) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (halfClose) socket.end();
    });
  });
}

/** The error code of the first GOAWAY frame in what the server sent. */
function goAwayCode(received: Buffer): number | undefined {
  let at = 0;
  while (at + 9 <= received.length) {
    const length = received.readUIntBE(at, 3);
    const type = received.readUInt8(at + 3);
    if (type === 0x7 && at + 9 + 8 <= received.length) return received.readUInt32BE(at + 9 + 4);
    at += 9 + length;
  }
  return undefined;
}

/** ScaledObjectRef encoded by hand, so strings can hold bytes that are not UTF-8. */
function encodeRef(ref: { name: Buffer; namespace: Buffer; entries: Array<[Buffer, Buffer]> }): Buffer {
  const parts = [field(1, ref.name), field(2, ref.namespace)];
  for (const [key, value] of ref.entries)
    parts.push(field(3, Buffer.concat([field(1, key), field(2, value)])));
  return Buffer.concat(parts);
}

function encodeGetMetricsRequest(ref: Buffer, metricName: Buffer): Buffer {
  return Buffer.concat([field(1, ref), field(2, metricName)]);
}

function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

/** A unary call with the request bytes as given; the answer is decoded with the real message type. */
function rawCall(
  scaler: TestScaler,
  rpc: 'GetMetricSpec' | 'GetMetrics' | 'IsActive',
  body: Buffer,
): Promise<Outcome> {
  const definition = service.service[rpc]!;
  return new Promise((resolve) => {
    scaler.client.raw.makeUnaryRequest(
      definition.path,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => definition.responseDeserialize(bytes) as unknown,
      body,
      new Metadata(),
      { deadline: Date.now() + 15_000 },
      (error, value) =>
        resolve(
          error ? { code: error.code, details: error.details } : { code: status.OK, details: '', value },
        ),
    );
  });
}
