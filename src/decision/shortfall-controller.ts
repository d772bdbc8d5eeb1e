import { DuePredictions } from './due-predictions';

/** How a {@link ShortfallController} learns. */
export interface ShortfallControllerOptions {
  /** Share of the scored moments the trigger tolerates being short (0.05: 5 % of the time). */
  target: number;
  /** How far ahead each bound is for: the moment a replica started now could serve. */
  leadMs: number;
  /** At most one bound scored per this many milliseconds (the trigger's sample interval). */
  minSpacingMs: number;
  /**
   * How much one scored moment moves the width factor: up by `step × (1 − target)` after a miss, down by
   * `step × target` after a covered moment. @default 0.05
   */
  step?: number;
  /** The width factor stays within [0, this]: never more than this many times the forecast's own width. @default 4 */
  maxFactor?: number;
  /**
   * What one replica serves (the trigger's target): a bound buys whole replicas, so it is short only when
   * the live value exceeds the bound rounded up to them. Unset: scored against the bound itself.
   */
  perReplica?: number;
}

/**
 * Chooses how much capacity to buy above the forecast from the forecast's own errors at the lead, so that
 * the share of moments short of it tracks a target (adaptive conformal inference, Gibbs & Candès 2021).
 * The bound is `mean + factor × (upper − mean)`, with `upper` the model's calibrated quantile; each bound,
 * once its moment comes, is checked against the live value then, and the factor moves by
 * `step × (miss − target)`. The factor's change over T scored moments is step × (misses − T × target),
 * so as long as it is never held at a limit the share of misses is within maxFactor / (step × T) of the
 * target whatever the data do: a model whose bands are too narrow or too wide is corrected by how it
 * fares, not by how its backtest said it would.
 */
export class ShortfallController {
  private factor = 1;
  /** The capacity bounds bought, each waiting for the moment it was bought for. */
  private readonly pending: DuePredictions<number>;
  private scored = 0;
  private misses = 0;
  private readonly step: number;
  private readonly maxFactor: number;

  constructor(private readonly options: ShortfallControllerOptions) {
    if (!(options.target > 0 && options.target < 1)) {
      throw new RangeError(`target must be between 0 and 1 (exclusive), got ${options.target}`);
    }
    this.step = options.step ?? 0.05;
    this.maxFactor = options.maxFactor ?? 4;
    this.pending = new DuePredictions(options.leadMs, options.minSpacingMs);
  }

  /** The capacity to buy for a forecast `mean` whose calibrated quantile bound is `upper`. */
  bound(mean: number, upper: number): number {
    return mean + this.factor * Math.max(0, upper - mean);
  }

  /**
   * Remembers the bound bought at `nowMs` for `nowMs + leadMs` (the options' unless given); at most one
   * per `minSpacingMs`.
   */
  record(nowMs: number, bound: number, leadMs?: number): void {
    if (Number.isFinite(bound)) this.pending.record(nowMs, bound, leadMs);
  }

  /** Scores every bound whose moment has come by `nowMs` against `actual`, and moves the factor. */
  observe(nowMs: number, actual: number): void {
    this.pending.takeDue(nowMs, (bound) => {
      const miss = actual > this.capacityOf(bound) ? 1 : 0;
      this.scored++;
      this.misses += miss;
      const moved = this.factor + this.step * (miss - this.options.target);
      this.factor = Math.min(this.maxFactor, Math.max(0, moved));
    });
  }

  private capacityOf(bound: number): number {
    const unit = this.options.perReplica;
    return unit !== undefined && unit > 0 ? Math.max(1, Math.ceil(bound / unit)) * unit : bound;
  }

  /** The factor the next bound is bought with. */
  widthFactor(): number {
    return this.factor;
  }

  /** Share of scored moments that were short of their bound; undefined before the first. */
  missShare(): number | undefined {
    return this.scored === 0 ? undefined : this.misses / this.scored;
  }
}
