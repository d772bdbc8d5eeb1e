import { finiteMean } from '../anomaly/robust-stats';

/**
 * Scale a model learns in. Load is multiplicative (a busy day is a quiet day scaled up, noise grows with
 * the level), so non-negative signals are modelled as log(y + offset); the offset (1 % of the mean level)
 * keeps zeros finite without letting near-zero values dominate.
 */
export interface Transform {
  kind: 'log' | 'identity';
  offset: number;
}

export const IDENTITY: Transform = { kind: 'identity', offset: 0 };

/** Log for series that never go below 0, identity otherwise. */
export function chooseTransform(values: ArrayLike<number>, nonNegative: boolean): Transform {
  if (!nonNegative) return IDENTITY;
  const mean = finiteMean(values);
  const offset = mean > 0 ? 0.01 * mean : 1;
  return { kind: 'log', offset };
}

export function toModelScale(transform: Transform, value: number): number {
  return transform.kind === 'log' ? Math.log(Math.max(value, 0) + transform.offset) : value;
}

export function fromModelScale(transform: Transform, value: number): number {
  return transform.kind === 'log' ? Math.exp(value) - transform.offset : value;
}

/** `values` mapped to the model scale (gaps stay NaN). */
export function toModelScaleAll(transform: Transform, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toModelScale(transform, values[i] as number);
  return out;
}
