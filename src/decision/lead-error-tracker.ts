import { DuePredictions } from './due-predictions';

interface Prediction {
  predicted: number;
  /** The live value when the prediction was made: the naive forecast for the same lead. */
  liveAtPrediction: number;
  /** Which model made it (counted by `newModel`). */
  modelNumber: number;
}

/**
 * Forecast error at the lead time, measured as the actual values arrive: each prediction for
 * `now + lead` waits until then and is scored against the live value, beside the naive "it stays as it
 * is now" forecast. The ratio of the two summed errors over the last `window` predictions is a rolling
 * MASE: below 1 the forecast is earning its keep. The same ratio over the current model's predictions
 * only (`modelMase`) is what that model is judged on, and over every prediction ever scored
 * (`maseSinceStart`) is what a replay reports.
 */
export class LeadErrorTracker {
  private readonly pending: DuePredictions<Prediction>;
  private readonly errors: Array<[model: number, naive: number, modelNumber: number]> = [];
  private modelNumber = 0;
  /** The rolling ratios as last summed, until a score or a new model changes them. */
  private cached: { all: number | undefined; model: number | undefined } | undefined;
  private modelSinceStart = 0;
  private naiveSinceStart = 0;
  private scoredSinceStart = 0;

  constructor(
    leadMs: number,
    minSpacingMs: number,
    private readonly window = 200,
  ) {
    // Room for every prediction a lead can hold pending, however long: dropping the oldest would drop
    // exactly those due next, and a long lead would never be scored.
    const inFlight = Math.ceil(leadMs / Math.max(1, minSpacingMs)) + 1;
    this.pending = new DuePredictions(leadMs, minSpacingMs, Math.max(4 * window, inFlight));
  }

  /** Records the forecast for `nowMs + leadMs`; at most one per `minSpacingMs`. */
  record(nowMs: number, predicted: number, live: number): void {
    if (!Number.isFinite(predicted)) return;
    this.pending.record(nowMs, { predicted, liveAtPrediction: live, modelNumber: this.modelNumber });
  }

  /** Scores every prediction that has come due by `nowMs` against `actual`. */
  observe(nowMs: number, actual: number): void {
    this.pending.takeDue(nowMs, (due) => {
      const model = Math.abs(actual - due.predicted);
      const naive = Math.abs(actual - due.liveAtPrediction);
      this.modelSinceStart += model;
      this.naiveSinceStart += naive;
      this.scoredSinceStart++;
      this.errors.push([model, naive, due.modelNumber]);
      if (this.errors.length > this.window) this.errors.shift();
      this.cached = undefined;
    });
  }

  /** The predictions recorded from now on are another model's. */
  newModel(): void {
    this.modelNumber++;
    this.cached = undefined;
  }

  /** Rolling MASE, or undefined until a prediction has been scored (or when naive error is 0). */
  mase(): number | undefined {
    return this.rolling().all;
  }

  /** Rolling MASE of the current model's predictions alone; undefined until one has been scored. */
  modelMase(): number | undefined {
    return this.rolling().model;
  }

  /** MASE over every prediction scored since the tracker was made, whatever the model. */
  maseSinceStart(): number | undefined {
    if (this.scoredSinceStart === 0) return undefined;
    return ratio(this.modelSinceStart, this.naiveSinceStart);
  }

  /**
   * Both rolling ratios in one pass, kept until the window changes: a trigger is evaluated several times
   * for every prediction scored (one per `minSpacingMs`), and each evaluation asks for both.
   */
  private rolling(): { all: number | undefined; model: number | undefined } {
    if (this.cached) return this.cached;
    let model = 0;
    let naive = 0;
    let ownModel = 0;
    let ownNaive = 0;
    let own = 0;
    for (const [m, n, modelNumber] of this.errors) {
      model += m;
      naive += n;
      if (modelNumber !== this.modelNumber) continue;
      ownModel += m;
      ownNaive += n;
      own++;
    }
    this.cached = {
      all: this.errors.length === 0 ? undefined : ratio(model, naive),
      model: own === 0 ? undefined : ratio(ownModel, ownNaive),
    };
    return this.cached;
  }
}

function ratio(model: number, naive: number): number | undefined {
  if (naive === 0) return model === 0 ? 0 : undefined;
  return model / naive;
}
