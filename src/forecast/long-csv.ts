import type { RegularSeries } from './types';

/** A CSV problem, with the 1-based line it was found on. The forecast CLI exits with code 2 on it. */
export class CsvInputError extends Error {
  override readonly name = 'CsvInputError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

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
/** A date, optionally with a time and zone: what `Date.parse` reads reliably. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads a long-format CSV (`series_id,t,value` in any column order, other columns ignored, quoted fields
 * allowed). Rows of one series must be in increasing `t` order; series may be interleaved and come back
 * in the order they first appear. An empty value cell is a missing sample; anything else that is not a
 * finite number is an error.
 */
export function parseLongCsv(text: string): LongSeries[] {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim().length > 0);
  if (headerIndex < 0) throw new CsvInputError('the file is empty: expected a header row series_id,t,value');
  const header = splitCsvLine(lines[headerIndex] as string, headerIndex + 1).map((h) =>
    h.trim().toLowerCase(),
  );
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvInputError(
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the header must name series_id, t and value (found ${header.join(', ')})`,
      headerIndex + 1,
    );
  }
  const idColumn = header.indexOf('series_id');
  const timeColumn = header.indexOf('t');
  const valueColumn = header.indexOf('value');
  const byId = new Map<string, LongSeries>();
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim().length === 0) continue;
    const lineNumber = i + 1;
    const cells = splitCsvLine(raw, lineNumber);
    if (cells.length < header.length) {
      throw new CsvInputError(`expected ${header.length} columns, found ${cells.length}`, lineNumber);
    }
    const id = (cells[idColumn] as string).trim();
    if (id.length === 0) throw new CsvInputError('series_id is empty', lineNumber);
    const timeCell = (cells[timeColumn] as string).trim();
    const { kind, time } = parseTime(timeCell, lineNumber);
    const value = parseValue((cells[valueColumn] as string).trim(), lineNumber);
    let series = byId.get(id);
    if (series === undefined) {
      series = { id, timeKind: kind, times: [], values: [] };
      byId.set(id, series);
    } else if (series.timeKind !== kind) {
      throw new CsvInputError(
        `series ${JSON.stringify(id)} mixes ISO-8601 timestamps and integer steps in t (${JSON.stringify(timeCell)})`,
        lineNumber,
      );
    }
    const previous = series.times[series.times.length - 1];
    if (previous !== undefined && !(time > previous)) {
      throw new CsvInputError(
        `rows of series ${JSON.stringify(id)} are not in increasing t order: ${JSON.stringify(timeCell)} ` +
          `${time === previous ? 'repeats' : 'comes after'} the previous row's t`,
        lineNumber,
      );
    }
    series.times.push(time);
    series.values.push(value);
  }
  if (byId.size === 0) throw new CsvInputError('the file has a header but no data rows');
  return [...byId.values()];
}

/**
 * Places a series on a regular grid: the step is the smallest gap between consecutive rows, each row goes
 * to its nearest grid slot (a later row landing on a taken slot replaces it), empty slots are gaps.
 */
export function toRegularSeries(series: LongSeries): RegularSeries {
  const times = series.times;
  const start = times[0] as number;
  let step = Infinity;
  for (let i = 1; i < times.length; i++)
    step = Math.min(step, (times[i] as number) - (times[i - 1] as number));
  if (!Number.isFinite(step)) step = series.timeKind === 'step' ? 1 : 60_000;
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
      throw new CsvInputError(`t ${JSON.stringify(cell)} is too large a step`, line);
    return { kind: 'step', time: step };
  }
  if (ISO_8601.test(cell)) {
    // A timestamp without a zone is read as UTC, never as the machine's local time.
    const normalised = cell.length === 10 ? `${cell}T00:00:00` : cell.replace(' ', 'T');
    const time = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(normalised) ? normalised : `${normalised}Z`);
    if (Number.isFinite(time)) return { kind: 'iso', time };
  }
  throw new CsvInputError(
    `t ${JSON.stringify(cell)} is neither an ISO-8601 timestamp (2024-05-01T12:00:00Z) nor an integer step`,
    line,
  );
}

function parseValue(cell: string, line: number): number {
  if (cell.length === 0) return NaN;
  const value = Number(cell);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) || !Number.isFinite(value)) {
    throw new CsvInputError(
      `value ${JSON.stringify(cell)} is not a number (leave the cell empty for a missing sample)`,
      line,
    );
  }
  return value;
}

/** Splits one CSV line; fields may be double-quoted, with "" for a quote inside. */
export function splitCsvLine(line: string, lineNumber: number): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"' && cell.trim().length === 0) {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  if (quoted) throw new CsvInputError('a quoted field is not closed', lineNumber);
  cells.push(cell);
  return cells;
}
