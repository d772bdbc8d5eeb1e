import { DuePredictions } from './due-predictions';

interface Prediction {
  predicted: number;
  /** The live value when the prediction was made: the naive forecast for the same lead. */
  liveAtPrediction: number;
}

/**
 * Forecast error at the lead time, measured as the actual values arrive: each prediction for
 * `now + lead` waits until then and is scored against the live value, beside the naive "it stays as it
 * is now" forecast. The ratio of the two summed errors over the last `window` predictions is a rolling
 * MASE: below 1 the forecast is earning its keep.
 */
export class LeadErrorTracker {
  private readonly pending: DuePredictions<Prediction>;
  private readonly errors: Array<[model: number, naive: number]> = [];

  constructor(
    leadMs: number,
    minSpacingMs: number,
    private readonly window = 200,
  ) {
    this.pending = new DuePredictions(leadMs, minSpacingMs, 4 * window);
  }

  /** Records the forecast for `nowMs + leadMs`; at most one per `minSpacingMs`. */
  record(nowMs: number, predicted: number, live: number): void {
    if (!Number.isFinite(predicted)) return;
    this.pending.record(nowMs, { predicted, liveAtPrediction: live });
  }

  /** Scores every prediction that has come due by `nowMs` against `actual`. */
  observe(nowMs: number, actual: number): void {
    this.pending.takeDue(nowMs, (due) => {
      this.errors.push([Math.abs(actual - due.predicted), Math.abs(actual - due.liveAtPrediction)]);
      if (this.errors.length > this.window) this.errors.shift();
    });
  }

  /** Rolling MASE, or undefined until a prediction has been scored (or when naive error is 0). */
  mase(): number | undefined {
    if (this.errors.length === 0) return undefined;
    let model = 0;
    let naive = 0;
    for (const [m, n] of this.errors) {
      model += m;
      naive += n;
    }
    if (naive === 0) return model === 0 ? 0 : undefined;
    return model / naive;
  }
}
