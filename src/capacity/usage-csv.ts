import type { RegularSeries } from '../forecast/types';

/** Bad input to the `recommend` tool; the message says what is wrong and where. */
export class UsageInputError extends Error {
  override readonly name = 'UsageInputError';
}

/** A usage CSV on a regular grid: one series per resource, NaN where a sample is missing. */
export interface UsageSeries {
  cpu: RegularSeries;
  memory: RegularSeries;
  /** Rows read (after dropping duplicates of the same slot). */
  rows: number;
}

/** The columns a usage CSV must have. */
const USAGE_COLUMNS = ['timestamp', 'cpu_cores', 'memory_bytes'] as const;

/** A year of minutes: more than this is not a usage export, and would take long to learn. */
const MAX_SLOTS = 600_000;

/**
 * Reads `timestamp,cpu_cores,memory_bytes` (any column order; other columns ignored; `#` lines and blank
 * lines skipped). Timestamps are ISO-8601 (`2024-03-18T00:05:00Z`; without a zone they are read as UTC)
 * or Unix time in seconds or milliseconds. An empty cell is a missing sample. The step is the median gap
 * between rows (to the second); rows off that grid are snapped to the nearest slot, and a later row for the same slot
 * replaces an earlier one.
 */
export function parseUsageCsv(text: string): UsageSeries {
  const lines = text.split(/\r?\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line !== '' && !line.startsWith('#')) {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0)
    throw new UsageInputError(`the input is empty: expected a header ${USAGE_COLUMNS.join(',')}`);
  const header = splitRow(lines[headerLine] as string).map((h) => h.toLowerCase());
  const index = USAGE_COLUMNS.map((name) => header.indexOf(name));
  const missing = USAGE_COLUMNS.filter((_, i) => index[i] === -1);
  if (missing.length > 0) {
    throw new UsageInputError(
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the header is ` +
        `"${header.join(',')}", expected ${USAGE_COLUMNS.join(',')}`,
    );
  }
  const [timeColumn, cpuColumn, memoryColumn] = index as [number, number, number];

  const rows: Array<{ atMs: number; cpu: number; memory: number }> = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = splitRow(line);
    const where = `line ${i + 1}`;
    rows.push({
      atMs: parseTimestamp(cells[timeColumn] ?? '', where),
      cpu: parseValue(cells[cpuColumn] ?? '', 'cpu_cores', where),
      memory: parseValue(cells[memoryColumn] ?? '', 'memory_bytes', where),
    });
  }
  if (rows.length < 2) {
    throw new UsageInputError(
      `found ${rows.length} data row${rows.length === 1 ? '' : 's'}: at least 2 are needed`,
    );
  }
  rows.sort((a, b) => a.atMs - b.atMs);
  const stepMs = commonStep(rows.map((r) => r.atMs));
  const startMs = (rows[0] as { atMs: number }).atMs;
  const slots = Math.round(((rows[rows.length - 1] as { atMs: number }).atMs - startMs) / stepMs) + 1;
  if (slots > MAX_SLOTS) {
    throw new UsageInputError(
      `the rows span ${slots} steps of ${stepMs / 1000}s: at most ${MAX_SLOTS} are accepted ` +
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
    ['cpu_cores', cpu],
    ['memory_bytes', memory],
  ] as const) {
    if (!values.some((v) => Number.isFinite(v))) throw new UsageInputError(`column ${name} has no values`);
  }
  return {
    cpu: { startMs, stepMs, values: cpu },
    memory: { startMs, stepMs, values: memory },
    rows: seen.size,
  };
}

function splitRow(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
}

function parseTimestamp(text: string, where: string): number {
  let atMs: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Seconds until the year 5138, milliseconds after 1973: no usage export is ambiguous between them.
    atMs = n < 1e11 ? n * 1000 : n;
  } else if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    // Date.parse reads a date-time without a zone as local time; usage exports are UTC unless they say so.
    const iso = text.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T');
    const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`;
    atMs = Date.parse(zoned);
  } else {
    atMs = NaN;
  }
  if (!Number.isFinite(atMs)) {
    throw new UsageInputError(
      `${where}: timestamp ${JSON.stringify(text)} is not ISO-8601 (2024-03-18T00:05:00Z) or Unix time`,
    );
  }
  return atMs;
}

function parseValue(text: string, column: string, where: string): number {
  if (text === '') return NaN;
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new UsageInputError(`${where}: ${column} ${JSON.stringify(text)} is not a number`);
  }
  if (value < 0) throw new UsageInputError(`${where}: ${column} is ${text}; usage cannot be negative`);
  return value;
}

/** The median positive gap between consecutive timestamps, to the second: exports jitter by a few seconds. */
function commonStep(times: number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] as number) - (times[i - 1] as number);
    if (gap > 0) gaps.push(gap);
  }
  gaps.sort((a, b) => a - b);
  const median =
    gaps.length === 0 ? 0 : Math.round((gaps[Math.floor((gaps.length - 1) / 2)] as number) / 1000) * 1000;
  if (median < 1000) {
    throw new UsageInputError(
      gaps.length === 0
        ? 'every row has the same timestamp: expected one row per sample (e.g. every 5 minutes)'
        : `rows are ${gaps[Math.floor((gaps.length - 1) / 2)]} ms apart: samples at least 1 second apart are expected`,
    );
  }
  return median;
}
