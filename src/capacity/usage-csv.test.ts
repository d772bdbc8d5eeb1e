import { CsvError } from '../util/csv';
import { parseUsageCsv } from './usage-csv';

const MINUTE = 60_000;

describe('parseUsageCsv', () => {
  it('reads 5-minute rows onto a regular grid, gaps as NaN', () => {
    const usage = parseUsageCsv(
      [
        '# exported from Prometheus',
        'timestamp,cpu_cores,memory_bytes',
        '2024-03-18T00:00:00Z,0.25,536870912',
        '2024-03-18T00:05:00Z,0.5,',
        '',
        '2024-03-18T00:15:00Z,0.75,1073741824',
      ].join('\r\n'),
    );
    expect(usage.rows).toBe(3);
    expect(usage.cpu).toEqual({
      startMs: Date.parse('2024-03-18T00:00:00Z'),
      stepMs: 5 * MINUTE,
      values: [0.25, 0.5, NaN, 0.75],
    });
    expect(usage.memory.values).toEqual([536870912, NaN, NaN, 1073741824]);
  });

  it('takes columns in any order, ignores extra ones, and reads Unix seconds, milliseconds and zone-less ISO as UTC', () => {
    const seconds = Date.parse('2024-03-18T00:00:00Z') / 1000;
    const usage = parseUsageCsv(
      [
        'pod,memory_bytes,timestamp,CPU_CORES',
        `web-1,100,${seconds},1`,
        `web-1,200,${(seconds + 60) * 1000},2`,
        'web-1,300,2024-03-18 00:02:00,3',
        'web-1,400,2024-03-18T02:03:00+02:00,4',
      ].join('\n'),
    );
    expect(usage.cpu.stepMs).toBe(MINUTE);
    expect(usage.cpu.values).toEqual([1, 2, 3, 4]);
    expect(usage.memory.values).toEqual([100, 200, 300, 400]);
  });

  it('sorts rows, snaps them to the most common step and lets a later row replace an earlier one', () => {
    const usage = parseUsageCsv(
      [
        'timestamp,cpu_cores,memory_bytes',
        '2024-03-18T00:10:00Z,3,3',
        '2024-03-18T00:00:00Z,1,1',
        '2024-03-18T00:05:02Z,2,2',
        '2024-03-18T00:15:00Z,4,4',
        '2024-03-18T00:15:00Z,5,5',
      ].join('\n'),
    );
    expect(usage.cpu.stepMs).toBe(5 * MINUTE);
    expect(usage.cpu.values).toEqual([1, 2, 3, 5]);
  });

  it("reads the old forecasting API's columns, cpu_mean_5m and mem_mean_5m in bytes", () => {
    const usage = parseUsageCsv(
      'timestamp,cpu_mean_5m,mem_mean_5m\n2024-03-18T00:00:00Z,0.25,440401920\n2024-03-18T00:05:00Z,0.5,445644800',
    );
    expect(usage.cpu.values).toEqual([0.25, 0.5]);
    expect(usage.memory.values).toEqual([440401920, 445644800]);
    expect(usage.cpu.stepMs).toBe(5 * 60_000);
  });

  it('reads columns named by the caller, whatever else the header holds', () => {
    const text =
      'timestamp,cpu_cores,used_cpu,rss\n2024-03-18T00:00:00Z,9,1,100\n2024-03-18T00:05:00Z,9,2,200';
    const usage = parseUsageCsv(text, { cpu: 'used_cpu', memory: 'RSS' });
    expect(usage.cpu.values).toEqual([1, 2]);
    expect(usage.memory.values).toEqual([100, 200]);
  });

  it('names a missing named column and the flag that named it', () => {
    const text = 'timestamp,cpu_cores,memory_bytes\n2024-03-18T00:00:00Z,1,1\n2024-03-18T00:05:00Z,1,1';
    expect(() => parseUsageCsv(text, { memory: 'rss' })).toThrow(
      'missing column rss (named by --memory-column): the header is "timestamp,cpu_cores,memory_bytes", ' +
        'expected timestamp,cpu_cores,memory_bytes (or timestamp,cpu_mean_5m,mem_mean_5m, or other names ' +
        'given with --cpu-column and --memory-column)',
    );
  });

  it.each([
    ['', 'the file is empty: expected a header row timestamp,cpu_cores,memory_bytes'],
    ['# only a comment\n', 'the file is empty: expected a header row timestamp,cpu_cores,memory_bytes'],
    [
      'time,cpu,memory\n1,2,3\n4,5,6',
      'missing columns timestamp, cpu_cores, memory_bytes: the header is "time,cpu,memory"',
    ],
    ['timestamp,cpu_cores\n1,2\n3,4', 'missing column memory_bytes'],
    ['timestamp,cpu_cores,memory_bytes\n2024-03-18T00:00:00Z,1,1', 'found 1 data row: at least 2 are needed'],
    [
      'timestamp,cpu_cores,memory_bytes\nyesterday,1,1\n2024-03-18T00:00:00Z,1,1',
      'line 2: timestamp "yesterday" is not ISO-8601',
    ],
    [
      'timestamp,cpu_cores,memory_bytes\n2024-03-18T00:00:00Z,lots,1\n2024-03-18T00:05:00Z,1,1',
      'line 2: cpu_cores "lots" is not a number',
    ],
    [
      'timestamp,cpu_cores,memory_bytes\n2024-03-18T00:00:00Z,1,-5\n2024-03-18T00:05:00Z,1,1',
      'line 2: memory_bytes is -5; usage cannot be negative',
    ],
    [
      'timestamp,cpu_cores,memory_bytes\n2024-03-18T00:00:00Z,1,1\n2024-03-18T00:00:00Z,1,1',
      'every row has the same timestamp',
    ],
    [
      'timestamp,cpu_cores,memory_bytes\n2024-03-18T00:00:00Z,1,\n2024-03-18T00:05:00Z,1,',
      'column memory_bytes has no values',
    ],
    ['timestamp,cpu_cores,memory_bytes\n0,1,1\n1,1,1\n20000000,1,1', 'at most 600000 are accepted'],
  ])('rejects %j', (text, message) => {
    expect(() => parseUsageCsv(text)).toThrow(CsvError);
    expect(() => parseUsageCsv(text)).toThrow(message);
  });
});
