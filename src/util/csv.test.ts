import { CsvError, inferStep, parseCsv, parseIsoTime, splitCsvLine } from './csv';

describe('splitCsvLine', () => {
  it('keeps empty fields', () => {
    expect(splitCsvLine('a,,c,')).toEqual(['a', '', 'c', '']);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    expect(splitCsvLine('"x, y", "a ""b""",z')).toEqual(['x, y', 'a "b"', 'z']);
  });

  it('names the line of a quote that is never closed', () => {
    expect(() => splitCsvLine('"a,1', { line: 7, file: 'in.csv' })).toThrow(
      new CsvError('a quoted field is not closed', { line: 7, file: 'in.csv' }),
    );
    expect(() => splitCsvLine('"a,1', { line: 7, file: 'in.csv' })).toThrow(
      'in.csv: line 7: a quoted field is not closed',
    );
  });
});

describe('parseCsv', () => {
  it('takes the first non-blank line as the header, skips blank lines and keeps line numbers', () => {
    const table = parseCsv('\n a , b \r\n1,2\n\n3,4\n');
    expect(table.header).toEqual(['a', 'b']);
    expect(table.headerLine).toBe(2);
    expect(table.rows).toEqual([
      { line: 3, cells: ['1', '2'] },
      { line: 5, cells: ['3', '4'] },
    ]);
  });

  it('skips # lines only when asked', () => {
    expect(parseCsv('# export\nv\n# note\n1\n', { comments: true }).rows).toEqual([
      { line: 4, cells: ['1'] },
    ]);
    expect(parseCsv('# export\nv\n').header).toEqual(['# export']);
  });

  it('says which header it expected in an empty file', () => {
    expect(() => parseCsv(' \n', { expectedHeader: 'a,b', file: 'x.csv' })).toThrow(
      'x.csv: the file is empty: expected a header row a,b',
    );
  });
});

describe('parseIsoTime', () => {
  it.each<[string, number]>([
    ['2024-03-18T00:05:00Z', Date.UTC(2024, 2, 18, 0, 5)],
    ['2024-03-18 00:05:00', Date.UTC(2024, 2, 18, 0, 5)],
    ['2024-03-18T02:05+02:00', Date.UTC(2024, 2, 18, 0, 5)],
    ['2024-03-18', Date.UTC(2024, 2, 18)],
  ])('reads %s (UTC without a zone)', (text, ms) => {
    expect(parseIsoTime(text)).toBe(ms);
  });

  it.each(['yesterday', '1710720300', ''])('is NaN for %j', (text) => {
    expect(parseIsoTime(text)).toBeNaN();
  });
});

describe('inferStep', () => {
  it('is the median gap: robust to missing rows', () => {
    expect(inferStep([0, 60, 120, 240, 300, 360])).toBe(60);
  });

  it('rounds to the resolution: robust to jitter', () => {
    expect(inferStep([0, 302_000, 600_000, 900_000], 1000)).toBe(300_000);
  });

  it('ignores repeated times and is undefined without two distinct times', () => {
    expect(inferStep([0, 0, 5, 5, 10])).toBe(5);
    expect(inferStep([3, 3])).toBeUndefined();
    expect(inferStep([3])).toBeUndefined();
  });
});
