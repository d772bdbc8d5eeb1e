import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export const AZURE_FILE = 'azure_vm_cpu_v1/microsoft_avg_100.csv.gz';
export const WORLDCUP_FILE = 'worldcup98/invocation_count.csv';

/** Files the benchmark needs that are missing from `dataDir` (empty when all are there). */
export function missingFiles(dataDir: string): string[] {
  return [AZURE_FILE, WORLDCUP_FILE].filter((f) => !existsSync(path.join(dataDir, f)));
}

/** Average CPU % of the 100 Azure VMs, one 5-minute series per VM (no absolute time: step 0 at t = 0). */
export function loadAzureCpu(dataDir: string): { ids: string[]; series: Float64Array[]; stepMs: number } {
  const text = gunzipSync(readFileSync(path.join(dataDir, AZURE_FILE))).toString('utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const ids = header.slice(1);
  const series = ids.map(() => new Float64Array(lines.length - 1));
  for (let r = 1; r < lines.length; r++) {
    const cells = (lines[r] as string).split(',');
    for (let c = 0; c < ids.length; c++) {
      const cell = cells[c + 1];
      (series[c] as Float64Array)[r - 1] = cell === undefined || cell === '' ? NaN : Number(cell);
    }
  }
  return { ids, series, stepMs: 5 * 60_000 };
}

/**
 * WorldCup98 requests per minute; the 10 missing minutes are filled with 0 as the data README says.
 * Timestamps are GMT.
 */
export function loadWorldCup(dataDir: string): { startMs: number; perMinute: Float64Array } {
  const lines = readFileSync(path.join(dataDir, WORLDCUP_FILE), 'utf8').split('\n').slice(1);
  const rows = lines.filter((l) => l.length > 0).map((l) => l.split(','));
  const time = (s: string): number => Date.parse(`${s.replace(' ', 'T')}Z`);
  const startMs = time((rows[0] as string[])[0] as string);
  const endMs = time((rows[rows.length - 1] as string[])[0] as string);
  const perMinute = new Float64Array((endMs - startMs) / 60_000 + 1);
  for (const row of rows) perMinute[(time(row[0] as string) - startMs) / 60_000] = Number(row[1]);
  return { startMs, perMinute };
}

/** Sums of `factor` consecutive samples (WorldCup requests per 5 minutes, as in the README baselines). */
export function sumBlocks(values: Float64Array, factor: number): Float64Array {
  const out = new Float64Array(Math.floor(values.length / factor));
  for (let b = 0; b < out.length; b++) {
    let sum = 0;
    for (let i = 0; i < factor; i++) sum += values[b * factor + i] as number;
    out[b] = sum;
  }
  return out;
}
