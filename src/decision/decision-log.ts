import { redactSecrets } from '../util/redact';
import type { Decision } from './decide';

/** One evaluation of a trigger as a person reads it back: what came in, what was forecast, what went out. */
export interface DecisionRecord {
  atMs: number;
  /** Undefined when the source failed and nothing could be returned. */
  live?: number;
  returned?: number;
  active?: boolean;
  reason?: Decision['reason'];
  forecastUsed?: boolean;
  /** The capacity forecast at `now + startupTime`: mean and the `quantile` bound. */
  forecastMean?: number;
  forecastUpper?: number;
  method?: string;
  backtest?: { mase: number; coverage: number };
  /** The start-up time the capacity forecast looked ahead by (`startupTimeQuery`'s answer or `startupTime`). */
  startupTimeMs?: number;
  /**
   * Why no value could be returned (the source failed past its staleness allowance). Stored redacted:
   * the decision API and the status page show it to anyone who can reach the HTTP port.
   */
  error?: string;
}

/** A point of the day's plot. */
export interface DecisionPoint {
  atMs: number;
  live: number;
  returned: number;
  forecastUpper?: number;
}

export interface DecisionHistory {
  last: DecisionRecord;
  /** The decision before `last` that returned a value, for the change (up, down, hold). */
  previous?: DecisionRecord;
  points: DecisionPoint[];
}

const DAY_MS = 86_400_000;
/** One point a minute at most: a day's plot holds 1,440 points per trigger, whatever the poll rate. */
const POINT_SPACING_MS = 60_000;

/**
 * The last decisions of each trigger, in memory: the last two for the decision API and a point a minute
 * over the last day for the status page. Bounded per trigger, and dropped with the trigger.
 */
export class DecisionLog {
  private readonly byTrigger = new Map<
    string,
    { last: DecisionRecord; previous?: DecisionRecord; points: DecisionPoint[] }
  >();

  record(key: string, recorded: DecisionRecord): void {
    // Redacted here, where it enters, so no view of the log can forget to: a source's error may quote its
    // URL with user:password, a token in the query string, or an Authorization header echoed back.
    const record =
      recorded.error === undefined ? recorded : { ...recorded, error: redactSecrets(recorded.error) };
    let entry = this.byTrigger.get(key);
    if (entry === undefined) {
      entry = { last: record, points: [] };
      this.byTrigger.set(key, entry);
    } else {
      if (entry.last.returned !== undefined) entry.previous = entry.last;
      entry.last = record;
    }
    if (record.live === undefined || record.returned === undefined) return;
    const points = entry.points;
    const newest = points[points.length - 1];
    if (newest !== undefined && record.atMs - newest.atMs < POINT_SPACING_MS) return;
    const point: DecisionPoint = { atMs: record.atMs, live: record.live, returned: record.returned };
    if (record.forecastUpper !== undefined) point.forecastUpper = record.forecastUpper;
    points.push(point);
    let expired = 0;
    while (expired < points.length && (points[expired] as DecisionPoint).atMs < record.atMs - DAY_MS)
      expired++;
    if (expired > 0) points.splice(0, expired);
  }

  history(key: string): DecisionHistory | undefined {
    const entry = this.byTrigger.get(key);
    if (entry === undefined) return undefined;
    return {
      last: entry.last,
      ...(entry.previous !== undefined && { previous: entry.previous }),
      points: [...entry.points],
    };
  }

  forget(key: string): void {
    this.byTrigger.delete(key);
  }
}
