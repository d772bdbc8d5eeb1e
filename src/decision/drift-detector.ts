/** The drift rule's fixed settings, shared by the server and the simulator. */
export const DRIFT_RULE = {
  /** How long the live error must stay above the threshold, unbroken, before it counts as drift. */
  sustainMs: 3_600_000,
  /** How much worse than its backtest a model may do at the lead before it is suspect. */
  backtestFactor: 1.5,
  /**
   * Never below 1: a model that beats "it stays as it is now" is still worth its keep, however well its
   * backtest promised.
   */
  floor: 1,
} as const;

/** The live MASE above which a model with this backtest MASE (over last value, at the lead) is suspect. */
export function driftThreshold(backtestMase: number): number {
  return Math.max(DRIFT_RULE.floor, DRIFT_RULE.backtestFactor * backtestMase);
}

/** What one observation made of the drift rule. */
export interface DriftJudgement {
  /** The live error has been above the threshold for the whole of `sustainMs`, and still is. */
  degraded: boolean;
  /** A retraining is due now: a full `sustainMs` of degradation since the start, or since the last one. */
  retrain: boolean;
  /** The threshold of this observation; undefined when there was nothing to judge. */
  threshold: number | undefined;
}

/**
 * Drift of one trigger's forecast: the rolling live MASE at the lead above `driftThreshold` of the
 * model's backtest MASE there, continuously for `sustainMs`. A single observation at or under the threshold
 * (or one with nothing to judge: no live score yet, a model with no backtest at the lead) starts the clock
 * again, so an intermittent miss never counts. Once degraded it asks for a retraining, then waits another
 * full `sustainMs` of degradation before asking again, so a model that cannot do better is not retrained
 * in a loop.
 */
export class DriftDetector {
  /** Start of the current unbroken exceedance: what `degraded` is measured from. */
  private exceedingSinceMs: number | undefined;
  /** What the next retraining is measured from: the exceedance's start, or the last retraining. */
  private retrainClockMs: number | undefined;

  constructor(private readonly sustainMs: number = DRIFT_RULE.sustainMs) {}

  observe(nowMs: number, liveMase: number | undefined, backtestMase: number | undefined): DriftJudgement {
    if (liveMase === undefined || backtestMase === undefined || !Number.isFinite(backtestMase)) {
      this.clear();
      return { degraded: false, retrain: false, threshold: undefined };
    }
    const threshold = driftThreshold(backtestMase);
    if (!(liveMase > threshold)) {
      this.clear();
      return { degraded: false, retrain: false, threshold };
    }
    this.exceedingSinceMs ??= nowMs;
    this.retrainClockMs ??= nowMs;
    const degraded = nowMs - this.exceedingSinceMs >= this.sustainMs;
    const retrain = nowMs - this.retrainClockMs >= this.sustainMs;
    if (retrain) this.retrainClockMs = nowMs;
    return { degraded, retrain, threshold };
  }

  private clear(): void {
    this.exceedingSinceMs = undefined;
    this.retrainClockMs = undefined;
  }
}
