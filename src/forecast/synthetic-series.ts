import type { RegularSeries, TrainingOptions } from './types';

/**
 * Training options for tests of a trigger's model: the scaler's leads (15 minutes and an hour), its
 * default quantile and anomaly threshold.
 */
export const SCALER_TEST_OPTIONS: Readonly<TrainingOptions> = {
  seasonality: 'auto',
  leadTimesMs: [15 * 60_000, 60 * 60_000],
  horizonMs: 60 * 60_000,
  quantile: 0.9,
  anomalyThreshold: 3.5,
};

/**
 * Deterministic synthetic load for tests and demos: known shapes, so a forecaster's answer can be checked
 * against the truth.
 */
export interface SyntheticSpec {
  days: number;
  stepMs: number;
  /** @default 2024-01-01T00:00:00Z (a Monday) */
  startMs?: number;
  /** @default 100 */
  level?: number;
  /** Amplitude of the daily sine. @default 0 */
  daily?: number;
  /** Level change on Saturdays and Sundays. @default 0 */
  weekend?: number;
  /** Level change per day. @default 0 */
  trendPerDay?: number;
  /** Standard deviation of Gaussian noise. @default 0 */
  noise?: number;
  /** AR(1) coefficient of the noise (0 = white). @default 0 */
  noiseAutocorrelation?: number;
  /** Daily shape multiplies the level instead of adding to it. @default false */
  multiplicative?: boolean;
  /** @default 1 */
  seed?: number;
}

export const MONDAY_2024_01_01 = Date.UTC(2024, 0, 1);

/** A seeded uniform [0, 1) generator (mulberry32): reproducible without a global state. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform generator (Box-Muller). */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The noise-free value of `spec` at `timeMs`. */
export function syntheticTruth(spec: SyntheticSpec, timeMs: number): number {
  const start = spec.startMs ?? MONDAY_2024_01_01;
  const days = (timeMs - start) / 86_400_000;
  const dayOfWeek = ((Math.floor((timeMs - MONDAY_2024_01_01) / 86_400_000) % 7) + 7) % 7;
  const base =
    (spec.level ?? 100) + (spec.trendPerDay ?? 0) * days + (dayOfWeek >= 5 ? (spec.weekend ?? 0) : 0);
  const shape = Math.sin((2 * Math.PI * (((timeMs % 86_400_000) + 86_400_000) % 86_400_000)) / 86_400_000);
  return spec.multiplicative === true
    ? base * (1 + ((spec.daily ?? 0) / 100) * shape)
    : base + (spec.daily ?? 0) * shape;
}

/** A series following `spec`, with its noise. */
export function syntheticSeries(spec: SyntheticSpec): RegularSeries {
  const start = spec.startMs ?? MONDAY_2024_01_01;
  const n = Math.round((spec.days * 86_400_000) / spec.stepMs);
  const normal = gaussian(seededRandom(spec.seed ?? 1));
  const phi = spec.noiseAutocorrelation ?? 0;
  const sigma = spec.noise ?? 0;
  let noise = 0;
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    noise = phi * noise + Math.sqrt(1 - phi * phi) * sigma * normal();
    values[i] = syntheticTruth(spec, start + i * spec.stepMs) + noise;
  }
  return { startMs: start, stepMs: spec.stepMs, values };
}

/** The samples of `series` from index `from` (inclusive) to `to` (exclusive), as a series. */
export function sliceSeries(
  series: RegularSeries,
  from: number,
  to: number = series.values.length,
): RegularSeries {
  return {
    startMs: series.startMs + from * series.stepMs,
    stepMs: series.stepMs,
    values: series.values.slice(from, to),
  };
}
