import { CsvError, inferStep, parseCsv, parseIsoTime } from '../util/csv';
import type { RegularSeries } from './types';

/** One series of a long-format file, as read. */
export interface LongSeries {
  id: string;
  /** `iso`: `t` are ISO-8601 timestamps (ms since the epoch); `step`: `t` are integer step numbers. */
  timeKind: 'iso' | 'step';
  times: number[];
  /** NaN where the value cell was empty. */
  values: number[];
}

const REQUIRED_COLUMNS = ['series_id', 't', 'value'] as const;
const INTEGER = /^[+-]?\d+$/;

/**
 * Reads a long-format CSV (`series_id,t,value` in any column order, other columns ignored, quoted fields
 * allowed). Rows of one series must be in increasing `t` order; series may be interleaved and come back
 * in the order they first appear. An empty value cell is a missing sample; anything else that is not a
 * finite number is an error.
 */
export function parseLongCsv(text: string): LongSeries[] {
  const table = parseCsv(text, { expectedHeader: REQUIRED_COLUMNS.join(',') });
  const header = table.header.map((h) => h.toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvError(
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the header must name series_id, t and value (found ${header.join(', ')})`,
      { line: table.headerLine },
    );
  }
  const idColumn = header.indexOf('series_id');
  const timeColumn = header.indexOf('t');
  const valueColumn = header.indexOf('value');
  const byId = new Map<string, LongSeries>();
  for (const { line: lineNumber, cells } of table.rows) {
    if (cells.length < header.length) {
      throw new CsvError(`expected ${header.length} columns, found ${cells.length}`, { line: lineNumber });
    }
    const id = (cells[idColumn] as string).trim();
    if (id.length === 0) throw new CsvError('series_id is empty', { line: lineNumber });
    const timeCell = (cells[timeColumn] as string).trim();
    const { kind, time } = parseTime(timeCell, lineNumber);
    const value = parseValue((cells[valueColumn] as string).trim(), lineNumber);
    let series = byId.get(id);
    if (series === undefined) {
      series = { id, timeKind: kind, times: [], values: [] };
      byId.set(id, series);
    } else if (series.timeKind !== kind) {
      throw new CsvError(
        `series ${JSON.stringify(id)} mixes ISO-8601 timestamps and integer steps in t (${JSON.stringify(timeCell)})`,
        { line: lineNumber },
      );
    }
    const previous = series.times[series.times.length - 1];
    if (previous !== undefined && !(time > previous)) {
      throw new CsvError(
        `rows of series ${JSON.stringify(id)} are not in increasing t order: ${JSON.stringify(timeCell)} ` +
          `${time === previous ? 'repeats' : 'comes after'} the previous row's t`,
        { line: lineNumber },
      );
    }
    series.times.push(time);
    series.values.push(value);
  }
  if (byId.size === 0) throw new CsvError('the file has a header but no data rows');
  return [...byId.values()];
}

/**
 * Places a series on a regular grid: the step is inferred from the times ({@link inferStep}: the median
 * gap between consecutive rows), each row goes to its nearest grid slot (a later row landing on a taken
 * slot replaces it), empty slots are gaps.
 */
export function toRegularSeries(series: LongSeries): RegularSeries {
  const times = series.times;
  const start = times[0] as number;
  const step = inferStep(times) ?? (series.timeKind === 'step' ? 1 : 60_000);
  const length = Math.round(((times[times.length - 1] as number) - start) / step) + 1;
  const values = new Array<number>(length).fill(NaN);
  for (let i = 0; i < times.length; i++) {
    values[Math.round(((times[i] as number) - start) / step)] = series.values[i] as number;
  }
  return { startMs: start, stepMs: step, values };
}

function parseTime(cell: string, line: number): { kind: LongSeries['timeKind']; time: number } {
  if (INTEGER.test(cell)) {
    const step = Number(cell);
    if (!Number.isSafeInteger(step))
      throw new CsvError(`t ${JSON.stringify(cell)} is too large a step`, { line });
    return { kind: 'step', time: step };
  }
  const time = parseIsoTime(cell);
  if (Number.isFinite(time)) return { kind: 'iso', time };
  throw new CsvError(
    `t ${JSON.stringify(cell)} is neither an ISO-8601 timestamp (2024-05-01T12:00:00Z) nor an integer step`,
    { line },
  );
}

function parseValue(cell: string, line: number): number {
  if (cell.length === 0) return NaN;
  const value = Number(cell);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) || !Number.isFinite(value)) {
    throw new CsvError(
      `value ${JSON.stringify(cell)} is not a number (leave the cell empty for a missing sample)`,
      { line },
    );
  }
  return value;
}
