import type { RegularSeries } from '../forecast/types';
import { CsvError, inferStep, parseCsv, parseIsoTime } from '../util/csv';
import { formatDuration } from '../util/duration';

/** A usage CSV on a regular grid: one series per resource, NaN where a sample is missing. */
export interface UsageSeries {
  cpu: RegularSeries;
  memory: RegularSeries;
  /** Rows read (after dropping duplicates of the same slot). */
  rows: number;
}

/** Which columns hold CPU cores and memory bytes, when the header does not use the names the tool knows. */
export interface UsageColumns {
  cpu?: string;
  memory?: string;
}

const TIME_COLUMN = 'timestamp';
/** Names read without a flag: this tool's own, then the old forecasting API's 5-minute means. */
const KNOWN_CPU_COLUMNS = ['cpu_cores', 'cpu_mean_5m'];
const KNOWN_MEMORY_COLUMNS = ['memory_bytes', 'mem_mean_5m'];

/** A year of minutes: more than this is not a usage export, and would take long to learn. */
const MAX_SLOTS = 600_000;

/**
 * Reads `timestamp,cpu_cores,memory_bytes`, the old forecasting API's `timestamp,cpu_mean_5m,mem_mean_5m`,
 * or any two columns named in `columns` (any column order; other columns ignored; `#` lines and blank
 * lines skipped; memory in bytes). Timestamps are ISO-8601 (`2024-03-18T00:05:00Z`; without a zone they are read as UTC)
 * or Unix time in seconds or milliseconds. An empty cell is a missing sample. The step is the median gap
 * between rows (to the second); rows off that grid are snapped to the nearest slot, and a later row for the same slot
 * replaces an earlier one.
 */
export function parseUsageCsv(text: string, columns: UsageColumns = {}): UsageSeries {
  const table = parseCsv(text, { comments: true, expectedHeader: 'timestamp,cpu_cores,memory_bytes' });
  const header = table.header.map((h) => h.toLowerCase());
  const find = (named: string | undefined, known: string[]): string | undefined =>
    named !== undefined
      ? header.find((name) => name === named.toLowerCase())
      : known.find((name) => header.includes(name));
  const cpuName = find(columns.cpu, KNOWN_CPU_COLUMNS);
  const memoryName = find(columns.memory, KNOWN_MEMORY_COLUMNS);
  const missing = [
    header.includes(TIME_COLUMN) ? undefined : TIME_COLUMN,
    cpuName === undefined ? describeMissing(columns.cpu, KNOWN_CPU_COLUMNS, '--cpu-column') : undefined,
    memoryName === undefined
      ? describeMissing(columns.memory, KNOWN_MEMORY_COLUMNS, '--memory-column')
      : undefined,
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new CsvError(
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the header is ` +
        `"${header.join(',')}", expected timestamp,cpu_cores,memory_bytes (or timestamp,cpu_mean_5m,mem_mean_5m, ` +
        'or other names given with --cpu-column and --memory-column)',
    );
  }
  const timeColumn = header.indexOf(TIME_COLUMN);
  const cpuColumn = header.indexOf(cpuName as string);
  const memoryColumn = header.indexOf(memoryName as string);

  const rows = table.rows.map(({ line, cells }) => {
    const cell = (column: number): string => (cells[column] ?? '').trim();
    return {
      atMs: parseTimestamp(cell(timeColumn), line),
      cpu: parseValue(cell(cpuColumn), cpuName as string, line),
      memory: parseValue(cell(memoryColumn), memoryName as string, line),
    };
  });
  if (rows.length < 2) {
    throw new CsvError(`found ${rows.length} data row${rows.length === 1 ? '' : 's'}: at least 2 are needed`);
  }
  rows.sort((a, b) => a.atMs - b.atMs);
  const stepMs = commonStep(rows.map((r) => r.atMs));
  const startMs = (rows[0] as { atMs: number }).atMs;
  const slots = Math.round(((rows[rows.length - 1] as { atMs: number }).atMs - startMs) / stepMs) + 1;
  if (slots > MAX_SLOTS) {
    throw new CsvError(
      `the rows span ${slots} steps of ${formatDuration(stepMs)}: at most ${MAX_SLOTS} are accepted ` +
        '(export a shorter period or a coarser step, e.g. 5-minute averages)',
    );
  }
  const cpu = new Array<number>(slots).fill(NaN);
  const memory = new Array<number>(slots).fill(NaN);
  const seen = new Set<number>();
  for (const row of rows) {
    const slot = Math.round((row.atMs - startMs) / stepMs);
    seen.add(slot);
    cpu[slot] = row.cpu;
    memory[slot] = row.memory;
  }
  for (const [name, values] of [
    [cpuName, cpu],
    [memoryName, memory],
  ] as const) {
    if (!values.some((v) => Number.isFinite(v))) throw new CsvError(`column ${name} has no values`);
  }
  return {
    cpu: { startMs, stepMs, values: cpu },
    memory: { startMs, stepMs, values: memory },
    rows: seen.size,
  };
}

function describeMissing(named: string | undefined, known: string[], flag: string): string {
  return named !== undefined ? `${named} (named by ${flag})` : (known[0] as string);
}

function parseTimestamp(text: string, line: number): number {
  let atMs: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Seconds until the year 5138, milliseconds after 1973: no usage export is ambiguous between them.
    atMs = n < 1e11 ? n * 1000 : n;
  } else {
    atMs = parseIsoTime(text);
  }
  if (!Number.isFinite(atMs)) {
    throw new CsvError(
      `timestamp ${JSON.stringify(text)} is not ISO-8601 (2024-03-18T00:05:00Z) or Unix time`,
      { line },
    );
  }
  return atMs;
}

function parseValue(text: string, column: string, line: number): number {
  if (text === '') return NaN;
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new CsvError(`${column} ${JSON.stringify(text)} is not a number`, { line });
  }
  if (value < 0) throw new CsvError(`${column} is ${text}; usage cannot be negative`, { line });
  return value;
}

/** The step ({@link inferStep}) to the second: exports jitter by a few seconds. */
function commonStep(times: number[]): number {
  const step = inferStep(times, 1000);
  if (step === undefined) {
    throw new CsvError(
      'every row has the same timestamp: expected one row per sample (e.g. every 5 minutes)',
    );
  }
  if (step < 1000) {
    throw new CsvError(`rows are ${inferStep(times)} ms apart: samples at least 1 second apart are expected`);
  }
  return step;
}
