import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** One strategy's replica counts at each timeline row. */
export interface StrategyTrack {
  name: string;
  /** Replicas the deployment asks for (spec.replicas). */
  desired: Int32Array;
  /** Replicas serving. */
  ready: Int32Array;
  /** Backlog (`queue` only). */
  backlog?: Float64Array;
}

/** The replay sampled every `rowStepMs`: demand and each strategy's replicas. */
export interface Timeline {
  startMs: number;
  rowStepMs: number;
  /** Target per replica: ready × target is the capacity. */
  target: number;
  demand: Float64Array;
  strategies: StrategyTrack[];
}

export function createTrack(name: string, rows: number, withBacklog: boolean): StrategyTrack {
  const track: StrategyTrack = { name, desired: new Int32Array(rows), ready: new Int32Array(rows) };
  if (withBacklog) track.backlog = new Float64Array(rows);
  return track;
}

/** The CSV header: `time,demand`, then `<strategy>_desired`, `<strategy>_ready` (and `_backlog`). */
export function timelineHeader(timeline: Timeline): string {
  const columns = ['time', 'demand'];
  for (const track of timeline.strategies) {
    columns.push(`${track.name}_desired`, `${track.name}_ready`);
    if (track.backlog) columns.push(`${track.name}_backlog`);
  }
  return columns.join(',');
}

/** Writes the timeline as CSV (ISO-8601 UTC times), streaming: long replays have many rows. */
export async function writeTimelineCsv(file: string, timeline: Timeline): Promise<void> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  await write(`${timelineHeader(timeline)}\n`);
  let chunk = '';
  for (let row = 0; row < timeline.demand.length; row++) {
    chunk += timelineRow(timeline, row) + '\n';
    if (chunk.length > 65_536) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

function timelineRow(timeline: Timeline, row: number): string {
  const cells = [
    new Date(timeline.startMs + row * timeline.rowStepMs).toISOString(),
    formatNumber(timeline.demand[row] as number),
  ];
  for (const track of timeline.strategies) {
    cells.push(String(track.desired[row]), String(track.ready[row]));
    if (track.backlog) cells.push(formatNumber(track.backlog[row] as number));
  }
  return cells.join(',');
}

/** Six significant digits: enough for any plot, and keeps long timelines small. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
