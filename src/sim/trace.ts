import { CsvError, inferStep, parseCsv, parseIsoTime, readCsvFile } from '../util/csv';
import { formatDuration } from '../util/duration';

/** How the rows of a trace were placed in time. */
export type TimeFormat = 'iso' | 'epoch-seconds' | 'epoch-millis' | 'steps' | 'row-index';

/** A regularly sampled trace: `values[i]` holds from `startMs + i * stepMs` until the next sample. */
export interface Trace {
  startMs: number;
  stepMs: number;
  values: Float64Array;
  timeFormat: TimeFormat;
  /** Slots of the time grid no row fell on; they are filled with 0 (no row, no demand). */
  filledGaps: number;
}

export interface TraceOptions {
  /** Column holding the demand. */
  valueColumn: string;
  /** Column holding ISO-8601 timestamps, epoch seconds (or milliseconds) or integer steps. */
  timeColumn?: string;
  /**
   * Step of integer-step times and of traces without a time column; with timestamps it is inferred.
   * @default 60 000 ms
   */
  stepMs?: number;
}

/** Integers from here up are epoch seconds, from `EPOCH_MILLIS_FROM` up epoch milliseconds; below, steps. */
const EPOCH_SECONDS_FROM = 1e8;
const EPOCH_MILLIS_FROM = 1e11;
/** Guards against a stray timestamp years away turning into a grid that fills the memory. */
const MAX_SLOTS = 20_000_000;
const DEFAULT_STEP_MS = 60_000;
/**
 * Where traces without absolute times start: Monday 2000-01-03 00:00 UTC, so "day 0" is a Monday and
 * the replay never asks the store for history before 1970.
 */
export const NOMINAL_ORIGIN_MS = Date.UTC(2000, 0, 3);

/** Reads a CSV trace, gzip-compressed or not (detected from the content, not the name). */
export function loadTrace(file: string, options: TraceOptions): Trace {
  return parseTrace(readCsvFile(file, 'trace'), options, file);
}

/**
 * Parses CSV text with a header row into a regular trace. Rows are placed on a grid of the inferred step
 * ({@link inferStep}: the median gap between consecutive times); grid slots without a row are filled
 * with 0, as for request counts where no row means no requests. Timestamps without a zone are read as UTC.
 * `file`, when given, is named in errors.
 */
export function parseTrace(text: string, options: TraceOptions, file?: string): Trace {
  const where = (line?: number): { line?: number; file?: string } => ({
    ...(line === undefined ? {} : { line }),
    ...(file === undefined ? {} : { file }),
  });
  const table = parseCsv(text, where());
  const header = table.header;
  const valueIndex = columnIndex(header, options.valueColumn, '--value-column', where());
  const timeIndex =
    options.timeColumn === undefined
      ? undefined
      : columnIndex(header, options.timeColumn, '--time-column', where());

  const values: number[] = [];
  const rawTimes: string[] = [];
  const lineNumbers: number[] = [];
  for (const { line, cells } of table.rows) {
    const cell = (cells[valueIndex] ?? '').trim();
    const value = Number(cell);
    if (cell === '' || !Number.isFinite(value)) {
      throw new CsvError(`${options.valueColumn} is ${JSON.stringify(cell)}, not a number`, where(line));
    }
    if (value < 0) throw new CsvError(`${options.valueColumn} is negative (${value})`, where(line));
    values.push(value);
    lineNumbers.push(line);
    if (timeIndex !== undefined) rawTimes.push((cells[timeIndex] ?? '').trim());
  }
  if (values.length === 0) throw new CsvError('the trace has a header but no rows', where());

  const stepGiven = options.stepMs;
  if (timeIndex === undefined) {
    return {
      startMs: NOMINAL_ORIGIN_MS,
      stepMs: stepGiven ?? DEFAULT_STEP_MS,
      values: Float64Array.from(values),
      timeFormat: 'row-index',
      filledGaps: 0,
    };
  }
  const { times, format } = parseTimes(rawTimes, lineNumbers, stepGiven ?? DEFAULT_STEP_MS, where);
  let stepMs = stepGiven ?? DEFAULT_STEP_MS;
  if (format !== 'steps' && times.length >= 2) {
    const inferred = inferStep(times);
    if (inferred === undefined) {
      throw new CsvError('cannot infer the step: the time column never increases', where());
    }
    stepMs = inferred;
  } else if (format !== 'steps') {
    stepMs = DEFAULT_STEP_MS;
  }
  return placeOnGrid(times, values, lineNumbers, stepMs, format, where);
}

function columnIndex(
  header: string[],
  name: string,
  flag: string,
  where: { line?: number; file?: string },
): number {
  const index = header.indexOf(name);
  if (index < 0) {
    const shown =
      header.slice(0, 12).join(', ') + (header.length > 12 ? `, … (${header.length} columns)` : '');
    throw new CsvError(
      `${flag} ${JSON.stringify(name)} is not a column of the trace; columns: ${shown}`,
      where,
    );
  }
  return index;
}

/** Decides the time format from the first cell, then reads every cell the same way. */
function parseTimes(
  raw: string[],
  lineNumbers: number[],
  stepMs: number,
  where: (line?: number) => { line?: number; file?: string },
): { times: number[]; format: TimeFormat } {
  const first = raw[0] as string;
  const numeric = first !== '' && Number.isFinite(Number(first));
  let format: TimeFormat;
  if (!numeric) format = 'iso';
  else if (Math.abs(Number(first)) >= EPOCH_MILLIS_FROM) format = 'epoch-millis';
  else if (Math.abs(Number(first)) >= EPOCH_SECONDS_FROM) format = 'epoch-seconds';
  else format = 'steps';
  const times = raw.map((cell, i) => {
    const ms = toMs(cell, format, stepMs);
    if (!Number.isFinite(ms)) {
      throw new CsvError(
        `time ${JSON.stringify(cell)} is not ${describeFormat(format)} like the first row`,
        where(lineNumbers[i]),
      );
    }
    return ms;
  });
  return { times, format };
}

function toMs(cell: string, format: TimeFormat, stepMs: number): number {
  switch (format) {
    case 'iso':
      return parseIsoTime(cell);
    case 'epoch-seconds':
      return cell === '' ? NaN : Number(cell) * 1000;
    case 'epoch-millis':
      return cell === '' ? NaN : Number(cell);
    case 'steps': {
      const step = cell === '' ? NaN : Number(cell);
      return Number.isInteger(step) ? NOMINAL_ORIGIN_MS + step * stepMs : NaN;
    }
    case 'row-index':
      return NaN;
  }
}

function describeFormat(format: TimeFormat): string {
  return {
    iso: 'an ISO-8601 timestamp',
    'epoch-seconds': 'epoch seconds',
    'epoch-millis': 'epoch milliseconds',
    steps: 'an integer step',
    'row-index': 'a row index',
  }[format];
}

function placeOnGrid(
  times: number[],
  values: number[],
  lineNumbers: number[],
  stepMs: number,
  format: TimeFormat,
  where: (line?: number) => { line?: number; file?: string },
): Trace {
  const startMs = times[0] as number;
  const slotOf = times.map((t) => Math.round((t - startMs) / stepMs));
  for (let i = 1; i < slotOf.length; i++) {
    if ((slotOf[i] as number) <= (slotOf[i - 1] as number)) {
      throw new CsvError(
        "time is not after the previous row's (rows must be in time order, one per step)",
        where(lineNumbers[i]),
      );
    }
  }
  const slots = (slotOf[slotOf.length - 1] as number) + 1;
  if (slots > MAX_SLOTS) {
    throw new CsvError(
      `the time column spans ${slots} steps of ${formatDuration(stepMs)}; at most ${MAX_SLOTS} fit`,
      where(),
    );
  }
  const grid = new Float64Array(slots).fill(NaN);
  for (let i = 0; i < slotOf.length; i++) grid[slotOf[i] as number] = values[i] as number;
  let filledGaps = 0;
  for (let i = 0; i < grid.length; i++) {
    if (Number.isNaN(grid[i] as number)) {
      grid[i] = 0;
      filledGaps++;
    }
  }
  return { startMs, stepMs, values: grid, timeFormat: format, filledGaps };
}
