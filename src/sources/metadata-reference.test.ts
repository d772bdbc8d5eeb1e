import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MetadataError } from '../errors';
import { parseDuration } from '../config/parse';
import { COMMON_KEYS } from '../config/trigger-config';
import { SOURCE_KINDS, SOURCE_NAMES, type SourceName } from './source-kinds';
import { KEDA_EXTERNAL_SCALER_KEYS, parseTriggerMetadata, type TriggerConfig } from './trigger-metadata';

/**
 * docs/metadata.md against the parser: the keys table lists exactly the keys each source reads, its
 * defaults are what the parser applies, its required keys are refused when missing, and its examples parse.
 */

const ROOT = path.resolve(__dirname, '../..');
const DOC = readFileSync(path.join(ROOT, 'docs/metadata.md'), 'utf8');
/** The keys the parser reads for each source: the common ones and those its kind lists. */
const KEYS_OF = new Map<string, readonly string[]>(
  SOURCE_KINDS.map((kind) => [kind.kind, [...COMMON_KEYS, ...kind.keys]]),
);

interface DocRow {
  key: string;
  sources: SourceName[];
  defaultText: string;
  example: string;
}

/** The rows of the table under "## Keys": every table line whose first cell is a code span. */
function documentedRows(): DocRow[] {
  const section = DOC.split(/^## /m).find((part) => part.startsWith('Keys'));
  if (section === undefined) throw new Error('docs/metadata.md has no "## Keys" section');
  const rows: DocRow[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    expect(cells).toHaveLength(6);
    const [key, sources, defaultText, , , example] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    rows.push({
      key: codeSpan(key) ?? '',
      sources: sources === 'all' ? [...SOURCE_NAMES] : sources.split(',').map((s) => s.trim() as SourceName),
      defaultText,
      example: codeSpan(example) ?? '',
    });
  }
  return rows;
}

/** The text of a cell that is exactly one code span, else undefined. */
function codeSpan(cell: string): string | undefined {
  return /^`([^`]*)`$/.exec(cell)?.[1];
}

/** The smallest trigger of each source: its required keys only (an http host, so every rabbitmq key applies). */
const MINIMAL: Record<SourceName, Record<string, string>> = {
  rabbitmq: {
    source: 'rabbitmq',
    host: 'http://guest:guest@rabbitmq:15672/',
    queueName: 'celery',
    value: '10',
  },
  prometheus: { source: 'prometheus', serverAddress: 'http://prometheus:9090', query: 'up', threshold: '1' },
  gpu: { source: 'gpu', serverAddress: 'http://prometheus:9090', threshold: '70' },
};

/**
 * The keys `parseTriggerMetadata` looks up for a metadata map (recorded through a proxy). A refused key
 * is read too, before the refusal.
 */
function keysRead(metadata: Record<string, string>, refused = false): Set<string> {
  const read = new Set<string>();
  const proxy = new Proxy(metadata, {
    get(target, property, receiver) {
      if (typeof property === 'string') read.add(property);
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  try {
    parseTriggerMetadata(proxy);
  } catch (error) {
    if (!refused || !(error instanceof MetadataError)) throw error;
  }
  return read;
}

/** Keys whose example parses only beside others (prometheus, gpu): an auth mode and its credentials. */
const NEEDS: Record<string, Record<string, string>> = {
  authModes: { username: 'scaler', passwordFromEnv: 'secret' },
  username: { authModes: 'basic', passwordFromEnv: 'secret' },
  usernameFromEnv: { authModes: 'basic', passwordFromEnv: 'secret' },
  passwordFromEnv: { authModes: 'basic', username: 'scaler' },
  bearerTokenFromEnv: { authModes: 'bearer' },
  sourceCertFile: { authModes: 'tls', sourceKeyFile: '/tls/tls.key' },
  sourceKeyFile: { authModes: 'tls', sourceCertFile: '/tls/tls.crt' },
};

/**
 * Keys whose example parses only beside another key, on every source; unlike NEEDS, the two also go
 * together into the trigger that holds every example.
 */
const COMPANIONS: Record<string, Partial<Record<SourceName, Record<string, string>>>> = {
  startupTimeServerAddress: {
    rabbitmq: { startupTimeQuery: 'vector(90)' },
    prometheus: { startupTimeQuery: 'vector(90)' },
    gpu: { startupTimeQuery: 'vector(90)' },
  },
  // A rabbitmq trigger has no Prometheus of its own to ask.
  startupTimeQuery: { rabbitmq: { startupTimeServerAddress: 'http://prometheus.monitoring:9090' } },
};

/** KEDA's own keys are described above the table; a source may look at one (to warn) without owning it. */
const KEDA_OWN = new Set<string>(KEDA_EXTERNAL_SCALER_KEYS);

/** Where each key's setting lands in the parsed config, for the defaults check. */
const FIELD: Record<
  string,
  { field: keyof TriggerConfig | string; kind: 'duration' | 'number' | 'boolean' | 'text' }
> = {
  mode: { field: 'mode', kind: 'text' },
  activationValue: { field: 'activationTarget', kind: 'number' },
  activationThreshold: { field: 'activationTarget', kind: 'number' },
  excludeUnacknowledged: { field: 'excludeUnacknowledged', kind: 'boolean' },
  unsafeSsl: { field: 'unsafeSsl', kind: 'boolean' },
  sourceUnsafeSsl: { field: 'sourceUnsafeSsl', kind: 'boolean' },
  useRegex: { field: 'useRegex', kind: 'boolean' },
  operation: { field: 'operation', kind: 'text' },
  pageSize: { field: 'pageSize', kind: 'number' },
  ignoreNullValues: { field: 'ignoreNullValues', kind: 'boolean' },
  metric: { field: 'metric', kind: 'text' },
  selector: { field: 'selector', kind: 'text' },
  aggregation: { field: 'aggregation', kind: 'text' },
  timeout: { field: 'timeoutMs', kind: 'duration' },
  maxStaleness: { field: 'maxStalenessMs', kind: 'duration' },
  sampleInterval: { field: 'sampleIntervalMs', kind: 'duration' },
  predictive: { field: 'predictive', kind: 'text' },
  leadTime: { field: 'leadTimeMs', kind: 'duration' },
  startupTime: { field: 'startupTimeMs', kind: 'duration' },
  cooldownPeriod: { field: 'cooldownPeriodMs', kind: 'duration' },
  horizon: { field: 'horizonMs', kind: 'duration' },
  seasonality: { field: 'seasonality', kind: 'text' },
  historyWindow: { field: 'historyWindowMs', kind: 'duration' },
  quantile: { field: 'quantile', kind: 'number' },
  shortfallTarget: { field: 'shortfallTarget', kind: 'number' },
  anomalyThreshold: { field: 'anomalyThreshold', kind: 'number' },
  businessHoursMultiplier: { field: 'businessHoursMultiplier', kind: 'number' },
  timezone: { field: 'timezone', kind: 'text' },
  valueScale: { field: 'valueScale', kind: 'number' },
};

/** Keys whose default is "none": what the parsed config holds for them (hostFromEnv has no field). */
const NONE: Record<string, { field: string; value: unknown } | null> = {
  hostFromEnv: null,
  usernameFromEnv: null,
  passwordFromEnv: null,
  queueLength: null,
  serverAddressFromEnv: null,
  customHeaders: { field: 'customHeaders', value: [] },
  customHeadersFromEnv: { field: 'credentialHeaders', value: [] },
  namespace: { field: 'namespace', value: undefined },
  authModes: { field: 'authModes', value: [] },
  username: null,
  bearerTokenFromEnv: null,
  sourceCaFile: null,
  sourceCertFile: null,
  sourceKeyFile: null,
  queryParameters: { field: 'queryParameters', value: [] },
  businessHours: { field: 'businessHours', value: undefined },
  shortfallTarget: { field: 'shortfallTarget', value: undefined },
  startupTimeQuery: { field: 'startupTimeQuery', value: undefined },
};

/** Defaults described in words, and what the parsed config holds for them (per source where it differs). */
const DESCRIBED: Record<
  string,
  { field: string; value: unknown } | { field: string; bySource: Record<SourceName, unknown> }
> = {
  vhostName: { field: 'vhostName', value: undefined },
  // MINIMAL.rabbitmq has an http:// host.
  protocol: { field: 'protocol', value: 'http' },
  // Unset, the reader asks the trigger's own serverAddress (startupTimePrometheus).
  startupTimeServerAddress: { field: 'startupTimeServerAddress', value: undefined },
};

/** Defaults that differ between sources: what each source's parsed config holds. Checked first. */
const BY_SOURCE: Record<string, Partial<Record<SourceName, { field: string; value: unknown }>>> = {
  // KEDA's own TLS to the scaler: nothing of it lands in a config (sourceUnsafeSsl is ours).
  unsafeSsl: {
    rabbitmq: { field: 'unsafeSsl', value: undefined },
    prometheus: { field: 'unsafeSsl', value: undefined },
    gpu: { field: 'unsafeSsl', value: undefined },
  },
};

/**
 * What a rabbitmq example needs around it to parse: the credential keys go together, and the deprecated
 * `queueLength` stands in for `value` (and `mode`).
 */
const RABBITMQ_EXAMPLE_CONTEXT: Record<string, { with?: Record<string, string>; without?: string[] }> = {
  usernameFromEnv: { with: { passwordFromEnv: 'RABBITMQ_PASSWORD' } },
  passwordFromEnv: { with: { usernameFromEnv: 'RABBITMQ_USER' } },
  queueLength: { without: ['value', 'mode'] },
};

/** A key's example with what it needs, on the smallest trigger of a source. */
function withExample(source: SourceName, key: string, example: string): Record<string, string> {
  const context = source === 'rabbitmq' ? RABBITMQ_EXAMPLE_CONTEXT[key] : { with: NEEDS[key] };
  const metadata: Record<string, string> = {
    ...MINIMAL[source],
    ...COMPANIONS[key]?.[source],
    ...context?.with,
    [key]: example,
  };
  for (const other of context?.without ?? []) delete metadata[other];
  return metadata;
}

function fromDoc(text: string, kind: 'duration' | 'number' | 'boolean' | 'text'): unknown {
  switch (kind) {
    case 'duration':
      return parseDuration('doc', text, { minMs: 0, maxMs: Number.MAX_SAFE_INTEGER });
    case 'number':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'text':
      return text === '""' ? '' : text;
  }
}

const ROWS = documentedRows();

describe('docs/metadata.md', () => {
  it('documents each key once', () => {
    expect(ROWS.length).toBeGreaterThan(20);
    const keys = ROWS.map((row) => row.key);
    expect(keys).not.toContain('');
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(ROWS.map((row) => [row.key, row] as const))('`%s` is a key the parser reads', (key, row) => {
    for (const source of row.sources) {
      expect(SOURCE_NAMES).toContain(source);
      expect(KEYS_OF.get(source)).toContain(key);
    }
  });

  it('lists every key in COMMON_KEYS as read by all sources', () => {
    for (const key of COMMON_KEYS) {
      expect(ROWS.find((row) => row.key === key)?.sources).toEqual([...SOURCE_NAMES]);
    }
  });

  it.each(SOURCE_NAMES)('lists exactly the keys the parser reads for %s', (source) => {
    const documented = ROWS.filter((row) => row.sources.includes(source)).map((row) => row.key);
    const read = new Set<string>();
    // Minimal; every other documented key at its example; and the address from the environment.
    const variants: Array<Record<string, string>> = [
      MINIMAL[source],
      Object.fromEntries([...exampleEntries(source), ...Object.entries(MINIMAL[source])]),
    ];
    if (source === 'rabbitmq') {
      const { host, ...rest } = MINIMAL.rabbitmq;
      variants.push({ ...rest, hostFromEnv: host as string });
      const queueLength = ROWS.find((row) => row.key === 'queueLength')?.example ?? '';
      variants.push(withExample('rabbitmq', 'queueLength', queueLength));
    } else {
      const { serverAddress, ...rest } = MINIMAL[source];
      variants.push({ ...rest, serverAddressFromEnv: serverAddress as string });
    }
    for (const metadata of variants) for (const key of keysRead(metadata)) read.add(key);
    for (const row of ROWS.filter((row) => row.sources.includes(source))) {
      if (row.key in NEEDS)
        for (const key of keysRead(withExample(source, row.key, row.example))) read.add(key);
      if (row.defaultText === 'refused') {
        for (const key of keysRead({ ...MINIMAL[source], [row.key]: row.example }, true)) read.add(key);
      }
    }
    // A KEDA key a source only looks at (to warn) need not be in its rows; every documented key is read.
    const owned = [...read].filter((key) => !KEDA_OWN.has(key) || documented.includes(key));
    expect(owned.sort()).toEqual([...documented].sort());
  });

  it.each(ROWS.flatMap((row) => row.sources.map((source) => [row.key, source, row] as const)))(
    '`%s` (%s): the documented default is the parsed default',
    (key, source, row) => {
      const config = parseTriggerMetadata(MINIMAL[source]) as unknown as Record<string, unknown>;
      const bySource = BY_SOURCE[key]?.[source];
      if (bySource) {
        expect(config[bySource.field]).toEqual(bySource.value);
        return;
      }
      if (row.defaultText === 'required') {
        const without = { ...MINIMAL[source] };
        delete without[key];
        expect(() => parseTriggerMetadata(without)).toThrow(
          new MetadataError(key, undefined, 'x').message.replace(/ x$/, ''),
        );
        return;
      }
      if (row.defaultText === 'refused') {
        expect(() => parseTriggerMetadata({ ...MINIMAL[source], [key]: row.example })).toThrow(
          `metadata key "${key}" has invalid value`,
        );
        return;
      }
      if (row.defaultText === 'none') {
        expect(Object.keys(NONE)).toContain(key);
        const none = NONE[key];
        if (none) expect(config[none.field]).toEqual(none.value);
        return;
      }
      const literal = codeSpan(row.defaultText);
      if (literal === undefined) {
        expect(Object.keys(DESCRIBED)).toContain(key);
        const described = DESCRIBED[key]!;
        expect(config[described.field]).toEqual(
          'bySource' in described ? described.bySource[source] : described.value,
        );
        return;
      }
      const field = FIELD[key];
      expect(field).toBeDefined();
      expect(config[field!.field]).toEqual(fromDoc(literal, field!.kind));
    },
  );

  it.each(ROWS.flatMap((row) => row.sources.map((source) => [row.key, source, row] as const)))(
    '`%s` (%s): the documented example parses',
    (key, source, row) => {
      expect(row.example).not.toBe('');
      if (key === 'source') {
        expect(SOURCE_NAMES).toContain(row.example);
        return;
      }
      if (row.defaultText === 'refused') {
        expect(() => parseTriggerMetadata({ ...MINIMAL[source], [key]: row.example })).toThrow(MetadataError);
        return;
      }
      expect(() => parseTriggerMetadata(withExample(source, key, row.example))).not.toThrow();
    },
  );

  it('states the defaults of the product contract', () => {
    const defaults = Object.fromEntries(ROWS.map((row) => [row.key, row.defaultText]));
    expect(defaults).toMatchObject({
      source: 'required',
      mode: '`QueueLength`',
      activationValue: '`0`',
      activationThreshold: '`0`',
      ignoreNullValues: '`true`',
      timeout: '`3s`',
      metric: '`utilization`',
      selector: '`""`',
      aggregation: '`avg`',
      predictive: '`true`',
      leadTime: '`15m`',
      startupTime: '`2m`',
      cooldownPeriod: '`5m`',
      horizon: '`30m`',
      seasonality: '`auto`',
      historyWindow: '`14d`',
      quantile: '`0.9`',
      shortfallTarget: 'none',
      anomalyThreshold: '`3.5`',
      businessHours: 'none',
      businessHoursMultiplier: '`1`',
      timezone: '`UTC`',
      valueScale: '`1`',
      maxStaleness: '`30s`',
      sampleInterval: '`1m`',
    });
  });

  it('gives a metric name example the parser would produce', () => {
    const example = /for example `(rabbitmq-[a-z0-9-]+)`/.exec(DOC)?.[1];
    expect(example).toBe(
      parseTriggerMetadata({
        source: 'rabbitmq',
        host: 'amqp://guest:guest@rabbitmq.default:5672/',
        queueName: 'celery',
        value: '10',
      }).metricName,
    );
  });

  it('quotes error messages the parser actually gives', () => {
    const block = /## Errors[\s\S]*?```text\n([\s\S]*?)```/.exec(DOC)?.[1];
    const quoted = (block ?? '').trim().split('\n');
    expect(quoted).toEqual([
      errorOf({ ...MINIMAL.prometheus, leadTime: '45m' }),
      errorOf({ source: 'prometheus', serverAddress: 'http://prometheus:9090', query: 'up' }),
      errorOf({ ...MINIMAL.rabbitmq, host: 'ftp://user:secret@rabbitmq' }),
    ]);
  });
});

/** Every documented key of a source set to its documented example. */
function exampleEntries(source: SourceName): Array<[string, string]> {
  // queueLength replaces value and mode: it has a variant of its own.
  const alone = (row: DocRow) =>
    !(row.key in NEEDS) && row.defaultText !== 'refused' && row.key !== 'queueLength';
  return ROWS.filter((row) => row.sources.includes(source) && row.key !== 'source' && alone(row)).map(
    (row) => [row.key, row.example],
  );
}

function errorOf(metadata: Record<string, string>): string {
  try {
    parseTriggerMetadata(metadata);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the metadata to be refused');
}
