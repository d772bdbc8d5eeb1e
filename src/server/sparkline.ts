import type { DecisionPoint } from '../decision/decision-log';

/** Size of a plot in CSS pixels. */
export const PLOT_WIDTH = 320;
export const PLOT_HEIGHT = 80;
const PAD = 2;

/** The series a plot draws, each a polyline with its own class (colours are in the page's style). */
const SERIES = [
  { name: 'live', pick: (p: DecisionPoint) => p.live },
  { name: 'forecast', pick: (p: DecisionPoint) => p.forecastUpper },
  { name: 'returned', pick: (p: DecisionPoint) => p.returned },
] as const;

/**
 * Inline SVG of live, forecast (the capacity bound) and returned values over time: x from the first to the
 * last point, y from 0 to the largest value. Nothing to draw gives an empty frame with a caption.
 */
export function decisionPlot(points: readonly DecisionPoint[]): string {
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" viewBox="0 0 ${PLOT_WIDTH} ${PLOT_HEIGHT}" role="img" aria-label="live, forecast and returned values over the last day">`;
  const frame = `<rect class="frame" x="0.5" y="0.5" width="${PLOT_WIDTH - 1}" height="${PLOT_HEIGHT - 1}"/>`;
  if (points.length === 0) {
    return `${open}${frame}<text x="${PLOT_WIDTH / 2}" y="${PLOT_HEIGHT / 2}" text-anchor="middle">no decisions yet</text></svg>`;
  }
  const first = (points[0] as DecisionPoint).atMs;
  const span = Math.max(1, (points[points.length - 1] as DecisionPoint).atMs - first);
  let top = 0;
  for (const point of points) {
    for (const { pick } of SERIES) {
      const value = pick(point);
      if (value !== undefined && Number.isFinite(value)) top = Math.max(top, value);
    }
  }
  const scaleY = top > 0 ? (PLOT_HEIGHT - 2 * PAD) / top : 0;
  const x = (atMs: number): number => round(PAD + ((atMs - first) / span) * (PLOT_WIDTH - 2 * PAD));
  const y = (value: number): number => round(PLOT_HEIGHT - PAD - value * scaleY);
  const lines = SERIES.map(({ name, pick }) => {
    const coordinates = points.flatMap((point) => {
      const value = pick(point);
      return value === undefined || !Number.isFinite(value) ? [] : [`${x(point.atMs)},${y(value)}`];
    });
    return coordinates.length === 0 ? '' : `<polyline class="${name}" points="${coordinates.join(' ')}"/>`;
  });
  return `${open}${frame}${lines.join('')}</svg>`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
