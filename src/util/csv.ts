/**
 * The one CSV reader of the command-line tools (forecast, simulate, recommend, bench data): lines, the
 * header, quoting, time parsing, step inference and the error type. Each caller keeps only the meaning of
 * its own columns.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * A problem with a CSV input: the message names the file (when known), the 1-based line (when there is
 * one) and what is wrong, as `FILE: line 3: value "x" is not a number`. Commands exit with code 2 on it.
 */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  readonly line: number | undefined;
  readonly file: string | undefined;
  constructor(
    readonly problem: string,
    where: { line?: number; file?: string } = {},
  ) {
    super(
      [where.file, where.line === undefined ? undefined : `line ${where.line}`, problem]
        .filter((part) => part !== undefined)
        .join(': '),
    );
    this.line = where.line;
    this.file = where.file;
  }
}

/** One data row: its 1-based line number and its cells as written (quotes removed, not trimmed). */
export interface CsvRow {
  line: number;
  cells: string[];
}

export interface CsvTable {
  /** Header cells, trimmed; case is kept (callers decide how to match names). */
  header: string[];
  /** 1-based line of the header. */
  headerLine: number;
  /** Data rows in file order; blank lines (and comment lines, when asked) are left out. */
  rows: CsvRow[];
}

export interface CsvOptions {
  /** Named in every error message. */
  file?: string;
  /** Skip lines whose first non-blank character is `#` (exports often start with a comment). */
  comments?: boolean;
  /** The header the caller expects, e.g. `series_id,t,value`: named when the file is empty. */
  expectedHeader?: string;
}

/**
 * Reads CSV text: `\n` or `\r\n` line ends, the first non-blank line is the header, blank lines are
 * skipped, fields may be double-quoted (see {@link splitCsvLine}). A file with no header is an error.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const lines = text.split(/\r?\n/);
  const skip = (line: string): boolean => {
    const trimmed = line.trim();
    return trimmed === '' || (options.comments === true && trimmed.startsWith('#'));
  };
  const headerIndex = lines.findIndex((line) => !skip(line));
  if (headerIndex < 0) {
    const expected = options.expectedHeader === undefined ? '' : ` ${options.expectedHeader}`;
    throw new CsvError(`the file is empty: expected a header row${expected}`, options);
  }
  const where = (line: number): { line: number; file?: string } =>
    options.file === undefined ? { line } : { line, file: options.file };
  const header = splitCsvLine(lines[headerIndex] as string, where(headerIndex + 1)).map((h) => h.trim());
  const rows: CsvRow[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (skip(raw)) continue;
    rows.push({ line: i + 1, cells: splitCsvLine(raw, where(i + 1)) });
  }
  return { header, headerLine: headerIndex + 1, rows };
}

/**
 * Splits one CSV line on commas. A field may be double-quoted (a quote opening the field, after optional
 * blanks), with `""` for a quote inside; a quote that is never closed is an error.
 */
export function splitCsvLine(line: string, where: { line?: number; file?: string } = {}): string[] {
  if (!line.includes('"')) return line.split(',');
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
  if (quoted) throw new CsvError('a quoted field is not closed', where);
  cells.push(cell);
  return cells;
}

/**
 * Reads a CSV file as text, gzip-compressed or not (detected from the content, not the name). `what`
 * names the file in the error, e.g. `trace` for "cannot read trace FILE: ENOENT".
 */
export function readCsvFile(file: string, what = 'file'): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CsvError(
      `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new CsvError(`cannot decompress ${file}: ${(error as Error).message}`);
    }
  }
  return bytes.toString('utf8');
}

/** A date, optionally with a time and a zone (`Z`, `+02:00`, `+0200`). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Milliseconds since the epoch of an ISO-8601 timestamp (`2024-03-18T00:05:00Z`, `1998-04-30 21:30:00`,
 * `2024-03-18`); one without a zone is read as UTC, never as the machine's local time. NaN when `text`
 * is not such a timestamp.
 */
export function parseIsoTime(text: string): number {
  if (!ISO_8601.test(text)) return NaN;
  const normalised = text.length === 10 ? `${text}T00:00:00` : text.replace(' ', 'T');
  return Date.parse(/([zZ]|[+-]\d{2}:?\d{2})$/.test(normalised) ? normalised : `${normalised}Z`);
}

/**
 * The step of a series from its (sorted) times: the median positive gap between consecutive times,
 * rounded to a multiple of `resolution` (e.g. 1000 for exports whose timestamps jitter by a few
 * milliseconds). The median is robust both to missing rows (up to half of them) and to jitter.
 * Undefined when no time is after the one before it (fewer than two distinct times).
 */
export function inferStep(times: readonly number[], resolution = 1): number | undefined {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] as number) - (times[i - 1] as number);
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  // The lower median, not an interpolated one: always a gap that occurs (two rows 1 and 2 minutes apart
  // are a 1-minute series, not a 90-second one). Not anomaly/robust-stats' median: util/ sits below it.
  return Math.round((gaps[Math.floor((gaps.length - 1) / 2)] as number) / resolution) * resolution;
}
