import { DEFAULT_DRIFT_WINDOW_MS } from '../config/settings';

/** The drift rule's fixed settings, shared by the server and the simulator. */
export const DRIFT_RULE = {
  /** How long the live error must stay above the threshold, unbroken, before it counts as drift. */
  sustainMs: DEFAULT_DRIFT_WINDOW_MS,
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
  /**
   * The live error stayed above the threshold for the whole of `sustainMs`, and no judged observation
   * has been at or under it since.
   */
  degraded: boolean;
  /** A retraining is due now: a full `sustainMs` of exceedance since the start, or since the last one. */
  retrain: boolean;
  /** The threshold of this observation; undefined without a backtest promise. */
  threshold: number | undefined;
}

/**
 * Drift of one trigger's forecast: the rolling live MASE at the lead above `driftThreshold` of the
 * model's backtest MASE there, continuously for `sustainMs`. One observation at or under the threshold
 * clears it and starts the clock again, so an intermittent miss never counts; a model with no backtest
 * promise at the lead (or no forecast in use) is never degraded.
 *
 * Once degraded it asks for a retraining, and asks again only after another full `sustainMs` above the
 * threshold, so a model that cannot do better is not retrained in a loop. A new model has no live score
 * until its first prediction comes due: that gap restarts the clock (the new model's promise is judged
 * afresh) but does not clear `degraded`, which holds until a score at or under the threshold shows the
 * forecast fits again. So alerts see one unbroken degradation while retraining does not help.
 */
export class DriftDetector {
  /** Start of the current unbroken exceedance. */
  private exceedingSinceMs: number | undefined;
  /** What the next retraining is measured from: the exceedance's start, or the last retraining. */
  private retrainClockMs: number | undefined;
  private degraded = false;

  constructor(private readonly sustainMs: number = DRIFT_RULE.sustainMs) {}

  /**
   * @param liveMase the current model's rolling live MASE at the lead; undefined before its first score
   * @param backtestMase what its backtest promised there, in the same terms; undefined when there is no
   *   promise (no backtest at the lead, or no forecast in use)
   */
  observe(nowMs: number, liveMase: number | undefined, backtestMase: number | undefined): DriftJudgement {
    if (backtestMase === undefined || !Number.isFinite(backtestMase)) {
      this.clear();
      return { degraded: false, retrain: false, threshold: undefined };
    }
    const threshold = driftThreshold(backtestMase);
    if (liveMase === undefined) {
      this.exceedingSinceMs = undefined;
      this.retrainClockMs = undefined;
      return { degraded: this.degraded, retrain: false, threshold };
    }
    if (!(liveMase > threshold)) {
      this.clear();
      return { degraded: false, retrain: false, threshold };
    }
    this.exceedingSinceMs ??= nowMs;
    this.retrainClockMs ??= nowMs;
    if (nowMs - this.exceedingSinceMs >= this.sustainMs) this.degraded = true;
    const retrain = nowMs - this.retrainClockMs >= this.sustainMs;
    if (retrain) this.retrainClockMs = nowMs;
    return { degraded: this.degraded, retrain, threshold };
  }

  private clear(): void {
    this.exceedingSinceMs = undefined;
    this.retrainClockMs = undefined;
    this.degraded = false;
  }
}
