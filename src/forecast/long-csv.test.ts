import { CsvError } from '../util/csv';
import { parseLongCsv, toRegularSeries } from './long-csv';

describe('parseLongCsv', () => {
  it('reads many interleaved series, integer steps and ISO-8601 timestamps, in first-seen order', () => {
    const text = [
      'series_id,t,value',
      'b,2024-05-01T00:00:00Z,1',
      'a,0,10',
      'b,2024-05-01T01:00:00Z,2.5',
      'a,1,',
      'a,2,1e2',
      '',
    ].join('\n');
    const series = parseLongCsv(text);
    expect(series.map((s) => s.id)).toEqual(['b', 'a']);
    expect(series[0]).toEqual({
      id: 'b',
      timeKind: 'iso',
      times: [Date.UTC(2024, 4, 1, 0), Date.UTC(2024, 4, 1, 1)],
      values: [1, 2.5],
    });
    expect(series[1]?.timeKind).toBe('step');
    expect(series[1]?.values).toEqual([10, NaN, 100]);
  });

  it('accepts columns in any order, extra columns, quotes and CRLF', () => {
    const series = parseLongCsv('value,note,t,series_id\r\n3,"x, y",5,"web ""1"""\r\n');
    expect(series).toEqual([{ id: 'web "1"', timeKind: 'step', times: [5], values: [3] }]);
  });

  it('reads timestamps without a zone as UTC, with a space or a T', () => {
    const [series] = parseLongCsv(
      'series_id,t,value\na,1998-04-30 21:30:00,1\na,1998-04-30T21:31,2\na,1998-05-01,3\n',
    );
    expect(series?.times).toEqual([
      Date.UTC(1998, 3, 30, 21, 30),
      Date.UTC(1998, 3, 30, 21, 31),
      Date.UTC(1998, 4, 1),
    ]);
  });

  it.each([
    [
      'a missing column',
      'series_id,t\na,1\n',
      'line 1: missing column value: the header must name series_id, t and value (found series_id, t)',
    ],
    [
      'two missing columns',
      'id,t\n',
      'line 1: missing columns series_id, value: the header must name series_id, t and value (found id, t)',
    ],
    [
      'a non-numeric value',
      'series_id,t,value\na,1,12abc\n',
      'line 2: value "12abc" is not a number (leave the cell empty for a missing sample)',
    ],
    [
      'an infinite value',
      'series_id,t,value\na,1,Infinity\n',
      'line 2: value "Infinity" is not a number (leave the cell empty for a missing sample)',
    ],
    [
      'unordered rows',
      'series_id,t,value\na,2,1\nb,1,1\na,1,1\n',
      'line 4: rows of series "a" are not in increasing t order: "1" comes after the previous row\'s t',
    ],
    [
      'a repeated t',
      'series_id,t,value\na,2,1\na,2,1\n',
      'line 3: rows of series "a" are not in increasing t order: "2" repeats the previous row\'s t',
    ],
    [
      'a bad time',
      'series_id,t,value\na,yesterday,1\n',
      'line 2: t "yesterday" is neither an ISO-8601 timestamp (2024-05-01T12:00:00Z) nor an integer step',
    ],
    [
      'mixed time kinds',
      'series_id,t,value\na,1,1\na,2024-01-01,1\n',
      'line 3: series "a" mixes ISO-8601 timestamps and integer steps in t ("2024-01-01")',
    ],
    ['a short row', 'series_id,t,value\na,1\n', 'line 2: expected 3 columns, found 2'],
    ['an empty id', 'series_id,t,value\n,1,1\n', 'line 2: series_id is empty'],
    ['an empty file', '', 'the file is empty: expected a header row series_id,t,value'],
    ['no data rows', 'series_id,t,value\n', 'the file has a header but no data rows'],
    ['an open quote', 'series_id,t,value\n"a,1,1\n', 'line 2: a quoted field is not closed'],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseLongCsv(text)).toThrow(CsvError);
    expect(() => parseLongCsv(text)).toThrow(message);
  });
});

describe('toRegularSeries', () => {
  it('puts rows on a grid of the inferred step and leaves gaps for missing rows', () => {
    const regular = toRegularSeries({
      id: 'a',
      timeKind: 'step',
      times: [10, 11, 13, 14],
      values: [1, 2, 4, 5],
    });
    expect(regular).toEqual({ startMs: 10, stepMs: 1, values: [1, 2, NaN, 4, 5] });
  });

  it('handles a single row', () => {
    expect(toRegularSeries({ id: 'a', timeKind: 'iso', times: [0], values: [3] })).toEqual({
      startMs: 0,
      stepMs: 60_000,
      values: [3],
    });
  });
});
