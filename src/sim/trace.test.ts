import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CsvError } from '../util/csv';
import { NOMINAL_ORIGIN_MS, loadTrace, parseTrace } from './trace';

describe('parseTrace', () => {
  it('reads ISO timestamps without a zone as UTC and infers the step', () => {
    const trace = parseTrace('period,count\n1998-04-30 21:30:00,2\n1998-04-30 21:31:00,11\n', {
      valueColumn: 'count',
      timeColumn: 'period',
    });
    expect(trace.startMs).toBe(Date.parse('1998-04-30T21:30:00Z'));
    expect(trace.stepMs).toBe(60_000);
    expect([...trace.values]).toEqual([2, 11]);
    expect(trace.timeFormat).toBe('iso');
  });

  it('fills missing steps with 0 and counts them', () => {
    const trace = parseTrace(
      't,v\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n2024-01-01T00:03:00Z,4\n',
      {
        valueColumn: 'v',
        timeColumn: 't',
      },
    );
    expect([...trace.values]).toEqual([1, 2, 0, 4]);
    expect(trace.filledGaps).toBe(1);
  });

  it('reads epoch seconds', () => {
    const trace = parseTrace('ts,v\n1700000000,1\n1700000005,2\n', { valueColumn: 'v', timeColumn: 'ts' });
    expect(trace.timeFormat).toBe('epoch-seconds');
    expect(trace.startMs).toBe(1_700_000_000_000);
    expect(trace.stepMs).toBe(5000);
  });

  it('places integer steps at the given step from a nominal Monday', () => {
    const trace = parseTrace('step,a,b\n0,1,9\n1,2,8\n2,3,7\n', {
      valueColumn: 'b',
      timeColumn: 'step',
      stepMs: 300_000,
    });
    expect(trace.timeFormat).toBe('steps');
    expect(trace.startMs).toBe(NOMINAL_ORIGIN_MS);
    expect(new Date(NOMINAL_ORIGIN_MS).getUTCDay()).toBe(1);
    expect(trace.stepMs).toBe(300_000);
    expect([...trace.values]).toEqual([9, 8, 7]);
  });

  it('uses the row index without a time column', () => {
    const trace = parseTrace('"load, %"\n1\n2\n', { valueColumn: 'load, %' });
    expect(trace.timeFormat).toBe('row-index');
    expect(trace.stepMs).toBe(60_000);
    expect([...trace.values]).toEqual([1, 2]);
  });

  it.each([
    [
      'a missing value column',
      'x,y\n1,2\n',
      { valueColumn: 'v' },
      /--value-column "v" is not a column.*x, y/,
    ],
    ['a missing time column', 'v\n1\n', { valueColumn: 'v', timeColumn: 't' }, /--time-column "t"/],
    ['a value that is not a number', 'v\n1\nabc\n', { valueColumn: 'v' }, /line 3: v is "abc"/],
    ['a negative value', 'v\n-1\n', { valueColumn: 'v' }, /line 2: v is negative/],
    ['no rows', 'v\n', { valueColumn: 'v' }, /no rows/],
    [
      'rows out of order',
      't,v\n2024-01-01T00:02:00Z,1\n2024-01-01T00:03:00Z,1\n2024-01-01T00:01:00Z,1\n',
      { valueColumn: 'v', timeColumn: 't' },
      /line 4: time is not after/,
    ],
    [
      'a bad timestamp',
      't,v\n2024-01-01T00:00:00Z,1\nyesterday,1\n',
      { valueColumn: 'v', timeColumn: 't' },
      /line 3: time "yesterday" is not an ISO-8601 timestamp/,
    ],
  ])('rejects %s', (_name, text, options, message) => {
    expect(() => parseTrace(text, options)).toThrow(CsvError);
    expect(() => parseTrace(text, options)).toThrow(message);
  });
});

describe('loadTrace', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kps-trace-'));

  it('reads gzip-compressed files', () => {
    const file = path.join(dir, 'trace.csv.gz');
    writeFileSync(file, gzipSync('step,v\n0,1\n1,2\n'));
    expect([...loadTrace(file, { valueColumn: 'v', timeColumn: 'step' }).values]).toEqual([1, 2]);
  });

  it('names a file it cannot read', () => {
    expect(() => loadTrace(path.join(dir, 'missing.csv'), { valueColumn: 'v' })).toThrow(
      /cannot read trace .*missing.csv: ENOENT/,
    );
  });
});
