import type { StrategyScore } from './score';
import type { Timeline } from './timeline';

export interface SvgOptions {
  title: string;
  /** A line under the title: the trace and the settings. */
  subtitle?: string;
  /** Strategies drawn, in order. @default reactive, predictive, oracle */
  strategies?: readonly string[];
  /** Figures shown in the legend, by strategy name. */
  scores?: ReadonlyMap<string, StrategyScore>;
  /** Label times from the trace start (traces without timestamps). @default false */
  relativeTime?: boolean;
  /** Unit of the demand axis. @default "demand" */
  unit?: string;
}

const WIDTH = 1200;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 80, right: 24, top: 30, bottom: 44 };
/** At most this many points per line: one per horizontal pixel or so. */
const MAX_POINTS = 1000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const STYLE: Record<string, { color: string; dash?: string }> = {
  reactive: { color: '#d95f02' },
  predictive: { color: '#1f78b4' },
  oracle: { color: '#6a3d9a', dash: '6 4' },
};
const FALLBACK_COLORS = ['#33a02c', '#e31a1c', '#b15928', '#a6cee3'];

interface Panel {
  title: string;
  fromRow: number;
  toRow: number;
}

/**
 * Demand (grey area) and ready capacity (ready replicas × target, one line per strategy) over time. Long
 * replays get a second panel: the day on which reactive scaling was short of capacity longest, where the
 * difference between the strategies shows. Lines are bucket means, so a plot never has more points than
 * pixels.
 */
export function renderSvg(timeline: Timeline, options: SvgOptions): string {
  const names = (options.strategies ?? ['reactive', 'predictive', 'oracle']).filter((name) =>
    timeline.strategies.some((s) => s.name === name),
  );
  const rows = timeline.demand.length;
  const panels: Panel[] = [{ title: 'whole replay', fromRow: 0, toRow: rows }];
  const zoom = worstDay(timeline);
  if (zoom) {
    const day = new Date(timeline.startMs + zoom.fromRow * timeline.rowStepMs).toISOString().slice(0, 16);
    const from = options.relativeTime ? '' : ` (from ${day.replace('T', ' ')} UTC)`;
    panels.push({ title: `the 24 hours in which reactive scaling was short longest${from}`, ...zoom });
  }

  const legendHeight = 22 * names.length + 16;
  const subtitle = options.subtitle === undefined ? [] : wrap(options.subtitle, 150);
  const headerHeight = 44 + 20 * subtitle.length;
  const height = headerHeight + legendHeight + panels.length * (PANEL_HEIGHT + 12);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="28" font-size="18" font-weight="bold">${escape(options.title)}</text>`,
  );
  subtitle.forEach((line, i) => {
    out.push(`<text x="${MARGIN.left}" y="${50 + 20 * i}" fill="#444">${escape(line)}</text>`);
  });
  out.push(legend(names, options.scores, headerHeight));
  let top = headerHeight + legendHeight;
  for (const panel of panels) {
    out.push(renderPanel(timeline, names, panel, top, options));
    top += PANEL_HEIGHT + 12;
  }
  out.push('</svg>');
  return out.join('\n');
}

function legend(
  names: string[],
  scores: ReadonlyMap<string, StrategyScore> | undefined,
  top: number,
): string {
  const parts: string[] = [];
  let y = top + 6;
  parts.push(
    `<rect x="${MARGIN.left}" y="${y - 10}" width="24" height="12" fill="#cccccc"/>`,
    `<text x="${MARGIN.left + 32}" y="${y}">demand</text>`,
  );
  y += 22;
  names.forEach((name, i) => {
    const style = styleOf(name, i);
    const score = scores?.get(name);
    const figures = score
      ? ` — short of capacity ${percent(score.underProvisionedTimeshare)} of the time, ` +
        `${percent(score.unservedFraction)} of demand unserved, ${score.replicaHours.toFixed(1)} replica-hours, ` +
        `${score.coldStarts} cold starts`
      : '';
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y - 4}" x2="${MARGIN.left + 24}" y2="${y - 4}" stroke="${style.color}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
      `<text x="${MARGIN.left + 32}" y="${y}"><tspan font-weight="bold">${escape(name)}</tspan> ready capacity${escape(figures)}</text>`,
    );
    y += 22;
  });
  return parts.join('\n');
}

function renderPanel(
  timeline: Timeline,
  names: string[],
  panel: Panel,
  top: number,
  options: SvgOptions,
): string {
  const { fromRow, toRow } = panel;
  const plotLeft = MARGIN.left;
  const plotRight = WIDTH - MARGIN.right;
  const plotTop = top + MARGIN.top;
  const plotBottom = top + PANEL_HEIGHT - MARGIN.bottom;
  const buckets = Math.max(1, Math.min(MAX_POINTS, toRow - fromRow));
  const perBucket = (toRow - fromRow) / buckets;

  const demand = bucketMeans(fromRow, buckets, perBucket, (r) => timeline.demand[r] as number);
  const capacities = names.map((name) => {
    const track = timeline.strategies.find((s) => s.name === name);
    return bucketMeans(
      fromRow,
      buckets,
      perBucket,
      (r) => ((track?.ready[r] as number) ?? 0) * timeline.target,
    );
  });
  let maxValue = 0;
  for (const series of [demand, ...capacities]) for (const v of series) maxValue = Math.max(maxValue, v);
  const yTicks = niceTicks(maxValue);
  const yMax = yTicks[yTicks.length - 1] ?? 1;

  const startMs = timeline.startMs + fromRow * timeline.rowStepMs;
  const spanMs = (toRow - fromRow) * timeline.rowStepMs;
  const x = (i: number): number => plotLeft + ((i + 0.5) / buckets) * (plotRight - plotLeft);
  const y = (v: number): number => plotBottom - (v / yMax) * (plotBottom - plotTop);

  const out: string[] = [];
  out.push(`<g>`);
  out.push(`<text x="${plotLeft}" y="${top + 18}" font-weight="bold">${escape(panel.title)}</text>`);
  for (const tick of yTicks) {
    out.push(
      `<line x1="${plotLeft}" y1="${y(tick).toFixed(1)}" x2="${plotRight}" y2="${y(tick).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${plotLeft - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" fill="#444">${formatValue(tick)}</text>`,
    );
  }
  for (const tick of timeTicks(startMs, spanMs, options.relativeTime === true, timeline.startMs)) {
    const px = plotLeft + ((tick.atMs - startMs) / spanMs) * (plotRight - plotLeft);
    out.push(
      `<line x1="${px.toFixed(1)}" y1="${plotTop}" x2="${px.toFixed(1)}" y2="${plotBottom}" stroke="#f0f0f0"/>`,
      `<text x="${px.toFixed(1)}" y="${plotBottom + 18}" text-anchor="middle" fill="#444">${escape(tick.label)}</text>`,
    );
  }
  const area = demand.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  out.push(
    `<polygon fill="#cccccc" points="${x(0).toFixed(1)},${plotBottom} ${area.join(' ')} ${x(buckets - 1).toFixed(1)},${plotBottom}"/>`,
  );
  capacities.forEach((series, i) => {
    const style = styleOf(names[i] as string, i);
    const points = series.map((v, j) => `${x(j).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(
      `<polyline fill="none" stroke="${style.color}" stroke-width="1.6"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''} points="${points}"/>`,
    );
  });
  out.push(
    `<line x1="${plotLeft}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}" stroke="#333"/>`,
    `<line x1="${plotLeft}" y1="${plotTop}" x2="${plotLeft}" y2="${plotBottom}" stroke="#333"/>`,
    `<text x="${(plotLeft + plotRight) / 2}" y="${plotBottom + 36}" text-anchor="middle" fill="#222">${options.relativeTime ? 'time since the start of the trace' : 'time (UTC)'}</text>`,
    `<text transform="translate(${plotLeft - 62},${(plotTop + plotBottom) / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escape(options.unit ?? 'demand')} / capacity</text>`,
  );
  out.push('</g>');
  return out.join('\n');
}

function bucketMeans(
  fromRow: number,
  buckets: number,
  perBucket: number,
  value: (row: number) => number,
): number[] {
  const means: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const first = fromRow + Math.floor(b * perBucket);
    const last = Math.max(first + 1, fromRow + Math.floor((b + 1) * perBucket));
    let sum = 0;
    for (let r = first; r < last; r++) sum += value(r);
    means.push(sum / (last - first));
  }
  return means;
}

/** The 24 hours (starting on a whole hour of the replay) in which `reactive` was short longest. */
function worstDay(timeline: Timeline): { fromRow: number; toRow: number } | undefined {
  const rows = timeline.demand.length;
  const perDay = Math.round(DAY_MS / timeline.rowStepMs);
  const perHour = Math.max(1, Math.round(HOUR_MS / timeline.rowStepMs));
  const reactive = timeline.strategies.find((s) => s.name === 'reactive');
  if (!reactive || rows < 2 * perDay) return undefined;
  const short = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    const under = (timeline.demand[r] as number) > (reactive.ready[r] as number) * timeline.target;
    short[r + 1] = (short[r] as number) + (under ? 1 : 0);
  }
  let best = 0;
  let bestCount = -1;
  for (let from = 0; from + perDay <= rows; from += perHour) {
    const count = (short[from + perDay] as number) - (short[from] as number);
    if (count > bestCount) {
      best = from;
      bestCount = count;
    }
  }
  return { fromRow: best, toRow: best + perDay };
}

/** About five round values from 0 to at least `max`. */
function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function timeTicks(
  startMs: number,
  spanMs: number,
  relative: boolean,
  originMs: number,
): Array<{ atMs: number; label: string }> {
  const steps = [
    60_000,
    5 * 60_000,
    10 * 60_000,
    30 * 60_000,
    HOUR_MS,
    2 * HOUR_MS,
    3 * HOUR_MS,
    6 * HOUR_MS,
    DAY_MS,
    2 * DAY_MS,
    7 * DAY_MS,
    14 * DAY_MS,
  ];
  const step = steps.find((s) => spanMs / s <= 12) ?? 28 * DAY_MS;
  const base = relative ? originMs : 0;
  const ticks: Array<{ atMs: number; label: string }> = [];
  for (let at = base + Math.ceil((startMs - base) / step) * step; at <= startMs + spanMs; at += step) {
    ticks.push({ atMs: at, label: relative ? relativeLabel(at - originMs, step) : absoluteLabel(at, step) });
  }
  return ticks;
}

function absoluteLabel(atMs: number, step: number): string {
  const iso = new Date(atMs).toISOString();
  if (step >= DAY_MS) return iso.slice(5, 10);
  if (atMs % DAY_MS === 0) return `${iso.slice(5, 10)} 00:00`;
  return iso.slice(11, 16);
}

function relativeLabel(offsetMs: number, step: number): string {
  const days = Math.floor(offsetMs / DAY_MS);
  if (step >= DAY_MS) return `day ${days}`;
  const rest = offsetMs - days * DAY_MS;
  const hh = String(Math.floor(rest / HOUR_MS)).padStart(2, '0');
  const mm = String(Math.floor((rest % HOUR_MS) / 60_000)).padStart(2, '0');
  return days > 0 ? `d${days} ${hh}:${mm}` : `${hh}:${mm}`;
}

function formatValue(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}

function percent(share: number): string {
  const p = share * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)} %`;
}

function styleOf(name: string, index: number): { color: string; dash?: string } {
  return STYLE[name] ?? { color: FALLBACK_COLORS[index % FALLBACK_COLORS.length] as string };
}

/** Breaks `text` at spaces into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
