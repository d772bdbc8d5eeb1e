import { MetadataError } from '../errors';
import { formatDuration } from '../util/duration';
import { parseBoolean, parseDuration, parseEnum, parseKeyValueList, parseNumber, parseUrl } from './parse';

const WIDE = { minMs: 0, maxMs: 60 * 86_400_000 };
const DURATION_EXPECTED = 'a duration such as 30s, 15m, 2h or 14d between 0ms and 60d';

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['250', 250],
    ['0s', 0],
    ['1ms', 1],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['14d', 1_209_600_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1.5h', 5_400_000],
    ['0.5s', 500],
    ['1.5ms', 2],
    ['  15m  ', 900_000],
    ['90m', 5_400_000],
  ])('%j is %d ms', (raw, ms) => {
    expect(parseDuration('d', raw, WIDE)).toBe(ms);
  });

  it.each([
    '',
    ' ',
    'm',
    '15M',
    '1w',
    '1y',
    '-1s',
    '+1s',
    '1.s',
    '.5s',
    '1 h',
    '1h 30m',
    '1h,30m',
    '15mins',
    'PT15M',
    '1e3s',
    '0x10',
    '1us',
    '1ns',
    '61d',
  ])('refuses %j', (raw) => {
    expect(() => parseDuration('leadTime', raw, WIDE)).toThrow(
      `metadata key "leadTime" has invalid value ${JSON.stringify(raw)}: expected ${DURATION_EXPECTED}`,
    );
  });

  it('reads a bare integer as milliseconds, as KEDA reads timeout', () => {
    expect(parseDuration('timeout', '15', { minMs: 1, maxMs: 120_000 })).toBe(15);
    expect(() => parseDuration('sampleInterval', '15', { minMs: 1_000, maxMs: 3_600_000 })).toThrow(
      'metadata key "sampleInterval" has invalid value "15": expected a duration such as 30s, 15m, 2h or 14d between 1s and 1h',
    );
  });

  it('names the key, the value and the bounds', () => {
    expect(() => parseDuration('timeout', '3m', { minMs: 1, maxMs: 120_000 })).toThrow(
      'metadata key "timeout" has invalid value "3m": expected a duration such as 30s, 15m, 2h or 14d between 1ms and 2m',
    );
  });

  it('applies the bounds inclusively', () => {
    expect(parseDuration('k', '1m', { minMs: 60_000, maxMs: 120_000 })).toBe(60_000);
    expect(parseDuration('k', '2m', { minMs: 60_000, maxMs: 120_000 })).toBe(120_000);
    expect(() => parseDuration('k', '59999', { minMs: 60_000, maxMs: 120_000 })).toThrow(MetadataError);
    expect(() => parseDuration('k', '120001', { minMs: 60_000, maxMs: 120_000 })).toThrow(MetadataError);
  });

  it('refuses durations too large for a double without hanging', () => {
    expect(() => parseDuration('k', `${'9'.repeat(400)}d`, WIDE)).toThrow(MetadataError);
    expect(() => parseDuration('k', '9'.repeat(400), WIDE)).toThrow(MetadataError);
    const started = performance.now();
    expect(() => parseDuration('k', '1s'.repeat(200_000) + 'x', WIDE)).toThrow(MetadataError);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('can be called again after a failure (the shared sticky pattern is reset)', () => {
    expect(() => parseDuration('k', '1h x', WIDE)).toThrow(MetadataError);
    expect(parseDuration('k', '2h', WIDE)).toBe(7_200_000);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0ms'],
    [1, '1ms'],
    [1_500, '1500ms'],
    [1_000, '1s'],
    [90_000, '90s'],
    [60_000, '1m'],
    [5_400_000, '90m'],
    [3_600_000, '1h'],
    [86_400_000, '1d'],
    [7 * 86_400_000, '7d'],
  ])('%d ms reads %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, 1, 999, 1_000, 60_000, 5_400_000, 86_400_000, 36 * 3_600_000])(
    'round-trips %d ms through parseDuration',
    (ms) => {
      expect(parseDuration('k', formatDuration(ms), WIDE)).toBe(ms);
    },
  );
});

describe('parseNumber', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['10', 10],
    ['-3', -3],
    ['+7', 7],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['  42  ', 42],
    ['1.7976931348623157e308', Number.MAX_VALUE],
  ])('%j is %d', (raw, value) => {
    expect(parseNumber('n', raw, {})).toBe(value);
  });

  it.each([
    '',
    ' ',
    'abc',
    '0x10',
    '0b1',
    '0o7',
    '1_000',
    '1,5',
    '1.2.3',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e400',
    '--1',
    '5%',
    '1 2',
    '١٢',
  ])('refuses %j', (raw) => {
    expect(() => parseNumber('threshold', raw, {})).toThrow(
      `metadata key "threshold" has invalid value ${JSON.stringify(raw)}: expected a decimal number`,
    );
  });

  it.each<[string, { min?: number; max?: number; exclusiveMin?: number }, string, string]>([
    ['0', { exclusiveMin: 0 }, 'a decimal number greater than 0', 'exclusive minimum'],
    ['-0.0001', { min: 0 }, 'a decimal number at least 0', 'minimum'],
    ['1.0001', { max: 1 }, 'a decimal number at most 1', 'maximum'],
    ['0.4', { min: 0.5, max: 0.999 }, 'a decimal number at least 0.5 and at most 0.999', 'range'],
    ['101', { exclusiveMin: 0, max: 100 }, 'a decimal number greater than 0 and at most 100', 'range'],
  ])('refuses %j outside %j, saying so', (raw, bounds, expected) => {
    expect(() => parseNumber('k', raw, bounds)).toThrow(
      `metadata key "k" has invalid value ${JSON.stringify(raw)}: expected ${expected}`,
    );
  });

  it('applies min and max inclusively', () => {
    expect(parseNumber('k', '0.5', { min: 0.5, max: 0.999 })).toBe(0.5);
    expect(parseNumber('k', '0.999', { min: 0.5, max: 0.999 })).toBe(0.999);
    expect(parseNumber('k', '0.0001', { exclusiveMin: 0 })).toBe(0.0001);
  });
});

describe('parseBoolean', () => {
  it.each<[string, boolean]>([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
    [' true ', true],
  ])('%j is %s', (raw, value) => {
    expect(parseBoolean('b', raw)).toBe(value);
  });

  it.each(['', 'yes', 'no', '1', '0', 'on', 't', 'truee'])('refuses %j', (raw) => {
    expect(() => parseBoolean('ignoreNullValues', raw)).toThrow(
      `metadata key "ignoreNullValues" has invalid value ${JSON.stringify(raw)}: expected true or false`,
    );
  });
});

describe('parseEnum', () => {
  const MODES = ['QueueLength', 'MessageRate'] as const;

  it.each<[string, string]>([
    ['QueueLength', 'QueueLength'],
    ['queuelength', 'QueueLength'],
    ['MESSAGERATE', 'MessageRate'],
    ['  MessageRate ', 'MessageRate'],
  ])('%j is %j (the canonical spelling)', (raw, value) => {
    expect(parseEnum('mode', raw, MODES)).toBe(value);
  });

  it.each(['', 'Queue', 'QueueLengthX', 'Queue Length'])('refuses %j, listing the choices', (raw) => {
    expect(() => parseEnum('mode', raw, MODES)).toThrow(
      `metadata key "mode" has invalid value ${JSON.stringify(raw)}: expected one of QueueLength, MessageRate`,
    );
  });
});

describe('parseUrl', () => {
  const HTTP = ['http:', 'https:'];

  it.each<[string, string, string]>([
    ['http://prometheus:9090', 'http:', 'prometheus'],
    ['https://prometheus.example.com/prefix', 'https:', 'prometheus.example.com'],
    ['  http://127.0.0.1:9090/  ', 'http:', '127.0.0.1'],
    ['http://[::1]:9090', 'http:', '[::1]'],
    ['http://user:pass@prometheus:9090', 'http:', 'prometheus'],
  ])('accepts %j', (raw, protocol, hostname) => {
    const url = parseUrl('serverAddress', raw, HTTP);
    expect(url.protocol).toBe(protocol);
    expect(url.hostname).toBe(hostname);
  });

  it('accepts only the schemes it is given', () => {
    expect(parseUrl('host', 'amqp://rabbitmq:5672', ['amqp:', 'amqps:']).host).toBe('rabbitmq:5672');
    expect(() => parseUrl('host', 'http://rabbitmq', ['amqp:'])).toThrow(
      'metadata key "host" has invalid value "http://rabbitmq": expected an absolute URL with scheme amqp',
    );
  });

  it.each<[string, string]>([
    ['', ''],
    ['prometheus:9090', 'prometheus:9090'],
    ['/api/v1/query', '/api/v1/query'],
    ['ftp://prometheus', 'ftp://prometheus'],
    ['http://', 'http://'],
    ['http://prometheus:99999', 'http://prometheus:99999'],
    ['http://prom etheus', 'http://prom etheus'],
    ['http://user:secret@', 'http://***@'],
    ['ftp://user:secret@prometheus', 'ftp://***@prometheus'],
    ['http://user:sec/ret@prometheus:99999', 'http://***@prometheus:99999'],
    ['http://user:sec@ret@prometheus:99999', 'http://***@prometheus:99999'],
    ['user:secret@prometheus:9090', '***@prometheus:9090'],
    ['  user:secret@prometheus:9090', '  ***@prometheus:9090'],
  ])('refuses %j, showing %j', (raw, shown) => {
    expect(() => parseUrl('serverAddress', raw, HTTP)).toThrow(
      `metadata key "serverAddress" has invalid value ${JSON.stringify(shown)}: expected an absolute URL with scheme http or https`,
    );
  });
});

describe('parseKeyValueList', () => {
  it.each<[string, Array<[string, string]>]>([
    ['', []],
    ['   ', []],
    ['a=1', [['a', '1']]],
    [
      'X-Scope-OrgID=tenant-a,Authorization=Bearer abc',
      [
        ['X-Scope-OrgID', 'tenant-a'],
        ['Authorization', 'Bearer abc'],
      ],
    ],
    [
      ' a = 1 , b = 2 ',
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    ['token=a=b==', [['token', 'a=b==']]],
    ['empty=', [['empty', '']]],
    ["name.with_all!#$%&'*+^`|~-chars=v", [["name.with_all!#$%&'*+^`|~-chars", 'v']]],
    [
      'dup=1,dup=2',
      [
        ['dup', '1'],
        ['dup', '2'],
      ],
    ],
  ])('%j', (raw, pairs) => {
    expect(parseKeyValueList('customHeaders', raw)).toEqual(pairs);
  });

  it.each<[string, string]>([
    ['noequals', '***'],
    ['=value', '=***'],
    ['a=1,', 'a=***,***'],
    ['a=1,,b=2', 'a=***,***,b=***'],
    ['bad name=1', 'bad name=***'],
    ['a(b)=1', 'a(b)=***'],
    ['Authorization: Bearer token123', 'Authorization:***'],
    ['a=1\nb', 'a=***'],
    ['a=x\0y', 'a=***'],
  ])('refuses %j, showing only %j', (raw, shown) => {
    expect(() => parseKeyValueList('customHeaders', raw)).toThrow(
      `metadata key "customHeaders" has invalid value ${JSON.stringify(shown)}: expected a comma-separated list of name=value pairs`,
    );
  });
});
