import { isMissing } from '../anomaly/robust-stats';
import type { ResidualQuantiles } from './intervals';
import type { LongHorizonState } from './long-horizon/train-long-horizon';
import type { ModelGrid } from './resample';
import type { Transform } from './transform';

/**
 * Version of `TrainedModel` and of its `state`. Bump it whenever either changes shape: stored models of
 * another version are rejected (and retrained) instead of being misread.
 */
export const MODEL_FORMAT_VERSION = 2;

/**
 * What `TrainedModel.state` holds. Plain JSON: gaps are `null` (JSON has no NaN), numbers are doubles, so
 * `JSON.parse(JSON.stringify(model))` forecasts exactly like the original.
 */
export interface ModelState {
  grid: ModelGrid;
  /** Grid block of `memory[0]`. */
  memoryFirstBlock: number;
  /** The newest filtered blocks of the training window (at least one longest season), for lags and anchors. */
  memory: Array<number | null>;
  nonNegative: boolean;
  transform: Transform;
  /** Longest lead (blocks) the model was fitted and calibrated for; longer leads hold the last weights and band. */
  maxLead: number;
  intervals: ResidualQuantiles;
  /** The method's own parameters (see src/forecast/forecasters). */
  params: unknown;
  /** The long-horizon band, forecast from the same memory. */
  long: LongHorizonState;
}

export function encodeGaps(values: ArrayLike<number>): Array<number | null> {
  return Array.from(values as ArrayLike<number>, (v) => (isMissing(v) ? null : v));
}

export function decodeGaps(values: ReadonlyArray<number | null>, out: Float64Array, offset = 0): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[offset + i] = v === null || v === undefined ? NaN : v;
  }
}
