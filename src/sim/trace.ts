import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

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

/** A trace that cannot be read: the CLI turns it into exit status 2. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
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
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new TraceError(`cannot read trace ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new TraceError(`cannot decompress ${file}: ${(error as Error).message}`);
    }
  }
  return parseTrace(bytes.toString('utf8'), options);
}

/**
 * Parses CSV text with a header row into a regular trace. Rows are placed on a grid of the inferred step
 * (the most common gap between consecutive times); grid slots without a row are filled with 0, as for
 * request counts where no row means no requests. Timestamps without a zone are read as UTC.
 */
export function parseTrace(text: string, options: TraceOptions): Trace {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '');
  const valueIndex = columnIndex(header, options.valueColumn, '--value-column');
  const timeIndex =
    options.timeColumn === undefined ? undefined : columnIndex(header, options.timeColumn, '--time-column');

  const values: number[] = [];
  const rawTimes: string[] = [];
  const lineNumbers: number[] = [];
  for (let row = 1; row < lines.length; row++) {
    const line = lines[row] as string;
    if (line.trim() === '') continue;
    const cells = line.includes('"') ? splitCsvLine(line) : line.split(',');
    const cell = (cells[valueIndex] ?? '').trim();
    const value = Number(cell);
    if (cell === '' || !Number.isFinite(value)) {
      throw new TraceError(
        `line ${row + 1}: ${options.valueColumn} is ${JSON.stringify(cell)}, not a number`,
      );
    }
    if (value < 0) throw new TraceError(`line ${row + 1}: ${options.valueColumn} is negative (${value})`);
    values.push(value);
    lineNumbers.push(row + 1);
    if (timeIndex !== undefined) rawTimes.push((cells[timeIndex] ?? '').trim());
  }
  if (values.length === 0) throw new TraceError('the trace has a header but no rows');

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
  const { times, format } = parseTimes(rawTimes, lineNumbers, stepGiven ?? DEFAULT_STEP_MS);
  const stepMs = format === 'steps' ? (stepGiven ?? DEFAULT_STEP_MS) : inferStep(times);
  return placeOnGrid(times, values, lineNumbers, stepMs, format);
}

function columnIndex(header: string[], name: string, flag: string): number {
  const index = header.findIndex((h) => h.trim() === name);
  if (index < 0) {
    const shown =
      header.slice(0, 12).join(', ') + (header.length > 12 ? `, … (${header.length} columns)` : '');
    throw new TraceError(`${flag} ${JSON.stringify(name)} is not a column of the trace; columns: ${shown}`);
  }
  return index;
}

/** Decides the time format from the first cell, then reads every cell the same way. */
function parseTimes(
  raw: string[],
  lineNumbers: number[],
  stepMs: number,
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
      throw new TraceError(
        `line ${lineNumbers[i]}: time ${JSON.stringify(cell)} is not ${describeFormat(format)} like the first row`,
      );
    }
    return ms;
  });
  return { times, format };
}

function toMs(cell: string, format: TimeFormat, stepMs: number): number {
  switch (format) {
    case 'iso': {
      // "1998-04-30 21:30:00" has no zone: Date.parse would read it as local time.
      const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(cell);
      const normalised = cell.includes('T') ? cell : cell.replace(' ', 'T');
      return /^\d{4}-\d\d-\d\d/.test(cell) ? Date.parse(hasZone ? normalised : `${normalised}Z`) : NaN;
    }
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

/** The most common positive gap between consecutive rows: robust to a few missing rows. */
function inferStep(times: number[]): number {
  if (times.length < 2) return DEFAULT_STEP_MS;
  const counts = new Map<number, number>();
  for (let i = 1; i < times.length && i <= 10_000; i++) {
    const gap = Math.round((times[i] as number) - (times[i - 1] as number));
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && gap < best)) {
      best = gap;
      bestCount = count;
    }
  }
  if (best === 0) throw new TraceError('cannot infer the step: the time column never increases');
  return best;
}

function placeOnGrid(
  times: number[],
  values: number[],
  lineNumbers: number[],
  stepMs: number,
  format: TimeFormat,
): Trace {
  const startMs = times[0] as number;
  const slotOf = times.map((t) => Math.round((t - startMs) / stepMs));
  for (let i = 1; i < slotOf.length; i++) {
    if ((slotOf[i] as number) <= (slotOf[i - 1] as number)) {
      throw new TraceError(
        `line ${lineNumbers[i]}: time is not after the previous row's (rows must be in time order, one per step)`,
      );
    }
  }
  const slots = (slotOf[slotOf.length - 1] as number) + 1;
  if (slots > MAX_SLOTS) {
    throw new TraceError(`the time column spans ${slots} steps of ${stepMs} ms; at most ${MAX_SLOTS} fit`);
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

/** Splits one CSV line, honouring double-quoted fields with `""` escapes. */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}
