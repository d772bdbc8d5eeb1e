/**
 * Predictions made now for `now + lead`, kept until that moment's reading arrives to score them: at most
 * one per `minSpacingMs`, so a trigger polled often is scored as evenly as one polled rarely.
 */
export class DuePredictions<T> {
  private readonly pending: Array<{ dueMs: number; prediction: T }> = [];
  private lastRecordedMs = -Infinity;

  /** @param maxPending the oldest are dropped past this many (a source silent for long). */
  constructor(
    private readonly leadMs: number,
    private readonly minSpacingMs: number,
    private readonly maxPending = Infinity,
  ) {}

  /**
   * Keeps `prediction`, made at `nowMs` for `nowMs + leadMs`, unless one was kept less than
   * `minSpacingMs` before.
   */
  record(nowMs: number, prediction: T, leadMs: number = this.leadMs): void {
    if (nowMs - this.lastRecordedMs < this.minSpacingMs) return;
    this.lastRecordedMs = nowMs;
    // A shorter lead than the last one's (a start-up time measured anew) falls due before predictions
    // already kept: it goes in its place, so that `takeDue` meets it on time.
    const dueMs = nowMs + leadMs;
    let at = this.pending.length;
    while (at > 0 && (this.pending[at - 1] as { dueMs: number }).dueMs > dueMs) at--;
    this.pending.splice(at, 0, { dueMs, prediction });
    if (this.pending.length > this.maxPending) this.pending.shift();
  }

  /** Hands every prediction due by `nowMs` to `score`, and forgets it. */
  takeDue(nowMs: number, score: (prediction: T) => void): void {
    while (this.pending.length > 0 && (this.pending[0] as { dueMs: number }).dueMs <= nowMs) {
      const due = this.pending.shift() as { dueMs: number; prediction: T };
      // A prediction whose moment passed long ago (no reading for a while) says nothing about now.
      if (nowMs - due.dueMs > Math.max(this.minSpacingMs * 2, 60_000)) continue;
      score(due.prediction);
    }
  }
}
